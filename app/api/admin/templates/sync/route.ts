import { serve } from '@/lib/http/serve';
import { postTemplateSync } from '@/lib/templates/templates-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postTemplateSync);
