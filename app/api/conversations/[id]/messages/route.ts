import { serve } from '@/lib/http/serve';
import { getConversationMessages } from '@/lib/inbox/read-api';
import { postConversationMessage } from '@/lib/outbox/outbox-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getConversationMessages);
export const POST = serve(postConversationMessage);
