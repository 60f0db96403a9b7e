import { serve } from '@/lib/http/serve';
import { getConversationPresence } from '@/lib/inbox/presence-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getConversationPresence);
