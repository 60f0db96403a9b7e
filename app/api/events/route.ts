import { serve } from '@/lib/http/serve';
import { getEvents } from '@/lib/realtime/events-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = serve(getEvents);
