import { serve } from '@/lib/http/serve';
import { postConversationStatus } from '@/lib/inbox/status-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postConversationStatus);
