import { z } from 'zod';
import type { Db } from '@/db/client';
import {
  getEventStates,
  getRejectionCounts,
  getWebhookEvent,
  listAccountEvents,
  listFailedDeliveries,
  type FailedDeliveryRow,
  listProcessingFailures,
} from '@/db/queries/error-log';
import { discardFailedEvents } from '@/db/queries/retention';
import { requeueFailedEvents } from '@/db/queries/webhook-events';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import {
  errorLogPageQuerySchema,
  failedDeliveriesQuerySchema,
  getAccountEventsResponseSchema,
  getFailedDeliveriesResponseSchema,
  getProcessingFailureResponseSchema,
  getProcessingFailuresResponseSchema,
  getRejectionsResponseSchema,
  postDiscardResponseSchema,
  postRetryResponseSchema,
  processingEventParamsSchema,
  retryBodySchema,
  type GetAccountEventsResponse,
  type GetFailedDeliveriesResponse,
  type GetProcessingFailureResponse,
  type GetProcessingFailuresResponse,
  type GetRejectionsResponse,
  type PostDiscardResponse,
  type PostRetryResponse,
} from '@/lib/contracts/error-log';
import { cursorIdSchema, cursorTimestampSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { toApiErrors } from '@/lib/inbox/read-api';
import { previewOf, type Preview } from '@/lib/inbox/message-view';
import { publicMessageId } from '@/lib/inbox/message-id';
import { notifyChanges } from '@/lib/realtime/changes';
import { explainErrorCode } from '@/lib/whatsapp/error-codes';
import { MAX_ATTEMPTS } from '@/lib/whatsapp/processor';
import { summarizeAccountEvent } from './account-event-summary';

// The error log's API (app/api/errors/**): failed deliveries, processing failures (and their retry),
// rejected webhook requests, account events. Agents and API keys read; only admins retry. What each
// route takes and answers: lib/contracts/error-log.ts.

export type {
  ApiAccountEvent,
  ApiFailedDelivery,
  ApiProcessingFailure,
  GetAccountEventsResponse,
  GetFailedDeliveriesResponse,
  GetProcessingFailureResponse,
  GetProcessingFailuresResponse,
  GetRejectionsResponse,
  PostRetryResponse,
} from '@/lib/contracts/error-log';
export { REJECTION_REASONS, failedDeliveriesQuerySchema } from '@/lib/contracts/error-log';

export interface ErrorLogDeps extends AccessDeps {
  /** Told that events were requeued (the app's processor). */
  processor?: { notify(): void };
  /** How long a retry waits for its events' outcome (ms). */
  retryWaitMs?: number;
}

const errorLogDeps = (app: App): ErrorLogDeps => ({ ...app.access, processor: app.processor });

const deliveryCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);
const idCursorSchema = z.tuple([cursorIdSchema]);
const accountCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);

function parseEventId(raw: string): number {
  const parsed = cursorIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound('Event not found');
  return Number(parsed.data);
}

// ---- Routes ----

export const getFailedDeliveries = defineRoute(
  {
    method: 'GET',
    path: '/api/errors/deliveries',
    access: 'inbox',
    summary: 'Messages Meta could not deliver, most recent first, with what their error codes mean.',
    deps: errorLogDeps,
    query: failedDeliveriesQuerySchema,
    response: getFailedDeliveriesResponseSchema,
  },
  async ({ deps, query }): Promise<GetFailedDeliveriesResponse> => {
    const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, deliveryCursorSchema);
    const { rows, hasMore } = await listFailedDeliveries(deps.db, {
      limit: query.limit,
      after: after && { statusAt: after[0], id: Number(after[1]) },
      code: query.code,
      phoneNumberId: query.businessPhoneNumberId,
      from: query.from,
      to: query.to,
      q: query.q,
    });
    const last = rows.at(-1);
    return {
      failures: rows.map((r) => {
        const errors = toApiErrors(r.errors);
        return {
          id: publicMessageId(r),
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
      nextCursor: hasMore && last ? encodeCursor([last.sortAt, String(last.id)]) : null,
    };
  },
);

/** The same words as the inbox list (a placeholder row's type is 'placeholder': previewOf names it). */
function previewOfFailure(r: FailedDeliveryRow): Preview {
  return previewOf({
    id: publicMessageId(r),
    type: r.type,
    text: r.text,
    direction: 'outbound',
    status: 'failed',
    timestamp: r.statusAt?.toISOString() ?? '',
  });
}

export const getProcessingFailures = defineRoute(
  {
    method: 'GET',
    path: '/api/errors/processing',
    access: 'inbox',
    summary: 'Webhook events that failed processing, newest first.',
    deps: errorLogDeps,
    query: errorLogPageQuerySchema,
    response: getProcessingFailuresResponseSchema,
  },
  async ({ deps, query }): Promise<GetProcessingFailuresResponse> => {
    const before = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, idCursorSchema);
    const { rows, hasMore } = await listProcessingFailures(deps.db, { limit: query.limit, beforeId: before && Number(before[0]) });
    const last = rows.at(-1);
    return {
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
  },
);

export const getProcessingFailure = defineRoute(
  {
    method: 'GET',
    path: '/api/errors/processing/{id}',
    access: 'inbox',
    summary: 'One webhook event with its raw body.',
    deps: errorLogDeps,
    params: processingEventParamsSchema,
    response: getProcessingFailureResponseSchema,
  },
  async ({ deps, params }): Promise<GetProcessingFailureResponse> => {
    const row = await getWebhookEvent(deps.db, parseEventId(params.id));
    if (!row) throw notFound('Event not found');
    const { text, isJson } = prettyBody(row.body);
    return {
      id: String(row.id),
      state: row.state,
      receivedAt: row.receivedAt.toISOString(),
      failedAt: row.failedAt?.toISOString() ?? null,
      attempts: row.attempts,
      error: row.lastError,
      size: row.body.byteLength,
      body: text,
      bodyIsJson: isJson,
      bodyDeletedAt: row.bodyDeletedAt?.toISOString() ?? null,
    };
  },
);

/** The raw body for people: UTF-8 text, pretty-printed when it is JSON. PURE. */
export function prettyBody(bytes: Uint8Array): { text: string; isJson: boolean } {
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), isJson: true };
  } catch {
    return { text, isJson: false };
  }
}

