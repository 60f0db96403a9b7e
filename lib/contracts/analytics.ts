import { z } from 'zod';
import { analyticsQuerySchema } from '@/lib/analytics/range';

// The analytics API (GET /api/admin/analytics, admins only). Client-safe. The response's shape is
// built (and typed) by lib/analytics/shape.ts, which is pure.

export type { AnalyticsResponse } from '@/lib/analytics/shape';
export type { RangeKey } from '@/lib/analytics/range';

/** The query string as the page sends it: an empty parameter counts as absent. */
export const analyticsRouteQuerySchema = z.preprocess(
  (query) => (query && typeof query === 'object' ? Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')) : query),
  analyticsQuerySchema,
);
