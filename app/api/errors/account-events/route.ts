import { serve } from '@/lib/http/serve';
import { getAccountEvents } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getAccountEvents);
