import { serve } from '@/lib/http/serve';
import { getHealth } from '@/lib/observability/health-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getHealth);
