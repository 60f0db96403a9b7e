import { z } from 'zod';
import type { Db } from '@/db/client';
import {
  getEventStates,
  getRejectionCounts,
  getWebhookEvent,
  listAccountEvents,
  listFailedDeliveries,
  listProcessingFailures,
} from '@/db/queries/error-log';
import { requeueFailedEvents } from '@/db/queries/webhook-events';
import { assertSameOrigin, authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { cursorIdSchema, cursorTimestampSchema, cursorWamidSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { badRequest, jsonResponse, notFound } from '@/lib/http/errors';
import { readJsonBody } from '@/lib/http/json-body';
import { limitSchema, optionalText, queryOf } from '@/lib/http/query-params';
import { toApiErrors, type ApiContact, type ApiDeliveryError } from '@/lib/inbox/read-api';
import { previewOf, type Preview } from '@/lib/inbox/message-view';
import { notifyChanges } from '@/lib/realtime/changes';
import { explainErrorCode, type ErrorExplanation } from '@/lib/whatsapp/error-codes';
import { MAX_ATTEMPTS } from '@/lib/whatsapp/processor';
import { summarizeAccountEvent, type AccountEventSummary } from './account-event-summary';

// The error log's API (app/api/errors/**): failed deliveries, processing failures (and their retry),
// rejected webhook requests, account events. Agents and API keys read; only admins retry.

export interface ErrorLogDeps extends AccessDeps {
  /** Told that events were requeued (the app's processor). */
  processor?: { notify(): void };
  /** How long a retry waits for its events' outcome (ms). */
  retryWaitMs?: number;
}

// ---- Response shapes ----

export interface ApiFailedDelivery {
  /** The wamid. */
  id: string;
  conversationId: string;
  /** When it failed (ISO-8601). */
  failedAt: string;
  contact: ApiContact;
  businessPhoneNumberId: string;
  displayPhoneNumber: string | null;
  preview: Preview;
  placeholder: boolean;
  errors: ApiDeliveryError[];
  /** For the first error's code, when we know it. */
  explanation: ErrorExplanation | null;
}
export interface GetFailedDeliveriesResponse {
  failures: ApiFailedDelivery[];
  nextCursor: string | null;
}

export interface ApiProcessingFailure {
  id: string;
  receivedAt: string;
  failedAt: string | null;
  attempts: number;
  error: string | null;
  /** Size of the raw body in bytes. */
  size: number;
}
export interface GetProcessingFailuresResponse {
  failures: ApiProcessingFailure[];
  nextCursor: string | null;
}
export interface GetProcessingFailureResponse extends ApiProcessingFailure {
  state: 'pending' | 'processed' | 'failed';
  /** The raw body as text: pretty-printed JSON when it parses, else the decoded text. */
  body: string;
  bodyIsJson: boolean;
}
export interface PostRetryResponse {
  requeued: number;
  processed: number;
  failed: number;
  pending: number;
  failures: { id: string; error: string | null }[];
}

export const REJECTION_REASONS = [
  'too_large',
  'unreadable',
  'signature_missing',
  'signature_malformed',
  'signature_mismatch',
  'no_app_secret',
  'not_json',
  'not_envelope',
] as const;
export interface GetRejectionsResponse {
  /** Counts in the last 24 h per reason, most recent first. */
  reasons: { reason: string; count: number; lastAt: string }[];
  /** A signature_* rejection within the last hour: WHATSAPP_APP_SECRET is probably wrong. */
  signatureWarning: { lastAt: string; count: number } | null;
}

export interface ApiAccountEvent {
  id: string;
  field: string;
  eventType: string | null;
  occurredAt: string | null;
  receivedAt: string;
  wabaId: string | null;
  phoneNumberId: string | null;
  summary: AccountEventSummary;
  payload: unknown;
}
export interface GetAccountEventsResponse {
  events: ApiAccountEvent[];
  nextCursor: string | null;
}

// ---- Parameters ----

const optionalTime = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    const d = new Date(s);
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time' });
      return z.NEVER;
    }
    return d;
  });

