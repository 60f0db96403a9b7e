import { serve } from '@/lib/http/serve';
import { postConversationRead } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postConversationRead);
