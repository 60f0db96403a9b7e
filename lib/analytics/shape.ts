import type { DeliveryCountRow, DeliveryTimingSummary, TypeCountRow, WebhookCountRow } from '@/db/queries/analytics';
import type { ProcessingBacklog } from '@/db/queries/webhook-events';
import type { AnalyticsResponse, CountBucket, FailureBucket, TopErrorCode, WebhookBucket } from '@/lib/contracts/analytics';
import type { ErrorExplanation } from '@/lib/whatsapp/error-codes';
import type { Bucket, ResolvedRange } from './range';

// Turns the aggregates' rows into what the charts draw: one entry per bucket, empty ones included
// (with zeros), in time order. Pure: rows in, response out.

/** One entry per bucket, in order, from rows keyed by bucket; rows of buckets outside the range are dropped. */
export function fillBuckets<R extends { bucket: string }, T>(
  buckets: Bucket[],
  rows: R[],
  empty: () => T,
  add: (into: T, row: R) => void,
): (T & Bucket)[] {
  const byKey = new Map<string, T & Bucket>();
  const out = buckets.map((b) => {
    const entry = { ...empty(), key: b.key, start: b.start };
    byKey.set(b.key, entry);
    return entry;
  });
  for (const row of rows) {
    const entry = byKey.get(row.bucket);
    if (entry) add(entry, row);
  }
  return out;
}

const rate = (failed: number, sent: number) => (sent > 0 ? failed / sent : null);

export interface AnalyticsRows {
  deliveries: DeliveryCountRow[];
  timings: DeliveryTimingSummary;
  inbound: TypeCountRow[];
  webhooks: WebhookCountRow[];
  backlog: ProcessingBacklog;
  numbers: { phoneNumberId: string; displayPhoneNumber: string | null }[];
}

export function shapeAnalytics(
  range: ResolvedRange,
  phoneNumberId: string | null,
  rows: AnalyticsRows,
  explain: (code: number) => ErrorExplanation | null,
): AnalyticsResponse {
  const failureBuckets = fillBuckets<DeliveryCountRow, Omit<FailureBucket, 'key' | 'start'>>(
    range.buckets,
    rows.deliveries,
    () => ({ sent: 0, failed: 0, rate: null, byCode: {} }),
    (into, row) => {
      if (row.status === 'sent') into.sent += row.count;
      if (row.status === 'failed') {
        into.failed += row.count;
        into.byCode[row.errorCode] = (into.byCode[row.errorCode] ?? 0) + row.count;
      }
    },
  );
  for (const b of failureBuckets) b.rate = rate(b.failed, b.sent);

  const perCode = new Map<number, number>();
  for (const b of failureBuckets)
    for (const [code, n] of Object.entries(b.byCode)) perCode.set(Number(code), (perCode.get(Number(code)) ?? 0) + n);
  const failed = failureBuckets.reduce((s, b) => s + b.failed, 0);
  const sent = failureBuckets.reduce((s, b) => s + b.sent, 0);
  const codes = [...perCode.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const topErrors: TopErrorCode[] = codes.map(([code, count]) => {
    const explained = code === 0 ? null : explain(code);
    return { code, count, share: failed > 0 ? count / failed : 0, summary: explained?.summary ?? null, action: explained?.action ?? null };
  });

  const inboundBuckets = fillBuckets<TypeCountRow, Omit<CountBucket, 'key' | 'start'>>(
    range.buckets,
    rows.inbound,
    () => ({ total: 0, byType: {} }),
    (into, row) => {
      into.total += row.count;
      into.byType[row.type] = (into.byType[row.type] ?? 0) + row.count;
    },
  );
  const perType = new Map<string, number>();
  for (const b of inboundBuckets) for (const [type, n] of Object.entries(b.byType)) perType.set(type, (perType.get(type) ?? 0) + n);
  const typeTotals = [...perType.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([type, count]) => ({ type, count }));

  const webhookBuckets = fillBuckets<WebhookCountRow, Omit<WebhookBucket, 'key' | 'start'>>(
    range.buckets,
    rows.webhooks,
    () => ({ received: 0, processed: 0, failed: 0, rejected: 0 }),
    (into, row) => {
      if (row.kind in into) into[row.kind] += row.count;
    },
  );
  const sum = (k: keyof Omit<WebhookBucket, 'key' | 'start'>) => webhookBuckets.reduce((s, b) => s + b[k], 0);

  return {
    range: {
      key: range.key,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucket: range.bucket,
      tz: range.tz,
      businessPhoneNumberId: phoneNumberId,
    },
    numbers: rows.numbers,
    failures: { codes: codes.map(([code]) => code), buckets: failureBuckets, totals: { sent, failed, rate: rate(failed, sent) } },
    topErrors,
    funnel: rows.timings,
    inbound: {
      types: typeTotals.map((t) => t.type),
      buckets: inboundBuckets,
      totals: typeTotals,
      total: typeTotals.reduce((s, t) => s + t.count, 0),
    },
    webhooks: {
      buckets: webhookBuckets,
      totals: { received: sum('received'), processed: sum('processed'), failed: sum('failed'), rejected: sum('rejected') },
      backlog: rows.backlog,
    },
  };
}
