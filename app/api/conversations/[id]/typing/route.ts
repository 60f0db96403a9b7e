import { serve } from '@/lib/http/serve';
import { postConversationTyping } from '@/lib/customer-signals/typing-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = serve(postConversationTyping);