/** Admins only; waits for the outcome. */
export const postProcessingRetry = defineRoute(
  {
    method: 'POST',
    path: '/api/errors/processing/retry',
    access: 'admin',
    summary: 'Processes failed webhook events again ({ "ids": [...] } or { "all": true }) and waits for the outcome.',
    deps: errorLogDeps,
    body: retryBodySchema,
    invalidBody: 'Send { "ids": ["<event id>", ...] } or { "all": true }.',
    response: postRetryResponseSchema,
  },
  async ({ deps, body }): Promise<PostRetryResponse> => {
    const ids = 'ids' in body ? body.ids.map(Number) : undefined;
    const requeued = await requeueFailedEvents(deps.db, { ids, attempts: MAX_ATTEMPTS - 1 });
    if (requeued.length > 0) {
      await notifyChanges(deps.db, { conversationIds: [], messageIds: [], topics: ['processing'] });
      deps.processor?.notify();
    }
    return waitForOutcome(deps.db, requeued, deps.retryWaitMs ?? 10_000);
  },
);

/** Admins only: failed events an operator gives up on leave the error log (retention deletes their bodies in time). */
export const postProcessingDiscard = defineRoute(
  {
    method: 'POST',
    path: '/api/errors/processing/discard',
    access: 'admin',
    summary: 'Discards failed webhook events ({ "ids": [...] } or { "all": true }): they leave the error log and are never processed.',
    deps: errorLogDeps,
    body: retryBodySchema,
    invalidBody: 'Send { "ids": ["<event id>", ...] } or { "all": true }.',
    response: postDiscardResponseSchema,
  },
  async ({ deps, body }): Promise<PostDiscardResponse> => {
    const ids = 'ids' in body ? body.ids.map(Number) : undefined;
    const discarded = await deps.db.transaction(async (tx) => {
      const done = await discardFailedEvents(tx, ids);
      if (done.length > 0) await notifyChanges(tx, { conversationIds: [], messageIds: [], topics: ['processing'] });
      return done;
    });
    return { discarded: discarded.length };
  },
);

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

export const getRejections = defineRoute(
  {
    method: 'GET',
    path: '/api/errors/rejections',
    access: 'inbox',
    summary: 'Rejected webhook requests per reason over the last 24 hours.',
    deps: errorLogDeps,
    response: getRejectionsResponseSchema,
  },
  async ({ deps }): Promise<GetRejectionsResponse> => {
    const now = Date.now();
    const rows = await getRejectionCounts(deps.db, new Date(now - 23 * 3600_000));
    const hourAgo = now - 3600_000;
    // Counts are per UTC hour: the signature rows of the last two hours whose last occurrence is recent.
    const signature = rows.filter((r) => r.reason.startsWith('signature_') && r.lastAt.getTime() >= hourAgo);
    return {
      reasons: rows.map((r) => ({ reason: r.reason, count: r.count, lastAt: r.lastAt.toISOString() })),
      signatureWarning:
        signature.length === 0
          ? null
          : {
              lastAt: new Date(Math.max(...signature.map((r) => r.lastAt.getTime()))).toISOString(),
              count: signature.reduce((n, r) => n + r.count, 0),
            },
    };
  },
);

export const getAccountEvents = defineRoute(
  {
    method: 'GET',
    path: '/api/errors/account-events',
    access: 'inbox',
    summary: 'Account events from Meta (template status, number quality, ...), newest first, in words.',
    deps: errorLogDeps,
    query: errorLogPageQuerySchema,
    response: getAccountEventsResponseSchema,
  },
  async ({ deps, query }): Promise<GetAccountEventsResponse> => {
    const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, accountCursorSchema);
    const { rows, hasMore } = await listAccountEvents(deps.db, {
      limit: query.limit,
      after: after && { receivedAt: after[0], id: Number(after[1]) },
    });
    const last = rows.at(-1);
    return {
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
  },
);
