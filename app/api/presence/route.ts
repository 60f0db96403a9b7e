import { serve } from '@/lib/http/serve';
import { postPresence } from '@/lib/inbox/presence-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postPresence);
