import type { Logger } from '@/lib/log';
import { safeEqual } from '@/lib/safe-equal';
import { DatabaseUnavailableError, type RawEventLog } from './ingest';
import { webhookBodySchema } from './payload';
import { verifySignature } from './signature';

// The HTTP edge of the webhook: Meta's subscription handshake, and deliveries that are verified over the
// exact raw bytes, committed durably, and only then answered 200. Normalization happens afterwards.

export interface WebhookConfig {
  appSecrets: readonly string[];
  verifyToken: string;
  maxBodyBytes: number;
}

export interface WebhookDeps {
  config: WebhookConfig;
  rawEvents: RawEventLog;
  log: Logger;
  /** Called when a new event is committed (wakes the processor). */
  onAccepted?: () => void;
}

const utf8 = new TextDecoder('utf-8');
const empty = (status: number) => new Response(null, { status });

/** GET: `hub.mode=subscribe` with our verify token → echo `hub.challenge` as plain text; anything else 403. */
export function verifySubscription(url: URL, verifyToken: string, log: Logger): Response {
  const mode = url.searchParams.get('hub.mode');
  const token = url.searchParams.get('hub.verify_token');
  const challenge = url.searchParams.get('hub.challenge');
  if (mode === 'subscribe' && token !== null && challenge !== null && safeEqual(token, verifyToken)) {
    return new Response(challenge, {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    });
  }
  log.warn({ mode, tokenGiven: token !== null, challengeGiven: challenge !== null }, 'webhook verification refused');
  return empty(403);
}

/** POST: one delivery from Meta. A 200 means the body is committed. */
export async function receiveDelivery(req: Request, deps: WebhookDeps): Promise<Response> {
  const { config, log } = deps;
  const started = performance.now();
  const reject = (status: number, reason: string, extra: Record<string, unknown> = {}) => {
    log.warn({ status, reason, ms: +(performance.now() - started).toFixed(1), ...extra }, 'webhook rejected');
    return empty(status);
  };

  const body = await readBodyWithin(req, config.maxBodyBytes);
  if (body === 'too_large') return reject(413, 'body too large', { limit: config.maxBodyBytes });
  if (body === 'aborted') return reject(400, 'body could not be read');

  const signature = verifySignature(body, req.headers.get('x-hub-signature-256'), config.appSecrets);
  if (!signature.ok) return reject(401, `signature ${signature.reason}`, { bytes: body.byteLength });

  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch {
    return reject(400, 'body is not JSON', { bytes: body.byteLength });
  }
  if (!webhookBodySchema.safeParse(parsed).success) {
    return reject(400, 'body is not a webhook envelope (object with "object" and an "entry" array)', { bytes: body.byteLength });
  }

  try {
    const { isNew } = await deps.rawEvents.append(body);
    if (isNew) deps.onAccepted?.();
    log.debug({ status: 200, duplicate: !isNew, bytes: body.byteLength, ms: +(performance.now() - started).toFixed(1) }, 'webhook accepted');
    return empty(200);
  } catch (err) {
    // Not durable, so not a 200: Meta retries a 503, and the retry is deduplicated if this write landed after all.
    const reason = err instanceof DatabaseUnavailableError ? err.message : `unexpected: ${String(err)}`;
    log.error({ status: 503, reason, ms: +(performance.now() - started).toFixed(1) }, 'webhook not stored');
    return empty(503);
  }
}

/** Reads at most `limit` bytes; stops reading (without buffering the rest) as soon as the body is larger. */
async function readBodyWithin(req: Request, limit: number): Promise<Uint8Array | 'too_large' | 'aborted'> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > limit) return 'too_large';
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        void reader.cancel().catch(() => {});
        return 'too_large';
      }
      chunks.push(value);
    }
  } catch {
    return 'aborted';
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
