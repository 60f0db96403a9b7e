import { serve } from '@/lib/http/serve';
import { getUsers, postUser } from '@/lib/admin/users-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getUsers);
export const POST = serve(postUser);
