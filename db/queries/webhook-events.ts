import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { keyArray, queryRows, type Executor } from '../client';
import { webhookEvents } from '../schema';
import { countInto } from './webhook-stats';

export interface RawEventInput {
  body: Uint8Array;
  sha256: Uint8Array;
  receivedAt: Date;
}

/** The bytes of `u` as a Buffer, without a copy. */
const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Stores bodies in one statement. A body whose hash is known (received within RAW_EVENT_RETENTION_DAYS,
 * in any month) is skipped; so is the second of two posts of one body at once, which waits on the first's
 * hash. Returns the new rows.
 */
export async function insertRawEvents(db: Executor, events: RawEventInput[]): Promise<{ id: number; sha256: Uint8Array }[]> {
  if (events.length === 0) return [];
  // One parameter whatever the batch's size: one statement text, prepared once per connection.
  const batch = JSON.stringify(
    events.map((e, n) => ({
      n,
      body: bytes(e.body).toString('base64'),
      sha256: bytes(e.sha256).toString('hex'),
      at: e.receivedAt.toISOString(),
    })),
  );
  // One statement: hashes, events and the "received" count commit together (the acknowledgement waits on it).
  const rows = await queryRows<{ id: string | number; sha256: Uint8Array }>(
    db,
    sql`with batch (n, body, sha256, received_at) as (
          select n, decode(body, 'base64'), decode(sha256, 'hex'), at
          from json_to_recordset(${batch}::json) as x(n int, body text, sha256 text, at timestamptz)
        ),
        fresh as (
          insert into webhook_event_hashes (sha256, received_at) select sha256, received_at from batch
          on conflict do nothing
          returning sha256
        ), inserted as (
          insert into webhook_events (body, body_sha256, received_at)
          select body, sha256, received_at from batch b
          where sha256 in (select sha256 from fresh) and not exists (select 1 from batch e where e.sha256 = b.sha256 and e.n < b.n)
          order by n
          returning id, body_sha256, received_at as at
        ), counted as (${countInto('received', 'inserted')})
        select id, body_sha256 as sha256 from inserted`,
  );
  return rows.map((r) => ({ id: Number(r.id), sha256: r.sha256 }));
}

export interface ClaimedEvent {
  id: number;
  body: Uint8Array;
  attempts: number;
  receivedAt: Date;
}

/**
 * Locks due events, skipping those another instance holds, up to `limit` events or `maxBytes` of bodies
 * (always at least one), oldest first. The locks last until the caller's transaction ends: a crash rolls
 * back and the events are due again for everyone.
 */
export async function claimDueEvents(
  tx: Executor,
  { limit, maxBytes = Number.MAX_SAFE_INTEGER, onlyId }: { limit: number; maxBytes?: number; onlyId?: number },
): Promise<ClaimedEvent[]> {
  // One round trip: lock, size up, and read the bodies that fit. Rows past the byte limit stay locked
  // (and untouched) until the transaction ends, and are claimed by the next batch.
  const rows = await queryRows<{ id: string | number; body: Uint8Array; attempts: number; received_at: string | Date }>(
    tx,
    sql`select id, body, attempts, received_at from (
          select id, body, attempts, received_at,
            sum(octet_length(body)) over (order by id) as upto, row_number() over (order by id) as n
          from (select id, body, attempts, received_at from webhook_events
                where state = 'pending' and next_attempt_at <= now() ${onlyId === undefined ? sql`` : sql`and id = ${onlyId}`}
                -- The pending index's order: by id alone would walk every processed row before the first pending one.
                order by next_attempt_at, id limit ${limit} for update skip locked) due
        ) sized
        where n = 1 or upto <= ${maxBytes}
        order by id`,
  );
  return rows.map((r) => ({ id: Number(r.id), body: r.body, attempts: r.attempts, receivedAt: new Date(r.received_at) }));
}

export async function markProcessed(tx: Executor, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(markProcessedStatement(ids));
}

/** The statement of markProcessed (its plan is tested: tests/integration/processor-plans.test.ts). */
export function markProcessedStatement(ids: number[]): SQL {
  return sql`
    with done as (
      update webhook_events set state = 'processed', processed_at = now(), attempts = attempts + 1, last_error = null
      -- Not \`in (select …)\`: that was planned as a scan of the month's events (see keyArray).
      where id = any(${keyArray(ids, 'bigint')})
      returning processed_at as at
    ) ${countInto('processed', 'done')}`;
}

/** Records a failed attempt: due again after `retryInMs`, or failed for good once attempts run out. */
export async function recordFailedAttempt(db: Executor, id: number, error: string, retryInMs: number | null): Promise<void> {
  const lastError = error.slice(0, 4000);
  if (retryInMs !== null) {
    await db
      .update(webhookEvents)
      .set({
        attempts: sql`${webhookEvents.attempts} + 1`,
        lastError,
        nextAttemptAt: sql`now() + ${`${Math.round(retryInMs)} milliseconds`}::interval`,
      })
      .where(and(eq(webhookEvents.id, id), eq(webhookEvents.state, 'pending')));
    return;
  }
  await db.execute(sql`
    with given_up as (
      update webhook_events set attempts = attempts + 1, last_error = ${lastError}, state = 'failed', failed_at = now()
      where id = ${id} and state = 'pending'
      returning failed_at as at
    ) ${countInto('failed', 'given_up')}`);
}

/**
 * Puts failed events back in the queue (an operator's retry), with `attempts` already counted so that
 * one more failure is final: the operator sees the outcome of this retry, not of a backoff schedule.
 * Returns the ids requeued.
 */
export async function requeueFailedEvents(db: Executor, { ids, attempts }: { ids?: number[]; attempts: number }): Promise<number[]> {
  const rows = await db
    .update(webhookEvents)
    .set({ state: 'pending', attempts, nextAttemptAt: sql`now()`, failedAt: null })
    .where(and(eq(webhookEvents.state, 'failed'), ids ? inArray(webhookEvents.id, ids) : undefined))
    .returning({ id: webhookEvents.id });
  return rows.map((r) => r.id);
}

export interface ProcessingBacklog {
  /** Events committed and not yet normalized (including those waiting for a retry). */
  pending: number;
  /** How long the longest-waiting due event has waited since it became due: how far behind processing is. */
  lagSeconds: number;
  /** Events given up on, waiting for an operator. */
  failed: number;
}

/** Served by the partial indexes on pending and failed events: cheap however many events are stored. */
export async function getProcessingBacklog(db: Executor): Promise<ProcessingBacklog> {
  const [row] = await queryRows<{ pending: string | number; lag: string | number | null; failed: string | number }>(
    db,
    sql`select
          (select count(*) from webhook_events where state = 'pending') as pending,
          (select extract(epoch from now() - min(greatest(received_at, next_attempt_at)))
             from webhook_events where state = 'pending' and next_attempt_at <= now()) as lag,
          (select count(*) from webhook_events where state = 'failed') as failed`,
  );
  return { pending: Number(row!.pending), lagSeconds: Math.max(0, Number(row!.lag ?? 0)), failed: Number(row!.failed) };
}
