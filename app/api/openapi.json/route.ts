import { serve } from '@/lib/http/serve';
import { getOpenApi } from '@/lib/http/routes';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getOpenApi);
