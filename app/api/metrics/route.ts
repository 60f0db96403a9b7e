import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getMetrics } from '@/lib/observability/metrics-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => {
  const app = await getApp();
  return getMetrics(req, app.access, app.metrics);
});
