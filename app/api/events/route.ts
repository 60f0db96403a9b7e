import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getEvents } from '@/lib/realtime/events-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => {
  const { access, changes, eventStreams } = await getApp();
  return getEvents(req, { ...access, hub: changes, streams: eventStreams });
});
