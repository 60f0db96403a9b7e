import { serve } from '@/lib/http/serve';
import { deleteApiKey } from '@/lib/admin/api-keys-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const DELETE = serve(deleteApiKey);
