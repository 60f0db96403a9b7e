import { sql } from 'drizzle-orm';
import type { Executor } from '../client';

/**
 * NOTIFY on `channel` (PostgreSQL and PGlite alike). Inside a transaction it is delivered when that
 * commits, and not at all if it rolls back; payloads must stay under 8000 bytes.
 */
export async function notify(db: Executor, channel: string, payload: string): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
