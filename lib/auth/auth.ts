import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { nextCookies } from 'better-auth/next-js';
import { admin } from 'better-auth/plugins';
import { authAdapter } from '@/db/auth-adapter';
import type { Db } from '@/db/client';
import { keepFirstSecret } from '@/db/queries/app-secrets';
import { findUserIdByEmail, hasAnyUser } from '@/db/queries/users';
import type { Env } from '@/lib/env';
import { MIN_PASSWORD_LENGTH } from '@/lib/contracts/admin';
import { log } from '@/lib/log';
import { AUTH_BASE_PATH, httpEndpoints } from './http-endpoints';
import { CLIENT_ADDRESS_HEADER, signInThrottle } from './sign-in-throttle';

// Sign-in, sessions and people, by better-auth: scrypt password hashes, sessions as database rows
// (deleting one signs that browser out on its next request), httpOnly SameSite=Lax cookies, origin
// checks on every mutation, and sign-in limits kept in the database so instances share them
// (sign-in-throttle.ts). Over HTTP it serves sign-in, sign-out and the session only (http-endpoints.ts).

export { MIN_PASSWORD_LENGTH };
const SESSION_DAYS = 7;

export function createAuth(db: Db, env: Env, secret: string) {
  return betterAuth({
    appName: 'Ticks',
    secret,
    // Unset: the origin is the request's own (fine on one host); set it in production behind HTTPS.
    baseURL: env.APP_URL,
    basePath: AUTH_BASE_PATH,
    // Mutations must come from a page of this site (CSRF): APP_URL's origin, or without it the host
    // the request was sent to — a page elsewhere sends its own origin and is refused.
    trustedOrigins: env.APP_URL ? [new URL(env.APP_URL).origin] : (req) => sameHostOrigins(req),
    database: authAdapter(db),
    emailAndPassword: {
      enabled: true,
      // People are created by an admin (or ADMIN_EMAIL at start-up), never by signing up.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 128,
    },
    session: {
      expiresIn: SESSION_DAYS * 24 * 60 * 60,
      updateAge: 24 * 60 * 60,
      // No cookie cache: every request reads the session row, so a deactivated user is out at once.
      cookieCache: { enabled: false },
    },
    // Off: it keys by X-Forwarded-For as the client sent it. signInThrottle limits sign-in instead, by
    // the address TRUSTED_PROXY_HOPS says to trust; sign-out and the session need no limit.
    rateLimit: { enabled: false },
    advanced: {
      // Always Secure with APP_URL on https; otherwise per request (httpEndpoints).
      useSecureCookies: env.APP_URL?.startsWith('https://') ?? false,
      cookiePrefix: 'ticks',
      // Set by signInThrottle from the address it trusts, replacing any value the client sent.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    telemetry: { enabled: false },
    logger: {
      log: (level, message) => {
        // Deliberate: without APP_URL the origin is the request's own (see trustedOrigins).
        if (message.includes('Base URL is not set')) return;
        const line = `better-auth: ${message}`;
        if (level === 'error') log.error(line);
        else if (level === 'warn') log.warn(line);
        else log.debug(line);
      },
    },
    plugins: [
      // For its user fields (role, banned) and createUser; its HTTP endpoints are not served.
      admin({ defaultRole: 'agent', adminRoles: ['admin'] }),
      httpEndpoints({ trustedProxyHops: env.TRUSTED_PROXY_HOPS }),
      signInThrottle(db, { attemptsPerMinute: env.SIGN_IN_ATTEMPTS_PER_MINUTE, trustedProxyHops: env.TRUSTED_PROXY_HOPS }),
      // Lets server actions set cookies; must stay last.
      nextCookies(),
    ],
  });
}

function sameHostOrigins(req: Request | undefined): string[] {
  const host = req?.headers.get('host');
  return host ? [`http://${host}`, `https://${host}`] : [];
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * AUTH_SECRET, or one generated on first start and kept in the database, so every instance on
 * that database signs cookies alike and a restart does not sign everyone out.
 */
export async function loadAuthSecret(db: Db, env: Env): Promise<string> {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  const generated = randomBytes(32).toString('base64url');
  const stored = await keepFirstSecret(db, 'auth', generated);
  if (!stored) throw new Error('could not store the session signing secret');
  return stored;
}

/** Creates ADMIN_EMAIL as an admin when nobody can sign in yet. Safe to race: the email is unique. */
export async function ensureFirstAdmin(auth: Auth, db: Db, env: Env): Promise<void> {
  if (await hasAnyUser(db)) return;
  if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) {
    log.warn('no users yet: set ADMIN_EMAIL and ADMIN_PASSWORD (12+ characters) and restart to create the first admin');
    return;
  }
  try {
    await auth.api.createUser({
      body: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, name: 'Admin', role: 'admin' },
    });
    log.info({ email: env.ADMIN_EMAIL }, 'created the first admin from ADMIN_EMAIL');
  } catch (err) {
    // Another instance created it first.
    if (!(await findUserIdByEmail(db, env.ADMIN_EMAIL.toLowerCase()))) throw err;
  }
}
