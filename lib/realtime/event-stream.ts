import type { ChangeNotice } from './changes';
import type { ChangeHub } from './hub';

// GET /api/events: Server-Sent Events carrying ChangeNotices to the inbox page. The browser refetches
// what changed (with its own session), so the stream itself never carries message content.

export const PING_INTERVAL_MS = 15_000;
/** Tells EventSource how long to wait before reconnecting on its own (the page also backs off). */
const RETRY_MS = 2_000;

export interface EventStreamOptions {
  hub: ChangeHub;
  /** Aborts when the browser goes away. */
  signal: AbortSignal;
  /** Re-checked at every ping: a session revoked meanwhile ends the stream. */
  stillAuthorized: () => Promise<boolean>;
  pingIntervalMs?: number;
}

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export function changeEventStream(options: EventStreamOptions): Response {
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {}
      };
      const send = (chunk: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(chunk);
        } catch {
          close();
        }
      };
      const unsubscribe = options.hub.subscribe((notice: ChangeNotice) => send(frame('change', notice)));
      const ping = setInterval(async () => {
        if (!(await options.stillAuthorized().catch(() => true))) {
          send(frame('signed-out', {}));
          close();
          return;
        }
        send(encoder.encode(': ping\n\n'));
      }, options.pingIntervalMs ?? PING_INTERVAL_MS);
      cleanup = () => {
        clearInterval(ping);
        unsubscribe();
        options.signal.removeEventListener('abort', close);
      };
      options.signal.addEventListener('abort', close);
      send(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      send(frame('ready', {}));
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: otherwise Next compresses the stream and holds events back.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
