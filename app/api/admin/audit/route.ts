import { serve } from '@/lib/http/serve';
import { getAudit } from '@/lib/admin/audit-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getAudit);
