import { getSettings, putSettings } from '@/lib/admin/settings-api';
import { serve } from '@/lib/http/serve';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getSettings);
export const PUT = serve(putSettings);
