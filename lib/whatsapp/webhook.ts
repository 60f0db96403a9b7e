import type { IncomingMessage, ServerResponse } from 'node:http';
import type { REJECTION_REASONS } from '@/lib/contracts/error-log';
import { SECURITY_HEADERS } from '@/lib/http/security-headers';
import { describeError, type Logger } from '@/lib/log';
import { safeEqual } from '@/lib/safe-equal';
import { DatabaseUnavailableError, type RawEventLog } from './ingest';
import { webhookBodySchema } from './payload';
import { readSignatureHeader, type SignatureHeader, signatureMatches } from './signature';

// The HTTP edge of the webhook: Meta's subscription handshake, and deliveries that are verified over the
// exact raw bytes, committed durably, and only then answered 200. Normalization happens afterwards.
// A delivery arrives one of two ways: through Next's route (app/api/webhook/route.ts) or, under `npm start`,
// through the webhook lane in front of Next (lib/http/webhook-lane.ts); both end in acceptDelivery.

export interface WebhookConfig {
  appSecrets: readonly string[];
  verifyToken: string;
  maxBodyBytes: number;
}

/** Why a delivery was refused: counted by reason (lib/whatsapp/rejections.ts), never stored as an event. */
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** What became of one webhook request. */
export type DeliveryOutcome =
  | { outcome: 'accepted' | 'duplicate'; status: 200 }
  | { outcome: 'rejected'; status: 400 | 401 | 413; reason: RejectionReason }
  | { outcome: 'unavailable'; status: 503 };

export interface WebhookDeps {
  config: WebhookConfig;
  rawEvents: RawEventLog;
  log: Logger;
  /** Called when a new event is committed (wakes the processor). */
  onAccepted?: () => void;
  /** Called once per request with its outcome and duration (metrics, rejection counts). */
  onOutcome?: (outcome: DeliveryOutcome, seconds: number) => void;
}

/** Why a signature header could never match, as a rejection reason. */
const SIGNATURE_REASONS = {
  missing: 'signature_missing',
  malformed: 'signature_malformed',
  no_secret: 'no_app_secret',
} as const satisfies Record<Exclude<SignatureHeader, { ok: true }>['reason'], RejectionReason>;

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

/**
 * One POST as the webhook needs it, whatever server received it: Next's route hands a Web `Request`
 * (`receiveDelivery`), the production server's webhook lane a Node request (`receiveNodeDelivery`,
 * lib/http/webhook-lane.ts).
 */
export interface DeliveryRequest {
  header(name: string): string | null;
  /** At most `limit` bytes; stops reading (without buffering the rest) as soon as the body is larger. */
  readBody(limit: number): Promise<Uint8Array | 'too_large' | 'aborted'>;
}

/** POST: one delivery from Meta. A 200 means the body is committed. One log line per request. */
export async function acceptDelivery(req: DeliveryRequest, deps: WebhookDeps): Promise<DeliveryOutcome> {
  const { config, log } = deps;
  const started = performance.now();
  let bytes: number | undefined;
  const finish = (result: DeliveryOutcome, extra: Record<string, unknown> = {}) => {
    const ms = performance.now() - started;
    deps.onOutcome?.(result, ms / 1000);
    const line = { ...result, bytes, ms: +ms.toFixed(1), ...extra };
    if (result.outcome === 'rejected') log.warn(line, 'webhook rejected');
    else if (result.outcome === 'unavailable') log.error(line, 'webhook not stored');
    else log.info(line, 'webhook accepted');
    return result;
  };
  const reject = (status: 400 | 401 | 413, reason: RejectionReason, extra?: Record<string, unknown>) =>
    finish({ outcome: 'rejected', status, reason }, extra);

  // A request without a signature of the right shape (or with no secret to check it against) can never be
  // valid: refuse it before reading a byte, so nobody can make us buffer megabytes only to say 401.
  const signed = readSignatureHeader(req.header('x-hub-signature-256'), config.appSecrets);
  if (!signed.ok) return reject(401, SIGNATURE_REASONS[signed.reason]);

  if (Number(req.header('content-length') ?? NaN) > config.maxBodyBytes) return reject(413, 'too_large', { limit: config.maxBodyBytes });
  const body = await req.readBody(config.maxBodyBytes);
  if (body === 'too_large') return reject(413, 'too_large', { limit: config.maxBodyBytes });
  if (body === 'aborted') return reject(400, 'unreadable');
  bytes = body.byteLength;

  if (!signatureMatches(body, signed.digest, config.appSecrets)) return reject(401, 'signature_mismatch');

  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch {
    return reject(400, 'not_json');
  }
  // An envelope is an object with "object" and an "entry" array.
  if (!webhookBodySchema.safeParse(parsed).success) return reject(400, 'not_envelope');

  try {
    const { isNew } = await deps.rawEvents.append(body);
    if (isNew) deps.onAccepted?.();
    return finish({ outcome: isNew ? 'accepted' : 'duplicate', status: 200 });
  } catch (err) {
    // Not durable, so not a 200: Meta retries a 503, and the retry is deduplicated if this write landed after all.
    // describeError, never the error itself: a query's error message can carry the bodies it wrote.
    const reason = err instanceof DatabaseUnavailableError ? err.message : `unexpected: ${describeError(err)}`;
    return finish({ outcome: 'unavailable', status: 503 }, { err: reason });
  }
}

/** A delivery through Next's route handler (app/api/webhook/route.ts): a Web `Request` in, a `Response` out. */
export async function receiveDelivery(req: Request, deps: WebhookDeps): Promise<Response> {
  const { status } = await acceptDelivery(
    { header: (name) => req.headers.get(name), readBody: (limit) => readStreamWithin(req, limit) },
    deps,
  );
  return empty(status);
}

async function readStreamWithin(req: Request, limit: number): Promise<Uint8Array | 'too_large' | 'aborted'> {
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

/**
 * A delivery through the production server's webhook lane (lib/http/webhook-lane.ts): Node's request and
 * response, without the Web `Request`, its stream and its abort signal that Next makes for every request.
 */
export async function receiveNodeDelivery(req: IncomingMessage, res: ServerResponse, deps: WebhookDeps): Promise<void> {
  let status: number;
  try {
    ({ status } = await acceptDelivery(
      { header: (name) => headerOf(req, name), readBody: (limit) => readNodeBodyWithin(req, limit) },
      deps,
    ));
  } catch (err) {
    // acceptDelivery answers every failure it knows of; this is a bug. Nothing was stored: Meta retries.
    deps.log.error({ err: describeError(err) }, 'webhook failed');
    status = 503;
  }
  const headers: Record<string, string> = { ...LANE_HEADERS };
  // A body we stopped reading (too large, broken off) is not read to its end for the next request's sake.
  if (!req.complete) headers.connection = 'close';
  res.writeHead(status, headers).end();
}

/** Next's headers() would add these (next.config.ts); an empty answer says it is empty. */
const LANE_HEADERS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SECURITY_HEADERS.map((h) => [h.key, h.value])),
  'content-length': '0',
};

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

function readNodeBodyWithin(req: IncomingMessage, limit: number): Promise<Uint8Array | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (result: Uint8Array | 'too_large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        req.pause();
        settle('too_large');
      } else chunks.push(chunk);
    };
    const onEnd = () => settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    const onBroken = () => settle('aborted');
    // The client went away before the end of its body.
    const onClose = () => {
      if (!req.complete) settle('aborted');
    };
    req.on('data', onData).on('end', onEnd).on('error', onBroken).on('close', onClose);
  });
}
