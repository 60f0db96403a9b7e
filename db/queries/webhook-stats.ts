import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../client';

// Writes to webhook_stats_hourly (db/schema.ts): how many webhook deliveries were received, processed,
// given up on and rejected, per UTC hour. Each writer adds to a random one of SHARDS rows, so concurrent
// ingests and processors never wait on one hot row's lock; readers sum the shards.

export type WebhookStatKind = 'received' | 'processed' | 'failed' | 'rejected';

const SHARDS = 8;
const shard = () => Math.floor(Math.random() * SHARDS);

/**
 * A CTE tail that counts the rows of `source` (a preceding CTE with a timestamp column `at`) as `kind`.
 * Used inside the statement that inserts or updates those rows, so the count commits with them.
 */
export function countInto(kind: WebhookStatKind, source: string): SQL {
  return sql`
    insert into webhook_stats_hourly (hour, kind, reason, shard, count, last_at)
    select date_trunc('hour', at, 'UTC'), ${kind}, '', ${shard()}, count(*), max(at) from ${sql.raw(source)} group by 1
    on conflict (hour, kind, reason, shard) do update
      set count = webhook_stats_hourly.count + excluded.count, last_at = greatest(webhook_stats_hourly.last_at, excluded.last_at)`;
}

export interface StatIncrement {
  kind: WebhookStatKind;
  reason: string;
  count: number;
  /** The latest occurrence among them. */
  at: Date;
}

/** Adds counts (e.g. rejected requests gathered over the last second) in one statement. */
export async function addWebhookStats(db: Executor, increments: StatIncrement[]): Promise<void> {
  if (increments.length === 0) return;
  const rows = increments.map((i) => ({ kind: i.kind, reason: i.reason, count: i.count, at: i.at.toISOString() }));
  await db.execute(sql`
    insert into webhook_stats_hourly (hour, kind, reason, shard, count, last_at)
    select date_trunc('hour', at, 'UTC'), kind, reason, ${shard()}, sum(count), max(at)
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(kind text, reason text, count bigint, at timestamptz)
    group by 1, 2, 3
    on conflict (hour, kind, reason, shard) do update
      set count = webhook_stats_hourly.count + excluded.count, last_at = greatest(webhook_stats_hourly.last_at, excluded.last_at)`);
}
