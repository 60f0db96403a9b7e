import { serve } from '@/lib/http/serve';
import { postConversationAssignee } from '@/lib/inbox/assignment-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postConversationAssignee);
