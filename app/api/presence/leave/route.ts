import { serve } from '@/lib/http/serve';
import { postPresenceLeave } from '@/lib/inbox/presence-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postPresenceLeave);
