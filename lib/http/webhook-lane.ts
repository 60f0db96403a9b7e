import type { IncomingMessage, ServerResponse } from 'node:http';

// The webhook lane: under `npm start` (lib/http/production-server.ts), Meta's POSTs to /api/webhook are
// answered before they reach Next. Next's own handling of a request (routing, a Web Request with its body
// stream and abort signal, async context) took 1.2 ms of the server's one JavaScript thread here; the
// whole webhook took 1.36 ms through Next, at most 0.48 ms through this lane. That thread also serves
// every page and API call: at 500 webhooks/s through Next it was busy all the time (README → Benchmarks).
// Everything else, the handshake GET included, goes to Next, and so does the webhook under `next start`
// or `next dev` (app/api/webhook/route.ts).
//
// The handler is opened by the app's start (lib/server-lifecycle.ts), which runs inside Next's bundle:
// the server script cannot import the app without a second copy of it. It passes the handler through
// a registered symbol, one per process.

export type WebhookLane = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const LANE = Symbol.for('ticks.webhookLane');
const holder = globalThis as typeof globalThis & { [LANE]?: WebhookLane };

export function openWebhookLane(lane: WebhookLane): void {
  holder[LANE] = lane;
}

/** The lane for this request, or null: not a webhook delivery, or the app has not started yet (Next serves it). */
export function webhookLaneFor(req: IncomingMessage): WebhookLane | null {
  if (req.method !== 'POST') return null;
  const url = req.url ?? '';
  if (url !== '/api/webhook' && !url.startsWith('/api/webhook?')) return null;
  return holder[LANE] ?? null;
}
