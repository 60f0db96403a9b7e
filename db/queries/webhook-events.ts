import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client';
import { webhookEvents } from '../schema';

type Exec = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface RawEventInput {
  body: Uint8Array;
  sha256: Uint8Array;
  receivedAt: Date;
}

/** Stores bodies in one statement. An identical body seen before is skipped; returns the new rows. */
export async function insertRawEvents(db: Db, events: RawEventInput[]): Promise<{ id: number; sha256: Uint8Array }[]> {
  return db
    .insert(webhookEvents)
    .values(events.map((e) => ({ body: e.body, bodySha256: e.sha256, receivedAt: e.receivedAt })))
    .onConflictDoNothing({ target: webhookEvents.bodySha256 })
    .returning({ id: webhookEvents.id, sha256: webhookEvents.bodySha256 });
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
  tx: Exec,
  { limit, maxBytes = Infinity, onlyId }: { limit: number; maxBytes?: number; onlyId?: number },
): Promise<ClaimedEvent[]> {
  const locked = await queryRows<{ id: string | number; size: number }>(
    tx as Db,
    sql`select id, octet_length(body) as size from webhook_events
        where state = 'pending' and next_attempt_at <= now() ${onlyId === undefined ? sql`` : sql`and id = ${onlyId}`}
        order by id limit ${limit} for update skip locked`,
  );
  const ids: number[] = [];
  let bytes = 0;
  for (const row of locked) {
    bytes += Number(row.size);
    if (ids.length > 0 && bytes > maxBytes) break;
    ids.push(Number(row.id));
  }
  if (ids.length === 0) return [];
  return tx
    .select({ id: webhookEvents.id, body: webhookEvents.body, attempts: webhookEvents.attempts, receivedAt: webhookEvents.receivedAt })
    .from(webhookEvents)
    .where(inArray(webhookEvents.id, ids))
    .orderBy(webhookEvents.id);
}

export async function markProcessed(tx: Exec, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(webhookEvents)
    .set({ state: 'processed', processedAt: sql`now()`, attempts: sql`${webhookEvents.attempts} + 1`, lastError: null })
    .where(inArray(webhookEvents.id, ids));
}

/** Records a failed attempt: due again after `retryInMs`, or failed for good once attempts run out. */
export async function recordFailedAttempt(db: Db, id: number, error: string, retryInMs: number | null): Promise<void> {
  await db
    .update(webhookEvents)
    .set({
      attempts: sql`${webhookEvents.attempts} + 1`,
      lastError: error.slice(0, 4000),
      ...(retryInMs === null
        ? { state: 'failed' as const }
        : { nextAttemptAt: sql`now() + ${`${Math.round(retryInMs)} milliseconds`}::interval` }),
    })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.state, 'pending')));
}

/** Puts failed events back in the queue (an operator's retry). Returns how many. */
export async function requeueFailedEvents(db: Db, ids?: number[]): Promise<number> {
  const rows = await db
    .update(webhookEvents)
    .set({ state: 'pending', attempts: 0, nextAttemptAt: sql`now()` })
    .where(and(eq(webhookEvents.state, 'failed'), ids ? inArray(webhookEvents.id, ids) : undefined))
    .returning({ id: webhookEvents.id });
  return rows.length;
}
