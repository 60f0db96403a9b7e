import { serve } from '@/lib/http/serve';
import { getConversations } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getConversations);
