import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import type { Db } from '@/db/client';
import {
  backoffDelay,
  countInWindow,
  countUnlessWaiting,
  countedSince,
  deleteCounters,
  deleteStaleCounters,
  markNow,
  readCounter,
  type Backoff,
} from '@/db/queries/rate-limits';
import { isDeactivated } from '@/db/queries/users';
import { addressBucket, clientAddress } from './client-address';

// Every sign-in attempt is counted before its password is checked, inside better-auth's own
// pipeline (after the body is parsed, whatever its content type), in rate_limits so every instance
// sees it. Two limits:
// - per client address: SIGN_IN_ATTEMPTS_PER_MINUTE attempts a minute, right or wrong;
// - per account: after FAILURES_BEFORE_DELAY failures in a row the account waits before the next
//   attempt, a delay that doubles with each further failure up to MAX_DELAY_MS. No hard lock: an
//   attacker can slow an account down but not shut its owner out, because an address that signed in
//   to the account in the last KNOWN_ADDRESS_DAYS days counts its failures apart from everyone else's.
// Unknown emails are counted exactly like real ones, so the answers reveal nothing.

export const ADDRESS_WINDOW_MS = 60_000;
export const FAILURES_BEFORE_DELAY = 5;
export const FIRST_DELAY_MS = 60_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const KNOWN_ADDRESS_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

const ACCOUNT_BACKOFF: Backoff = { free: FAILURES_BEFORE_DELAY, firstMs: FIRST_DELAY_MS, maxMs: MAX_DELAY_MS, forgetMs: DAY_MS };

/** Where better-auth reads the client address for the session row (advanced.ipAddress.ipAddressHeaders). */
export const CLIENT_ADDRESS_HEADER = 'x-ticks-client-address';

const SIGN_IN_PATH = '/sign-in/email';
const addressKey = (bucket: string) => `sign-in:address:${bucket}`;
/** One account's failures; `bucket` for those from an address it signed in from recently. */
const accountKey = (email: string, bucket?: string) => `sign-in:account:${email}${bucket === undefined ? '' : `|${bucket}`}`;
const knownKey = (email: string, bucket: string) => `sign-in:known:${email}|${bucket}`;

/** The email a sign-in names, as accounts are looked up; capped (no valid email is longer): longer ones share a count. */
function emailOf(body: unknown): string | null {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : null;
}

function tooManyAttempts(retryAfterMs: number, message: string): APIError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return new APIError(
    'TOO_MANY_REQUESTS',
    { code: 'TOO_MANY_ATTEMPTS', message: `${message} Try again in ${wait}.` },
    { 'retry-after': String(seconds) },
  );
}

export interface SignInThrottleOptions {
  /** SIGN_IN_ATTEMPTS_PER_MINUTE. */
  attemptsPerMinute: number;
  /** TRUSTED_PROXY_HOPS: how the client address is read (client-address.ts). */
  trustedProxyHops: number;
}

export function signInThrottle(db: Db, options: SignInThrottleOptions) {
  const reserve = createAuthMiddleware(async (ctx) => {
    const now = Date.now();
    const address = clientAddress(ctx.headers ?? new Headers(), options.trustedProxyHops);
    const bucket = addressBucket(address);
    const fromAddress = await countInWindow(db, addressKey(bucket), now, ADDRESS_WINDOW_MS);
    if (fromAddress.count > options.attemptsPerMinute) {
      throw tooManyAttempts(fromAddress.lastRequest + ADDRESS_WINDOW_MS - now, 'Too many sign-in attempts from your network.');
    }
    const email = emailOf(ctx.body);
    if (email !== null) {
      const known = address !== null && (await countedSince(db, knownKey(email, bucket), now - KNOWN_ADDRESS_DAYS * DAY_MS));
      const key = known ? accountKey(email, bucket) : accountKey(email);
      // Counted as a failure now; a success takes it back (settle).
      if (!(await countUnlessWaiting(db, key, now, ACCOUNT_BACKOFF))) {
        const counter = await readCounter(db, key);
        const waitMs = counter ? counter.lastRequest + backoffDelay(counter.count, ACCOUNT_BACKOFF) - now : FIRST_DELAY_MS;
        throw tooManyAttempts(waitMs, 'Too many failed sign-ins for this account.');
      }
    }
    // A deactivated account answers exactly like an unknown one (better-auth's own check, after the
    // password, answers 403 and so tells a right password from a wrong one). Hashing takes the time
    // checking the password would.
    const { email: named, password } = (ctx.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof named === 'string' && typeof password === 'string' && (await isDeactivated(db, named.toLowerCase()))) {
      await ctx.context.password.hash(password);
      throw invalidEmailOrPassword();
    }
    // The address the session row records: ours, not whatever X-Forwarded-For said.
    return { context: { headers: new Headers({ [CLIENT_ADDRESS_HEADER]: address ?? '' }) } };
  });

  const settle = createAuthMiddleware(async (ctx) => {
    if (isAPIError(ctx.context.returned)) return;
    const email = emailOf(ctx.body);
    if (!ctx.context.newSession || email === null) return;
    const now = Date.now();
    const address = clientAddress(ctx.headers ?? new Headers(), options.trustedProxyHops);
    const bucket = addressBucket(address);
    await deleteCounters(db, [accountKey(email), accountKey(email, bucket)]);
    if (address !== null) await markNow(db, knownKey(email, bucket), now);
    await deleteStaleCounters(db, [
      { prefix: 'sign-in:address:', before: now - ADDRESS_WINDOW_MS },
      { prefix: 'sign-in:account:', before: now - ACCOUNT_BACKOFF.forgetMs },
      { prefix: 'sign-in:known:', before: now - KNOWN_ADDRESS_DAYS * DAY_MS },
    ]);
  });

  return {
    id: 'ticks-sign-in-throttle',
    hooks: {
      before: [{ matcher: (ctx) => ctx.path === SIGN_IN_PATH, handler: reserve }],
      after: [{ matcher: (ctx) => ctx.path === SIGN_IN_PATH, handler: settle }],
    },
  } satisfies BetterAuthPlugin;
}

/** Exactly what better-auth answers for a wrong password (the sign-in test compares the two). */
const invalidEmailOrPassword = () =>
  new APIError('UNAUTHORIZED', { message: 'Invalid email or password', code: 'INVALID_EMAIL_OR_PASSWORD' });
