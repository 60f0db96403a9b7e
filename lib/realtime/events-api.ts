import { authorizeRequest, sessionUser, type AccessDeps } from '@/lib/auth/access';
import type { Auth } from '@/lib/auth/auth';
import { changeEventStream } from './event-stream';
import type { ChangeHub } from './hub';

/** GET /api/events: who may listen is who may read the inbox; a session is re-checked at every ping. */
export async function getEvents(req: Request, deps: AccessDeps & { auth: Auth; hub: ChangeHub; pingIntervalMs?: number }): Promise<Response> {
  const principal = await authorizeRequest(req, deps);
  return changeEventStream({
    hub: deps.hub,
    signal: req.signal,
    stillAuthorized: async () => principal.kind !== 'user' || (await sessionUser(deps.auth, req.headers)) !== null,
    pingIntervalMs: deps.pingIntervalMs,
  });
}
