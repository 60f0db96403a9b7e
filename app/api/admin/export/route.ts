import { serve } from '@/lib/http/serve';
import { getAdminExport } from '@/lib/privacy/privacy-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getAdminExport);
