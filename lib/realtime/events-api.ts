import type { App } from '@/lib/app';
import { authorizeRequest, type AccessDeps, type Principal } from '@/lib/auth/access';
import type { Auth } from '@/lib/auth/auth';
import { ApiError, errorResponse } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
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
 * Who may listen is who may read the inbox, with a few streams at most each. A revoked key or a
 * deactivated user is out at once (access notices); every ping checks again.
 */
export const getEvents = defineRoute(
  {
    method: 'GET',
    path: '/api/events',
    access: 'inbox',
    summary:
      'Server-sent events: what changed (conversations, messages, topics), for live pages; with the changed messages of threads read lately on this instance (threadMessages).',
    deps: (app: App): EventsDeps => ({ ...app.access, hub: app.changes, streams: app.eventStreams }),
    responseType: 'text/event-stream',
  },
  async ({ req, deps, principal }) => openEventStream(req, deps, principal),
);

async function openEventStream(req: Request, deps: EventsDeps, principal: Principal): Promise<Response> {
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
