import { serve } from '@/lib/http/serve';
import { getNotificationSettings, putNotificationSettings } from '@/lib/inbox/notifications-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getNotificationSettings);
export const PUT = serve(putNotificationSettings);
