import { serve } from '@/lib/http/serve';
import { deleteConversationLabel, putConversationLabel } from '@/lib/inbox/labels-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PUT = serve(putConversationLabel);
export const DELETE = serve(deleteConversationLabel);
