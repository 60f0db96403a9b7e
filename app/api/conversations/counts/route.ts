import { serve } from '@/lib/http/serve';
import { getConversationCounts } from '@/lib/inbox/status-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getConversationCounts);
