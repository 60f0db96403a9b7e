import { serve } from '@/lib/http/serve';
import { getMetrics } from '@/lib/observability/metrics-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getMetrics);
