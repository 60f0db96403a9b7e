import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { entryAtRank, middleRanks, timingWindowParts, type TimingWindowParts } from './timing-window';

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
 * The funnel of messages sent in the window, and their median times to delivered and to read, equal to
 * percentile_cont(0.5) over delivery_timings' rows sent in the window (the two middle values' mean when
 * the count is even) without reading them all: whole UTC days come from the daily rollups (migration 0018),
 * the window's edges from delivery_timings' own rows. One statement, so one snapshot: each kind's count per
 * bucket, and the exact seconds of the buckets that hold the middle values.
 */
export async function deliveryTimingSummary(db: Executor, w: AnalyticsWindow, now = new Date()): Promise<DeliveryTimingSummary> {
  const rows = await queryRows<{ kind: TimingKind; bucket: number; seconds: number | null; n: string | number }>(
    db,
    timingHistogramQuery(timingWindowParts(w.from, w.to, now), w),
  );
  const histogram = (of: (typeof rows)[number][], key: (r: (typeof rows)[number]) => number) =>
    of.map((r) => ({ key: key(r), count: num(r.n) })).sort((a, b) => a.key - b.key);
  const buckets = (kind: TimingKind) =>
    histogram(
      rows.filter((r) => r.kind === kind && r.seconds === null),
      (r) => Number(r.bucket),
    );
  const total = (kind: TimingKind) => buckets(kind).reduce((sum, b) => sum + b.count, 0);
  const median = (kind: 'delivered' | 'read'): number | null => {
    const values = middleRanks(total(kind)).map((rank) => {
      const bucket = entryAtRank(buckets(kind), rank);
      const seconds = histogram(
        rows.filter((r) => r.kind === kind && r.seconds !== null && Number(r.bucket) === bucket?.key),
        (r) => Number(r.seconds),
      );
      return bucket && entryAtRank(seconds, rank - bucket.before)?.key;
    });
    if (values.length === 0 || values.some((v) => v === undefined || v === null)) return null;
    return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
  };
  return {
    sent: total('sent'),
    delivered: total('delivered'),
    read: total('read'),
    failed: total('failed'),
    medianDeliveredSeconds: median('delivered'),
    medianReadSeconds: median('read'),
  };
}

type TimingKind = 'sent' | 'delivered' | 'read' | 'failed';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** delivery_timings' rows of the raw spans, each with its span's sign (read from delivery_timings_sent_idx alone). */
function rawTimings(parts: TimingWindowParts, w: AnalyticsWindow): SQL {
  return sql.join(
    parts.raw.map(
      (s) => sql`select ${sql.raw(String(s.sign))} as sign, sent_at, delivered_after_s, read_after_s, failed_at
        from delivery_timings where sent_at is not null and sent_at >= ${ts(s.from)} and sent_at < ${ts(s.to)} ${ofNumber(w)}`,
    ),
    sql` union all `,
  );
}

const rollupDays = (parts: TimingWindowParts) =>
  parts.days === null ? sql`false` : sql`day >= ${ts(parts.days.from)} and day < ${ts(parts.days.to)}`;

/**
 * Rows (kind, bucket, null, count): each kind's count per bucket over the window (sent and failed: bucket 0),
 * counted as migration 0018's trigger counts a row; then rows (kind, bucket, seconds, count) for the
 * buckets of delivered and read that hold their middle ranks, each read as one range of
 * delivery_timing_seconds' key (the lateral join keeps it a nested loop over at most four buckets).
 */
function timingHistogramQuery(parts: TimingWindowParts, w: AnalyticsWindow): SQL {
  const days = rollupDays(parts);
  const raw =
    parts.raw.length > 0
      ? rawTimings(parts, w)
      : sql`select 0 as sign, null::timestamptz as sent_at, null::integer as delivered_after_s, null::integer as read_after_s,
          null::timestamptz as failed_at where false`;
  const middle = (rank: SQL) => sql`(${rank} >= before and ${rank} < before + n)`;
  return sql`
    with raw as (${raw}),
    buckets as (
      select kind, bucket, sum(n) as n from (
        select kind, bucket, count as n from delivery_timing_buckets where ${days} ${ofNumber(w)}
        union all
        select k.kind, k.bucket, r.sign from raw r
        cross join lateral (values ('sent', 0), ('failed', case when r.failed_at is not null then 0 end),
          ('delivered', delivery_seconds_bucket(r.delivered_after_s)), ('read', delivery_seconds_bucket(r.read_after_s))) k(kind, bucket)
        where k.bucket is not null
      ) parts group by kind, bucket
    ),
    middle as (
      select kind, bucket from (
        select kind, bucket, n, sum(n) over (partition by kind order by bucket) - n as before, sum(n) over (partition by kind) as total
        from buckets where kind in ('delivered', 'read')
      ) ranked
      where n > 0 and (${middle(sql`floor((total - 1) / 2.0)`)} or ${middle(sql`ceil((total - 1) / 2.0)`)})
    )
    select kind, bucket, null::integer as seconds, n from buckets
    union all
    select m.kind, m.bucket, s.seconds, s.n from middle m
    cross join lateral (
      select seconds, sum(n) as n from (
        select seconds, count as n from delivery_timing_seconds where kind = m.kind and bucket = m.bucket and ${days} ${ofNumber(w)}
        union all
        select k.seconds, r.sign from raw r
        cross join lateral (values ('delivered', r.delivered_after_s), ('read', r.read_after_s)) k(kind, seconds)
        where k.kind = m.kind and delivery_seconds_bucket(k.seconds) = m.bucket
      ) f group by seconds
    ) s`;
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