export const failedDeliveriesQuerySchema = z.object({
  limit: limitSchema,
  cursor: z.string().max(2000, 'malformed cursor').optional(),
  code: z
    .string()
    .trim()
    .optional()
    .transform((s) => s || undefined)
    .pipe(z.string().regex(/^\d{1,9}$/, 'must be a numeric error code').transform(Number).optional()),
  businessPhoneNumberId: optionalText(64),
  from: optionalTime,
  to: optionalTime,
  q: optionalText(200),
});

const pageQuerySchema = z.object({ limit: limitSchema, cursor: z.string().max(2000, 'malformed cursor').optional() });

const deliveryCursorSchema = z.tuple([cursorTimestampSchema, cursorWamidSchema]);
const idCursorSchema = z.tuple([cursorIdSchema]);
const accountCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);

const retryBodySchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(cursorIdSchema).min(1, 'must name at least one event').max(1000, 'at most 1000 at once') }).strict(),
]);

function parseEventId(raw: string): number {
  const parsed = cursorIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound('Event not found');
  return Number(parsed.data);
}

// ---- Handlers ----

/** GET /api/errors/deliveries?limit&cursor&code&businessPhoneNumberId&from&to&q */
export async function getFailedDeliveries(req: Request, deps: ErrorLogDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const query = failedDeliveriesQuerySchema.parse(queryOf(req));
  const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, deliveryCursorSchema);
  const { rows, hasMore } = await listFailedDeliveries(deps.db, {
    limit: query.limit,
    after: after && { statusAt: after[0], wamid: after[1] },
    code: query.code,
    phoneNumberId: query.businessPhoneNumberId,
    from: query.from,
    to: query.to,
    q: query.q,
  });
  const last = rows.at(-1);
  const body: GetFailedDeliveriesResponse = {
    failures: rows.map((r) => {
      const errors = toApiErrors(r.errors);
      return {
        id: r.wamid,
        conversationId: String(r.conversationId),
        failedAt: r.statusAt!.toISOString(),
        contact: r.contact,
        businessPhoneNumberId: r.phoneNumberId,
        displayPhoneNumber: r.displayPhoneNumber,
        preview: previewOfFailure(r),
        placeholder: r.placeholder,
        errors,
        explanation: explainErrorCode(errors[0]?.code ?? null),
      };
    }),
    nextCursor: hasMore && last ? encodeCursor([last.sortAt, last.wamid]) : null,
  };
  return jsonResponse(body);
}

/** The same words as the inbox list (a placeholder row's type is 'placeholder': previewOf names it). */
function previewOfFailure(r: { wamid: string; type: string; text: string | null; placeholder: boolean; statusAt: Date | null }): Preview {
  return previewOf({ id: r.wamid, type: r.type, text: r.text, direction: 'outbound', status: 'failed', timestamp: r.statusAt?.toISOString() ?? '' });
}

/** GET /api/errors/processing?limit&cursor */
export async function getProcessingFailures(req: Request, deps: ErrorLogDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const query = pageQuerySchema.parse(queryOf(req));
  const before = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, idCursorSchema);
  const { rows, hasMore } = await listProcessingFailures(deps.db, { limit: query.limit, beforeId: before && Number(before[0]) });
  const last = rows.at(-1);
  const body: GetProcessingFailuresResponse = {
    failures: rows.map((r) => ({
      id: String(r.id),
      receivedAt: r.receivedAt.toISOString(),
      failedAt: r.failedAt?.toISOString() ?? null,
      attempts: r.attempts,
      error: r.lastError,
      size: r.size,
    })),
    nextCursor: hasMore && last ? encodeCursor([String(last.id)]) : null,
  };
  return jsonResponse(body);
}

/** GET /api/errors/processing/{id}: one event with its raw body. */
export async function getProcessingFailure(req: Request, deps: ErrorLogDeps, rawId: string): Promise<Response> {
  await authorizeRequest(req, deps);
  const row = await getWebhookEvent(deps.db, parseEventId(rawId));
  if (!row) throw notFound('Event not found');
  const { text, isJson } = prettyBody(row.body);
  const body: GetProcessingFailureResponse = {
    id: String(row.id),
    state: row.state,
    receivedAt: row.receivedAt.toISOString(),
    failedAt: row.failedAt?.toISOString() ?? null,
    attempts: row.attempts,
    error: row.lastError,
    size: row.body.byteLength,
    body: text,
    bodyIsJson: isJson,
  };
  return jsonResponse(body);
}

