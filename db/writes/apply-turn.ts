import { sql } from 'drizzle-orm';
import type { Executor } from '../client';

/** Fixed, arbitrary: every processor (batches in flight on this instance and on others) takes this lock. */
const APPLY_LOCK = 7_413_020_614;

/**
 * Waits until no other batch is applying, and holds the turn until this transaction ends. Batches insert
 * their messages side by side; what depends on other batches (statuses to messages, edits to originals,
 * conversation counts, the hourly totals) is applied one batch at a time, each seeing the last one's
 * commit. A wait here is a lock PostgreSQL sees, so a cycle with a row lock is found and broken as a deadlock.
 */
export async function takeApplyTurn(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${APPLY_LOCK})`);
}
