import { serve } from '@/lib/http/serve';
import { patchUser } from '@/lib/admin/users-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = serve(patchUser);
