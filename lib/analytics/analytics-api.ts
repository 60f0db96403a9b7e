import { type Db, hasSqlState } from '@/db/client';
import { deliveryCounts, deliveryTimingSummary, inboundCounts, webhookCounts, type AnalyticsWindow } from '@/db/queries/analytics';
import { listBusinessNumbers } from '@/db/queries/business-numbers';
import { getProcessingBacklog } from '@/db/queries/webhook-events';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { analyticsResponseSchema, analyticsRouteQuerySchema, type AnalyticsResponse } from '@/lib/contracts/analytics';
import { badRequest } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { explainErrorCode } from '@/lib/whatsapp/error-codes';
import { resolveRange, type AnalyticsQuery } from './range';
import { shapeAnalytics } from './shape';

// GET /api/admin/analytics?range=24h|7d|30d|custom&from=&to=&businessPhoneNumberId=&tz= (admins only).

export type { AnalyticsResponse } from '@/lib/contracts/analytics';

/** Every aggregate of the page for one query, run side by side. */
export async function loadAnalytics(db: Db, query: AnalyticsQuery, now = new Date()): Promise<AnalyticsResponse> {
  const range = resolveRange(query, now);
  const window: AnalyticsWindow = {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    tz: range.tz,
    phoneNumberId: query.businessPhoneNumberId,
  };
  const [deliveries, timings, inbound, webhooks, backlog, numbers] = await Promise.all([
    deliveryCounts(db, window),
    deliveryTimingSummary(db, window, now),
    inboundCounts(db, window),
    webhookCounts(db, window),
    getProcessingBacklog(db),
    listBusinessNumbers(db),
  ]);
  return shapeAnalytics(
    range,
    query.businessPhoneNumberId,
    {
      deliveries,
      timings,
      inbound,
      webhooks,
      backlog,
      numbers: numbers.map((n) => ({ phoneNumberId: n.phoneNumberId, displayPhoneNumber: n.displayPhoneNumber })),
    },
    explainErrorCode,
  );
}

export const getAnalytics = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/analytics',
    access: 'admin',
    summary: 'Delivery failures, timings, inbound volume and webhook health over a range, in buckets.',
    deps: (app: App): AccessDeps => app.access,
    query: analyticsRouteQuerySchema,
    response: analyticsResponseSchema,
  },
  async ({ deps, query }): Promise<AnalyticsResponse> => {
    try {
      return await loadAnalytics(deps.db, query);
    } catch (err) {
      // A zone the platform knows but PostgreSQL's tz database does not (22023: invalid_parameter_value).
      if (hasSqlState(err, '22023')) throw badRequest(`Invalid tz: PostgreSQL does not know the time zone "${query.tz}"`);
      throw err;
    }
  },
);
