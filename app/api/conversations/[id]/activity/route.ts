import { serve } from '@/lib/http/serve';
import { getConversationActivity } from '@/lib/inbox/activity-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getConversationActivity);
