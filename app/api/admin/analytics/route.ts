import { serve } from '@/lib/http/serve';
import { getAnalytics } from '@/lib/analytics/analytics-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getAnalytics);
