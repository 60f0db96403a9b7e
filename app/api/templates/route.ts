import { serve } from '@/lib/http/serve';
import { getTemplates } from '@/lib/templates/templates-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getTemplates);
