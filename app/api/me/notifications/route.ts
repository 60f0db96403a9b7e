import { serve } from '@/lib/http/serve';
import { getNotifications } from '@/lib/inbox/notifications-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getNotifications);
