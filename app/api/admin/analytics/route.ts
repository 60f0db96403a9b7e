import { getApp } from '@/lib/app';
import { getAnalytics } from '@/lib/analytics/analytics-api';
import { withApiErrors } from '@/lib/http/errors';

export type { AnalyticsResponse } from '@/lib/analytics/analytics-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getAnalytics(req, (await getApp()).access));
