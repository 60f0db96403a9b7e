import { authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import type { Auth } from '@/lib/auth/auth';
import { ApiError, errorResponse } from '@/lib/http/errors';
import { changeEventStream } from './event-stream';
import type { ChangeHub } from './hub';
import type { EventStreamLimiter } from './stream-limiter';

/** Open streams end by themselves when browsers go away; this is only a hint to try again later. */
const RETRY_AFTER_SECONDS = 30;

export type EventsDeps = AccessDeps & {
  auth: Auth;
  hub: ChangeHub;
  streams: EventStreamLimiter;
  pingIntervalMs?: number;
  maxQueuedBytes?: number;
};

/**
 * GET /api/events: who may listen is who may read the inbox, with a few streams at most each. A revoked
 * key or a deactivated user is out at once (access notices); every ping checks again.
 */
export async function getEvents(req: Request, deps: EventsDeps): Promise<Response> {
  const principal = await authorizeRequest(req, deps);
  const release = deps.streams.acquire(principal);
  if (!release) return tooManyStreams(deps.streams.perPrincipal);
  return changeEventStream({
    hub: deps.hub,
    signal: req.signal,
    // The same check as at the start, for a session, a key from the database or INBOX_API_KEY alike.
    stillAuthorized: () =>
      authorizeRequest(req, deps).then(
        () => true,
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) return false;
          throw err;
        },
      ),
    owner: principal.kind === 'user' ? { userId: principal.userId } : { apiKeyId: principal.keyId },
    onClose: release,
    pingIntervalMs: deps.pingIntervalMs,
    maxQueuedBytes: deps.maxQueuedBytes,
  });
}

function tooManyStreams(limit: number): Response {
  const message = `Too many open event streams: at most ${limit} per user or API key. Close one (another tab or client) and try again.`;
  const res = errorResponse(new ApiError(429, 'too_many_requests', message));
  res.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  return res;
}
