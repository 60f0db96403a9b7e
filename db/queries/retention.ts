import { and, eq, inArray, lt, sql, TransactionRollbackError } from 'drizzle-orm';
import { hasSqlState, liftStatementTimeout, queryRows, type Db, type Executor } from '../client';
import { rateLimits, retentionWatermarks, sessions, webhookEvents } from '../schema';
import { listMonthPartitions, monthStart } from './partitions';

// What retention removes (lib/retention/purger.ts decides when): whole months of raw webhook events past
// their time, the bodies of those past their time in a month that cannot go yet, the hashes that recognize
// a retry once past their time, expired sessions, stale sign-in counters; and failed events an operator
// discards.

const RAW_BODIES = 'webhook_events.body';

/**
 * Empties the bodies of processed (or discarded) events received before `cutoff`, walking the table by id
 * from where the last sweep stopped, `batchSize` rows at a time: no index is needed, and each run reads
 * only what arrived since. Failed and pending events keep their bodies (an operator may still retry them).
 * The rows and their hashes stay: a retry of the same body is still recognized as a duplicate.
 * Returns how many bodies it emptied.
 */
export async function purgeRawEventBodies(db: Executor, cutoff: Date, batchSize = 1000): Promise<number> {
  let purged = 0;
  for (;;) {
    const [mark] = await db
      .select({ lastId: retentionWatermarks.lastId })
      .from(retentionWatermarks)
      .where(eq(retentionWatermarks.name, RAW_BODIES));
    const from = mark?.lastId ?? 0;
    // The next stretch of ids, and how far into it everything is old enough (ids grow with arrival time).
    const [stretch] = await queryRows<{ upto: string | number | null; rows: string | number }>(
      db,
      sql`select max(id) filter (where received_at < ${cutoff.toISOString()}::timestamptz) as upto, count(*) as rows
          from (select id, received_at from webhook_events where id > ${from} order by id limit ${batchSize}) b`,
    );
    const upto = stretch?.upto === null || stretch?.upto === undefined ? null : Number(stretch.upto);
    if (upto === null) return purged;
    const emptied = await db
      .update(webhookEvents)
      .set({ body: new Uint8Array(0), bodyDeletedAt: sql`now()` })
      .where(
        and(
          sql`${webhookEvents.id} > ${from} and ${webhookEvents.id} <= ${upto}`,
          inArray(webhookEvents.state, ['processed', 'discarded']),
          lt(webhookEvents.receivedAt, cutoff),
          sql`${webhookEvents.bodyDeletedAt} is null`,
        ),
      )
      .returning({ id: webhookEvents.id });
    purged += emptied.length;
    await db
      .insert(retentionWatermarks)
      .values({ name: RAW_BODIES, lastId: upto })
      .onConflictDoUpdate({ target: retentionWatermarks.name, set: { lastId: upto, updatedAt: sql`now()` } });
    if (Number(stretch!.rows) < batchSize) return purged;
  }
}

export interface DroppedMonths {
  partitions: number;
  /** The events those months held. */
  events: number;
}

/**
 * How long dropping a month may wait for its lock: dropping a partition locks the whole table, and webhook
 * inserts queue behind a waiting drop. One that cannot have it soon is tried again at the next sweep.
 */
const DROP_LOCK_TIMEOUT = '1s';

/**
 * Drops the webhook_events partitions of months that ended before `cutoff` and hold nothing an operator
 * or the processor still needs (no pending or failed event): one statement instead of a row-by-row purge.
 * Months that cannot go yet, and the default partition, are left to purgeRawEventBodies.
 */
export async function dropExpiredEventMonths(db: Db, cutoff: Date): Promise<DroppedMonths> {
  const dropped: DroppedMonths = { partitions: 0, events: 0 };
  for (const { name, month } of await listMonthPartitions(db, 'webhook_events')) {
    if (monthStart(month, 1) > cutoff) break;
    const partition = sql.raw(`"${name}"`);
    try {
      const events = await db.transaction(async (tx) => {
        await liftStatementTimeout(tx);
        // Counted before taking the table's lock (nothing arrives in a month long over): it is held for moments.
        const [held] = await queryRows<{ events: string | number; needed: boolean }>(
          tx,
          sql`select count(*) as events, count(*) filter (where state in ('pending', 'failed')) > 0 as needed from ${partition}`,
        );
        if (held!.needed) return null;
        await tx.execute(sql.raw(`set local lock_timeout = '${DROP_LOCK_TIMEOUT}'`));
        await tx.execute(sql`alter table webhook_events detach partition ${partition}`);
        // Detached, nothing can change it now: still nothing pending or failed (an operator's retry meanwhile)?
        const [still] = await queryRows<{ needed: boolean }>(
          tx,
          sql`select exists (select 1 from ${partition} where state in ('pending', 'failed')) as needed`,
        );
        if (still!.needed) tx.rollback();
        await tx.execute(sql`drop table ${partition}`);
        return Number(held!.events);
      });
      if (events === null) continue;
      dropped.partitions++;
      dropped.events += events;
    } catch (err) {
      // Rolled back above (attached again), lock_not_available (busy right now: the next sweep tries again),
      // or undefined_table (another instance dropped it first).
      if (err instanceof TransactionRollbackError || hasSqlState(err, ['55P03', '42P01'])) continue;
      throw err;
    }
  }
  return dropped;
}

/**
 * Deletes the hashes of bodies received before `cutoff`, `batchSize` at a time: a retry of such a body is
 * no longer recognized (Meta retries for 7 days; RAW_EVENT_RETENTION_DAYS is never less). Returns how many.
 */
export async function purgeEventHashes(db: Executor, cutoff: Date, batchSize = 10_000): Promise<number> {
  let purged = 0;
  for (;;) {
    const rows = await queryRows<{ sha256: Uint8Array }>(
      db,
      sql`delete from webhook_event_hashes where sha256 in (
            select sha256 from webhook_event_hashes where received_at < ${cutoff.toISOString()}::timestamptz limit ${batchSize})
          returning sha256`,
    );
    purged += rows.length;
    if (rows.length < batchSize) return purged;
  }
}

/** Sessions past their expiry (better-auth refuses them already): gone for good. */
export async function purgeExpiredSessions(db: Executor): Promise<number> {
  const rows = await db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`)).returning({ id: sessions.id });
  return rows.length;
}

/** Sign-in counters whose window ended before `before` (ms since the epoch): they count nothing any more. */
export async function purgeStaleSignInCounters(db: Executor, before: number): Promise<number> {
  const rows = await db.delete(rateLimits).where(lt(rateLimits.lastRequest, before)).returning({ id: rateLimits.id });
  return rows.length;
}

/**
 * An operator gives up on failed events (all, or those of `ids`): they leave the error log, and their
 * bodies go with the next retention sweep once old enough. Returns the ids discarded.
 */
export async function discardFailedEvents(db: Executor, ids?: number[]): Promise<number[]> {
  const rows = await db
    .update(webhookEvents)
    .set({ state: 'discarded' })
    .where(and(eq(webhookEvents.state, 'failed'), ids ? inArray(webhookEvents.id, ids) : undefined))
    .returning({ id: webhookEvents.id });
  return rows.map((r) => r.id);
}
