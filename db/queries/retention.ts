import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { rateLimits, retentionWatermarks, sessions, webhookEvents } from '../schema';

// What retention removes (lib/retention/purger.ts decides when): raw webhook bodies past their time,
// expired sessions, stale sign-in counters; and failed events an operator discards.

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
