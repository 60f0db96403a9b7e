import type { AccessNotice, ChangeNotice } from './changes';
import type { ChangeHub } from './hub';

// GET /api/events: Server-Sent Events carrying ChangeNotices to the inbox page. The browser refetches
// what changed (with its own session). The only content it carries is the changed messages of threads
// open on this instance (ChangeNotice.threadMessages), which whoever may listen may read anyway.

export const PING_INTERVAL_MS = 15_000;
/** Tells EventSource how long to wait before reconnecting on its own (the page also backs off). */
const RETRY_MS = 2_000;
/**
 * How far a client may fall behind before it is dropped. A browser reads notices as they come; one that
 * stops reading (a frozen tab, a stalled proxy) would otherwise have every notice queued for it, without
 * end. Dropped, it reconnects when it can and catches up with one refetch.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;

export interface EventStreamOptions {
  hub: ChangeHub;
  /** Aborts when the browser goes away. */
  signal: AbortSignal;
  /** Re-checked at every ping (a backstop), and at once when an access notice names the user. */
  stillAuthorized: () => Promise<boolean>;
  /** Whose stream this is: a notice that its API key was revoked ends it at once. */
  owner: { userId?: string; apiKeyId?: number | null };
  /** Called once, however the stream ends (hang-up, cancel, signed out, dropped). */
  onClose?: () => void;
  pingIntervalMs?: number;
  maxQueuedBytes?: number;
}

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export function changeEventStream(options: EventStreamOptions): Response {
  const { hub, signal, owner } = options;
  let release = () => {};
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let ended = false;
        /** Frees what the stream holds; true the first time only. */
        const end = () => {
          if (ended) return false;
          ended = true;
          clearInterval(ping);
          unsubscribe();
          signal.removeEventListener('abort', close);
          options.onClose?.();
          return true;
        };
        const close = () => {
          if (!end()) return;
          try {
            controller.close();
          } catch {}
        };
        const send = (chunk: Uint8Array) => {
          if (ended) return;
          try {
            controller.enqueue(chunk);
          } catch {
            return close();
          }
          // Erroring (not closing) discards the queue at once. Named AbortError: Next then drops the
          // connection quietly, as for a client that hung up.
          if ((controller.desiredSize ?? 0) < 0 && end())
            controller.error(new DOMException('event stream client is not reading', 'AbortError'));
        };
        const signOut = () => {
          send(frame('signed-out', {}));
          close();
        };
        const recheck = async () => {
          // A database hiccup keeps the stream: the next check decides.
          const authorized = await options.stillAuthorized().catch(() => true);
          if (!authorized) signOut();
          return authorized;
        };
        const onAccess = (access: AccessNotice) => {
          if (owner.apiKeyId != null && access.apiKeys.includes(owner.apiKeyId)) signOut();
          else if (owner.userId !== undefined && access.users.includes(owner.userId)) void recheck();
        };
        const unsubscribe = hub.subscribeStream((notice: ChangeNotice) => send(frame('change', notice)), onAccess);
        const ping = setInterval(async () => {
          if (await recheck()) send(encoder.encode(': ping\n\n'));
        }, options.pingIntervalMs ?? PING_INTERVAL_MS);
        release = end;
        signal.addEventListener('abort', close);
        if (signal.aborted) return close();
        send(encoder.encode(`retry: ${RETRY_MS}\n\n`));
        send(frame('ready', {}));
      },
      cancel() {
        release();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: options.maxQueuedBytes ?? MAX_QUEUED_BYTES }),
  );
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
