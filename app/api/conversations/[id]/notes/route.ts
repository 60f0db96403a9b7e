import { serve } from '@/lib/http/serve';
import { postConversationNote } from '@/lib/inbox/activity-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postConversationNote);
