import type { Db } from '@/db/client';
import { ApiError, forbidden } from '@/lib/http/errors';
import { safeEqual } from '@/lib/safe-equal';
import type { Auth } from './auth';
import { findActiveApiKey } from './api-keys';
import { roleOf, type Role } from './roles';

// Who is calling, and may they? Every route handler calls authorizeRequest, whatever the proxy
// already checked: a browser session (cookie) or an API key (Authorization: Bearer). Admin routes
// ask for 'admin'; API keys are for integrations reading the inbox, never for managing people.

export interface AccessDeps {
  db: Db;
  /** INBOX_API_KEY, the bootstrap key from the environment. */
  apiKey: string | undefined;
  /** Sessions; absent where only API keys apply (tests of the read API). */
  auth?: Auth;
}

export type Principal =
  | { kind: 'user'; userId: string; email: string; name: string; role: Role /** The session this request came with. */; sessionId: string }
  | { kind: 'api-key'; keyId: number | null; name: string };

export type Need = 'inbox' | 'admin';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** Resolves to the caller, or throws 401 (nobody, or a bad key) / 403 (somebody without the right). */
export async function authorizeRequest(req: Request, deps: AccessDeps, need: Need = 'inbox'): Promise<Principal> {
  const principal = await identify(req, deps);
  if (need === 'admin') {
    if (principal.kind === 'api-key') throw forbidden('API keys cannot manage the inbox: sign in as an admin.');
    if (principal.role !== 'admin') throw forbidden('Only admins can do this.');
  }
  return principal;
}

async function identify(req: Request, deps: AccessDeps): Promise<Principal> {
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const given = BEARER.exec(authorization)?.[1];
    if (!given) throw unauthorized('Malformed Authorization header: expected "Bearer <API key>".');
    if (deps.apiKey && safeEqual(given, deps.apiKey)) return { kind: 'api-key', keyId: null, name: 'INBOX_API_KEY' };
    const key = await findActiveApiKey(deps.db, given);
    if (key) return { kind: 'api-key', keyId: key.id, name: key.name };
    throw unauthorized('Invalid or revoked API key.');
  }
  const user = deps.auth ? await sessionUser(deps.auth, req.headers) : null;
  if (!user) throw unauthorized('Sign in, or send an API key as "Authorization: Bearer <key>".');
  return user;
}

/** The signed-in, active user behind these request headers, or null. */
export async function sessionUser(auth: Auth, headers: Headers): Promise<Extract<Principal, { kind: 'user' }> | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const { user } = session;
  // Deactivating deletes the sessions too; this covers a request already in flight.
  if (user.banned) return null;
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: roleOf(user.role), sessionId: session.session.id };
}

/**
 * Browsers send Origin with every POST, PATCH and DELETE: one that names another site is a cross-site
 * request riding on our session cookie, refused (403). No Origin is an integration with an API key.
 * The host is the one the client addressed: X-Forwarded-Host behind a proxy, else Host (as Next's
 * server actions check it).
 */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.get('origin');
  if (origin === null) return;
  const host = req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || req.headers.get('host') || new URL(req.url).host;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {}
  // "null" (a sandboxed or privacy-sensitive context) parses to no host: refused too.
  if (!originHost || originHost.toLowerCase() !== host.toLowerCase()) throw forbidden('Cross-origin request refused.');
}
