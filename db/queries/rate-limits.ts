import { randomUUID } from 'node:crypto';
import { and, eq, gt, inArray, like, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { rateLimits } from '../schema';

// Counters in rate_limits, shared by every instance on the database. Each check-and-count is one
// statement: concurrent attempts on one key queue on its row, so they cannot all read the same count
// and all pass.

export interface Counter {
  count: number;
  /** Milliseconds since the epoch; what it marks is up to the caller (a window's start, the last attempt). */
  lastRequest: number;
}

const returningCounter = { count: rateLimits.count, lastRequest: rateLimits.lastRequest };

/** Counts one more under `key` in a window that opens with its first count and lasts `windowMs`; returns the count including this one. */
export async function countInWindow(db: Executor, key: string, now: number, windowMs: number): Promise<Counter> {
  const inWindow = sql`${rateLimits.lastRequest} > ${now - windowMs}`;
  const [row] = await db
    .insert(rateLimits)
    .values({ id: randomUUID(), key, count: 1, lastRequest: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${inWindow} then ${rateLimits.count} + 1 else 1 end`,
        lastRequest: sql`case when ${inWindow} then ${rateLimits.lastRequest} else ${now} end`,
      },
    })
    .returning(returningCounter);
  if (!row) throw new Error('rate limit upsert returned nothing');
  return row;
}

/** A delay that starts after `free` counts and doubles with each further one, up to `maxMs`; forgotten after `forgetMs` of quiet. */
export interface Backoff {
  free: number;
  firstMs: number;
  maxMs: number;
  forgetMs: number;
}

/**
 * Counts one more under `key` (lastRequest = now) unless the key is waiting out its backoff: after
 * `free` counts, `firstMs * 2^(count - free)` (at most `maxMs`) from the last one. Null when refused
 * (nothing written). A key quiet for `forgetMs` starts again at 1.
 */
export async function countUnlessWaiting(db: Executor, key: string, now: number, backoff: Backoff): Promise<Counter | null> {
  const forgotten = sql`${rateLimits.lastRequest} <= ${now - backoff.forgetMs}`;
  // The exponent is capped so that power() cannot overflow, however long an attack goes on.
  const delay = sql`least(${backoff.firstMs} * power(2, least(${rateLimits.count} - ${backoff.free}, 30)), ${backoff.maxMs})`;
  const [row] = await db
    .insert(rateLimits)
    .values({ id: randomUUID(), key, count: 1, lastRequest: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: { count: sql`case when ${forgotten} then 1 else ${rateLimits.count} + 1 end`, lastRequest: now },
      setWhere: sql`${forgotten} or ${rateLimits.count} < ${backoff.free} or ${rateLimits.lastRequest} + ${delay} <= ${now}`,
    })
    .returning(returningCounter);
  return row ?? null;
}

/** What countUnlessWaiting waits after `count` counts (0: nothing). */
export function backoffDelay(count: number, backoff: Backoff): number {
  if (count < backoff.free) return 0;
  return Math.min(backoff.firstMs * 2 ** Math.min(count - backoff.free, 30), backoff.maxMs);
}

export async function readCounter(db: Executor, key: string): Promise<Counter | null> {
  const [row] = await db.select(returningCounter).from(rateLimits).where(eq(rateLimits.key, key));
  return row ?? null;
}

/** Sets `key` to one count at `now` (a mark: "this happened, last at now"). */
export async function markNow(db: Executor, key: string, now: number): Promise<void> {
  await db
    .insert(rateLimits)
    .values({ id: randomUUID(), key, count: 1, lastRequest: now })
    .onConflictDoUpdate({ target: rateLimits.key, set: { count: 1, lastRequest: now } });
}

/** Whether `key` was counted or marked after `since`. */
export async function countedSince(db: Executor, key: string, since: number): Promise<boolean> {
  const [row] = await db
    .select({ key: rateLimits.key })
    .from(rateLimits)
    .where(and(eq(rateLimits.key, key), gt(rateLimits.lastRequest, since)));
  return row !== undefined;
}

export async function deleteCounters(db: Executor, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.delete(rateLimits).where(inArray(rateLimits.key, keys));
}

/** Deletes the counters under each prefix last touched before its cutoff. */
export async function deleteStaleCounters(db: Executor, stale: { prefix: string; before: number }[]): Promise<void> {
  const conditions = stale.map(({ prefix, before }) => and(like(rateLimits.key, `${prefix}%`), lt(rateLimits.lastRequest, before)));
  if (conditions.length > 0) await db.delete(rateLimits).where(or(...conditions));
}
