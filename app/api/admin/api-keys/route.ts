import { serve } from '@/lib/http/serve';
import { getApiKeys, postApiKey } from '@/lib/admin/api-keys-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getApiKeys);
export const POST = serve(postApiKey);
