import { getApp } from '@/lib/app';
import { authorizeRequest, sessionUser } from '@/lib/auth/access';
import { withApiErrors } from '@/lib/http/errors';
import { changeEventStream } from '@/lib/realtime/event-stream';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => {
  const { access, auth, changes } = await getApp();
  const principal = await authorizeRequest(req, access);
  return changeEventStream({
    hub: changes,
    signal: req.signal,
    stillAuthorized: async () => principal.kind !== 'user' || (await sessionUser(auth, req.headers)) !== null,
  });
});
