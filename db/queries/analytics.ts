import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';

// The analytics page's aggregates. Each reads a rollup (db/schema.ts: delivery_stats_hourly,
// message_stats_hourly, webhook_stats_hourly: a range scan on their primary key, which starts with
// `hour`) or delivery_timings (its sent_at index), and returns a few hundred already-summed rows at
// most: nothing is counted in JavaScript.
//
// Buckets come back as text keys: the ISO start of a UTC hour, or the date in `tz` of the hour's start
// (lib/analytics/range.ts makes the same keys to fill in empty buckets).

export interface AnalyticsWindow {
  from: Date;
  to: Date;
  bucket: 'hour' | 'day';
  /** IANA time zone name for daily buckets (validated by the caller). */
  tz: string;
  /** One business number, or null for all. */
  phoneNumberId: string | null;
}

/** The bucket key of a rollup's `hour` column. */
function bucketKey(w: AnalyticsWindow, column = sql.raw('hour')): SQL {
  return w.bucket === 'hour'
    ? sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24":00:00.000Z"')`
    : sql`to_char(timezone(${w.tz}::text, ${column}), 'YYYY-MM-DD')`;
}

const inWindow = (w: AnalyticsWindow, column = sql.raw('hour')) =>
  sql`${column} >= ${w.from.toISOString()}::timestamptz and ${column} < ${w.to.toISOString()}::timestamptz`;

const ofNumber = (w: AnalyticsWindow) => (w.phoneNumberId === null ? sql`` : sql`and phone_number_id = ${w.phoneNumberId}`);

const num = (v: string | number | null | undefined) => (v === null || v === undefined ? 0 : Number(v));

export interface DeliveryCountRow {
  bucket: string;
  status: string;
  errorCode: number;
  count: number;
}

/** Status events per bucket, status and error code (0: none): sent, delivered, read and failed. */
export async function deliveryCounts(db: Executor, w: AnalyticsWindow): Promise<DeliveryCountRow[]> {
  const rows = await queryRows<{ bucket: string; status: string; error_code: number | string; count: string | number }>(
    db,
    sql`select ${bucketKey(w)} as bucket, status, error_code, sum(count) as count
        from delivery_stats_hourly
        where ${inWindow(w)} ${ofNumber(w)} and status in ('sent', 'delivered', 'read', 'failed')
        group by 1, 2, 3`,
  );
  return rows.map((r) => ({ bucket: r.bucket, status: r.status, errorCode: num(r.error_code), count: num(r.count) }));
}

export interface DeliveryTimingSummary {
  /** Outbound messages first sent in the window… */
  sent: number;
  /** …of which were delivered, read, failed (at any time since). */
  delivered: number;
  read: number;
  failed: number;
  /** Median seconds from sent to delivered / to read (null: none yet). */
  medianDeliveredSeconds: number | null;
  medianReadSeconds: number | null;
}

/**
 * The funnel of messages sent in the window, and their median times to delivered and to read.
 * Index-only scans of delivery_timings' covering indexes; the medians sort the whole seconds stored with
 * each row (delivered_after_s, read_after_s). Two statements, so that on PostgreSQL the two sorts run side
 * by side on two connections (PGlite runs them one after the other).
 */
export async function deliveryTimingSummary(db: Executor, w: AnalyticsWindow): Promise<DeliveryTimingSummary> {
  const where = sql`sent_at is not null and ${inWindow(w, sql.raw('sent_at'))} ${ofNumber(w)}`;
  const [[counts], [read]] = await Promise.all([
    queryRows<{
      sent: string | number;
      delivered: string | number;
      read: string | number;
      failed: string | number;
      median: string | number | null;
    }>(
      db,
      sql`select count(*) as sent, count(delivered_after_s) as delivered, count(read_after_s) as read, count(failed_at) as failed,
            percentile_cont(0.5) within group (order by delivered_after_s) as median
          from delivery_timings where ${where}`,
    ),
    queryRows<{ median: string | number | null }>(
      db,
      sql`select percentile_cont(0.5) within group (order by read_after_s) as median
          from delivery_timings where ${where} and read_after_s is not null`,
    ),
  ]);
  return {
    sent: num(counts?.sent),
    delivered: num(counts?.delivered),
    read: num(counts?.read),
    failed: num(counts?.failed),
    medianDeliveredSeconds: counts?.median == null ? null : Number(counts.median),
    medianReadSeconds: read?.median == null ? null : Number(read.median),
  };
}

export interface TypeCountRow {
  bucket: string;
  type: string;
  count: number;
}

/** Inbound messages per bucket and type. */
export async function inboundCounts(db: Executor, w: AnalyticsWindow): Promise<TypeCountRow[]> {
  const rows = await queryRows<{ bucket: string; type: string; count: string | number }>(
    db,
    sql`select ${bucketKey(w)} as bucket, type, sum(count) as count
        from message_stats_hourly
        where ${inWindow(w)} ${ofNumber(w)} and direction = 'inbound'
        group by 1, 2`,
  );
  return rows.map((r) => ({ bucket: r.bucket, type: r.type, count: num(r.count) }));
}

export interface WebhookCountRow {
  bucket: string;
  kind: 'received' | 'processed' | 'failed' | 'rejected';
  count: number;
}

/** Webhook deliveries received, processed, failed and rejected per bucket: for all numbers (a body may span several). */
export async function webhookCounts(db: Executor, w: Omit<AnalyticsWindow, 'phoneNumberId'>): Promise<WebhookCountRow[]> {
  const rows = await queryRows<{ bucket: string; kind: WebhookCountRow['kind']; count: string | number }>(
    db,
    sql`select ${bucketKey({ ...w, phoneNumberId: null })} as bucket, kind, sum(count) as count
        from webhook_stats_hourly
        where ${inWindow({ ...w, phoneNumberId: null })}
        group by 1, 2`,
  );
  return rows.map((r) => ({ bucket: r.bucket, kind: r.kind, count: num(r.count) }));
}

/** Every delivery status ever stored, by status and error code (0: none): the metrics' database-wide counters. */
export async function deliveryStatusTotals(db: Executor): Promise<{ status: string; errorCode: number; count: number }[]> {
  const rows = await queryRows<{ status: string; error_code: number; n: string | number }>(
    db,
    sql`select status, error_code, sum(count) as n from delivery_stats_hourly group by status, error_code order by status, error_code`,
  );
  return rows.map((r) => ({ status: r.status, errorCode: Number(r.error_code), count: Number(r.n) }));
}
