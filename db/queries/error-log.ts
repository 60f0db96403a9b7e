import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { accountEvents, businessNumbers, contacts, conversations, messages, webhookEvents } from '../schema';
import { cursorTimestamp } from '../client';
import { contactMatches } from './conversations';

// The error log (/errors): failed deliveries, webhook events given up on, rejected webhook requests and
// account / template events. Every list is newest first with keyset pagination along its own index:
// messages_failed_idx / messages_failed_code_idx, webhook_events_failed_idx, account_events_received_idx.

// ---- Failed deliveries ----

export interface FailedDeliveryKey {
  /** cursorTimestamp of failed_at (status_at of a failed message). */
  statusAt: string;
  id: number;
}

export interface FailedDeliveryOptions {
  limit: number;
  after?: FailedDeliveryKey;
  /** The first error's code. */
  code?: number;
  phoneNumberId?: string;
  /** failed_at >= from. */
  from?: Date;
  /** failed_at < to. */
  to?: Date;
  /** Case-insensitive substring of the recipient's name, wa_id or user_id. */
  q?: string;
}

/** The first error's code, spelled exactly as messages_failed_code_idx's expression. */
const firstErrorCode = sql`(${messages.errors} -> 0 ->> 'code')`;

/** The query for one page of failed deliveries (exported for EXPLAIN checks). */
export function failedDeliveriesQuery(db: Executor, options: FailedDeliveryOptions, limit = options.limit) {
  return (
    db
      .select({
        id: messages.id,
        wamid: messages.wamid,
        clientId: messages.clientId,
        conversationId: messages.conversationId,
        type: messages.type,
        text: messages.text,
        placeholder: messages.placeholder,
        statusAt: messages.statusAt,
        errors: messages.errors,
        phoneNumberId: conversations.phoneNumberId,
        displayPhoneNumber: businessNumbers.displayPhoneNumber,
        contact: { waId: contacts.waId, userId: contacts.userId, name: contacts.name },
        sortAt: cursorTimestamp(messages.failedAt),
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoin(businessNumbers, eq(businessNumbers.phoneNumberId, conversations.phoneNumberId))
      .where(
        and(
          // status_at while the status is failed (a failed status always comes with its time): the indexes' key.
          sql`${messages.failedAt} is not null`,
          options.code === undefined ? undefined : sql`${firstErrorCode} = ${String(options.code)}`,
          options.phoneNumberId === undefined ? undefined : eq(conversations.phoneNumberId, options.phoneNumberId),
          options.from === undefined ? undefined : sql`${messages.failedAt} >= ${options.from.toISOString()}::timestamptz`,
          options.to === undefined ? undefined : sql`${messages.failedAt} < ${options.to.toISOString()}::timestamptz`,
          options.after === undefined
            ? undefined
            : sql`(${messages.failedAt}, ${messages.id}) < (${options.after.statusAt}::timestamptz, ${options.after.id})`,
          options.q === undefined ? undefined : contactMatches(options.q),
        ),
      )
      // Spelled like the indexes (failed_at desc, id desc; drizzle-kit writes desc nulls last).
      .orderBy(sql`${messages.failedAt} desc nulls last`, sql`${messages.id} desc nulls last`)
      .limit(limit)
  );
}

export type FailedDeliveryRow = Awaited<ReturnType<typeof failedDeliveriesQuery>>[number];

export async function listFailedDeliveries(
  db: Executor,
  options: FailedDeliveryOptions,
): Promise<{ rows: FailedDeliveryRow[]; hasMore: boolean }> {
  const rows = await failedDeliveriesQuery(db, options, options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

// ---- Processing failures (webhook events given up on) ----

export interface ProcessingFailureOptions {
  limit: number;
  /** Only events with a smaller id. */
  beforeId?: number;
}

export async function listProcessingFailures(db: Executor, options: ProcessingFailureOptions) {
  const rows = await db
    .select({
      id: webhookEvents.id,
      receivedAt: webhookEvents.receivedAt,
      failedAt: webhookEvents.failedAt,
      attempts: webhookEvents.attempts,
      lastError: webhookEvents.lastError,
      size: sql<number>`octet_length(${webhookEvents.body})`.mapWith(Number),
    })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.state, 'failed'), options.beforeId === undefined ? undefined : lt(webhookEvents.id, options.beforeId)))
    .orderBy(desc(webhookEvents.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export type ProcessingFailureRow = Awaited<ReturnType<typeof listProcessingFailures>>['rows'][number];

/** One event with its raw body (any state: a retried event may have been processed meanwhile). */
export async function getWebhookEvent(db: Executor, id: number) {
  const [row] = await db
    .select({
      id: webhookEvents.id,
      state: webhookEvents.state,
      body: webhookEvents.body,
      receivedAt: webhookEvents.receivedAt,
      failedAt: webhookEvents.failedAt,
      attempts: webhookEvents.attempts,
      lastError: webhookEvents.lastError,
      bodyDeletedAt: webhookEvents.bodyDeletedAt,
    })
    .from(webhookEvents)
    .where(eq(webhookEvents.id, id));
  return row ?? null;
}

export async function getEventStates(db: Executor, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: webhookEvents.id, state: webhookEvents.state, lastError: webhookEvents.lastError })
    .from(webhookEvents)
    .where(inArray(webhookEvents.id, ids));
}

// ---- Rejected webhook requests ----

export interface RejectionCount {
  reason: string;
  count: number;
  lastAt: Date;
}

/** Rejections per reason (summed over shards) in the UTC hours since `since` (its hour included). */
export async function getRejectionCounts(db: Executor, since: Date): Promise<RejectionCount[]> {
  const rows = await queryRows<{ reason: string; count: string | number; last_at: Date | string }>(
    db,
    sql`select reason, sum(count) as count, max(last_at) as last_at
        from webhook_stats_hourly
        where kind = 'rejected' and hour >= date_trunc('hour', ${since.toISOString()}::timestamptz, 'UTC')
        group by reason
        order by max(last_at) desc, reason`,
  );
  return rows.map((r) => ({ reason: r.reason, count: Number(r.count), lastAt: new Date(r.last_at) }));
}

// ---- Account and template events ----

export interface AccountEventKey {
  /** cursorTimestamp of received_at. */
  receivedAt: string;
  id: number;
}

export async function listAccountEvents(db: Executor, options: { limit: number; after?: AccountEventKey }) {
  const rows = await db
    .select({
      id: accountEvents.id,
      wabaId: accountEvents.wabaId,
      phoneNumberId: accountEvents.phoneNumberId,
      field: accountEvents.field,
      eventType: accountEvents.eventType,
      occurredAt: accountEvents.occurredAt,
      receivedAt: accountEvents.receivedAt,
      payload: accountEvents.payload,
      sortAt: cursorTimestamp(accountEvents.receivedAt),
    })
    .from(accountEvents)
    .where(
      options.after === undefined
        ? undefined
        : sql`(${accountEvents.receivedAt}, ${accountEvents.id}) < (${options.after.receivedAt}::timestamptz, ${options.after.id})`,
    )
    .orderBy(sql`${accountEvents.receivedAt} desc nulls last`, sql`${accountEvents.id} desc nulls last`)
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export type AccountEventListRow = Awaited<ReturnType<typeof listAccountEvents>>['rows'][number];
