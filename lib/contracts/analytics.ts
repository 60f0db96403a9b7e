import { z } from 'zod';
import { analyticsQuerySchema, RANGE_KEYS } from '@/lib/analytics/range';

// The analytics API (GET /api/admin/analytics, admins only). Client-safe. lib/analytics/shape.ts (pure)
// builds the response from the aggregates' rows, typed by the schema here.

export type { RangeKey } from '@/lib/analytics/range';

/** The query string as the page sends it: an empty parameter counts as absent. */
export const analyticsRouteQuerySchema = z.preprocess(
  (query) => (query && typeof query === 'object' ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')) : query),
  analyticsQuerySchema,
);

const count = z.number().int().nonnegative();
/** A share of something, null when there was nothing to share. */
const rate = z.number().nullable();
/** One time bucket of a chart (empty buckets are there too, with zeros). */
const bucket = { key: z.string(), start: z.string().meta({ description: 'The bucket’s start (ISO-8601).' }) };

export const failureBucketSchema = z.object({
  ...bucket,
  sent: count,
  failed: count,
  rate: rate.meta({ description: 'failed ÷ sent, null when nothing was sent.' }),
  byCode: z.record(z.string(), count).meta({ description: 'Failures per error code ("0": no code given).' }),
});
export type FailureBucket = z.infer<typeof failureBucketSchema>;

export const topErrorCodeSchema = z.object({
  code: z.number().int(),
  count,
  share: z.number().meta({ description: 'Of all failures in the range, 0..1.' }),
  summary: z.string().nullable(),
  action: z.string().nullable(),
});
export type TopErrorCode = z.infer<typeof topErrorCodeSchema>;

export const countBucketSchema = z.object({ ...bucket, total: count, byType: z.record(z.string(), count) });
export type CountBucket = z.infer<typeof countBucketSchema>;

export const webhookBucketSchema = z.object({ ...bucket, received: count, processed: count, failed: count, rejected: count });
export type WebhookBucket = z.infer<typeof webhookBucketSchema>;

export const analyticsResponseSchema = z.object({
  range: z.object({
    key: z.enum(RANGE_KEYS),
    from: z.string(),
    to: z.string(),
    bucket: z.enum(['hour', 'day']),
    tz: z.string(),
    businessPhoneNumberId: z.string().nullable(),
  }),
  numbers: z.array(z.object({ phoneNumberId: z.string(), displayPhoneNumber: z.string().nullable() })),
  failures: z.object({
    codes: z.array(z.number().int()).meta({ description: 'Error codes present, most failures first: the stacks of the chart.' }),
    buckets: z.array(failureBucketSchema),
    totals: z.object({ sent: count, failed: count, rate }),
  }),
  topErrors: z.array(topErrorCodeSchema),
  funnel: z
    .object({
      sent: count,
      delivered: count,
      read: count,
      failed: count,
      medianDeliveredSeconds: z.number().nullable(),
      medianReadSeconds: z.number().nullable(),
    })
    .meta({
      description:
        'Outbound messages first sent in the range, those of them delivered, read and failed since, and median seconds to delivered and to read.',
    }),
  inbound: z.object({
    types: z.array(z.string()),
    buckets: z.array(countBucketSchema),
    totals: z.array(z.object({ type: z.string(), count })),
    total: count,
  }),
  webhooks: z.object({
    buckets: z.array(webhookBucketSchema),
    totals: z.object({ received: count, processed: count, failed: count, rejected: count }),
    backlog: z.object({
      pending: count,
      lagSeconds: z.number().nonnegative(),
      failed: count,
    }),
  }),
});
export type AnalyticsResponse = z.infer<typeof analyticsResponseSchema>;