/** The raw body for people: UTF-8 text, pretty-printed when it is JSON. PURE. */
export function prettyBody(bytes: Uint8Array): { text: string; isJson: boolean } {
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), isJson: true };
  } catch {
    return { text, isJson: false };
  }
}

/** POST /api/errors/processing/retry { ids: [...] } | { all: true }: admins only. Waits for the outcome. */
export async function postProcessingRetry(req: Request, deps: ErrorLogDeps): Promise<Response> {
  assertSameOrigin(req);
  await authorizeRequest(req, deps, 'admin');
  const parsed = retryBodySchema.safeParse(await readJsonBody(req));
  if (!parsed.success) throw badRequest('Send { "ids": ["<event id>", ...] } or { "all": true }.');
  const ids = 'ids' in parsed.data ? parsed.data.ids.map(Number) : undefined;
  const requeued = await requeueFailedEvents(deps.db, { ids, attempts: MAX_ATTEMPTS - 1 });
  if (requeued.length > 0) {
    await notifyChanges(deps.db, { conversationIds: [], wamids: [], topics: ['processing'] });
    deps.processor?.notify();
  }
  const body = await waitForOutcome(deps.db, requeued, deps.retryWaitMs ?? 10_000);
  return jsonResponse(body);
}

async function waitForOutcome(db: Db, ids: number[], waitMs: number): Promise<PostRetryResponse> {
  const deadline = Date.now() + waitMs;
  let states = await getEventStates(db, ids);
  while (states.some((s) => s.state === 'pending') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    states = await getEventStates(db, ids);
  }
  const failed = states.filter((s) => s.state === 'failed').sort((a, b) => a.id - b.id);
  return {
    requeued: ids.length,
    processed: states.filter((s) => s.state === 'processed').length,
    failed: failed.length,
    pending: states.filter((s) => s.state === 'pending').length,
    failures: failed.map((s) => ({ id: String(s.id), error: s.lastError })),
  };
}

/** GET /api/errors/rejections: rejected webhook requests per reason over the last 24 hours. */
export async function getRejections(req: Request, deps: ErrorLogDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const now = Date.now();
  const rows = await getRejectionCounts(deps.db, new Date(now - 23 * 3600_000));
  const hourAgo = now - 3600_000;
  // Counts are per UTC hour: the signature rows of the last two hours whose last occurrence is recent.
  const signature = rows.filter((r) => r.reason.startsWith('signature_') && r.lastAt.getTime() >= hourAgo);
  const body: GetRejectionsResponse = {
    reasons: rows.map((r) => ({ reason: r.reason, count: r.count, lastAt: r.lastAt.toISOString() })),
    signatureWarning:
      signature.length === 0
        ? null
        : {
            lastAt: new Date(Math.max(...signature.map((r) => r.lastAt.getTime()))).toISOString(),
            count: signature.reduce((n, r) => n + r.count, 0),
          },
  };
  return jsonResponse(body);
}

/** GET /api/errors/account-events?limit&cursor */
export async function getAccountEvents(req: Request, deps: ErrorLogDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const query = pageQuerySchema.parse(queryOf(req));
  const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, accountCursorSchema);
  const { rows, hasMore } = await listAccountEvents(deps.db, { limit: query.limit, after: after && { receivedAt: after[0], id: Number(after[1]) } });
  const last = rows.at(-1);
  const body: GetAccountEventsResponse = {
    events: rows.map((r) => ({
      id: String(r.id),
      field: r.field,
      eventType: r.eventType,
      occurredAt: r.occurredAt?.toISOString() ?? null,
      receivedAt: r.receivedAt.toISOString(),
      wabaId: r.wabaId,
      phoneNumberId: r.phoneNumberId,
      summary: summarizeAccountEvent({ field: r.field, eventType: r.eventType, payload: r.payload }),
      payload: r.payload,
    })),
    nextCursor: hasMore && last ? encodeCursor([last.sortAt, String(last.id)]) : null,
  };
  return jsonResponse(body);
}

