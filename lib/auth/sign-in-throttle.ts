import { randomUUID } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { rateLimits } from '@/db/schema';
import type { Auth } from './auth';

// Failed sign-ins per account, on top of better-auth's per-address limit. The address comes from
// X-Forwarded-For, which a client talking to the server directly can set to anything; an account's
// own failure count cannot be dodged that way. Kept in rate_limits, so every instance sees it.

export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;

const SIGN_IN_PATH = '/api/auth/sign-in/email';
const keyOf = (email: string) => `sign-in-failures:${email.trim().toLowerCase()}`;

/** The email a sign-in request names, without consuming the request. */
async function emailOf(req: Request): Promise<string | null> {
  try {
    const body: unknown = await req.clone().json();
    const email = (body as { email?: unknown } | null)?.email;
    return typeof email === 'string' && email.length <= 320 ? email : null;
  } catch {
    return null;
  }
}

async function recentFailures(db: Db, email: string, now: number): Promise<number> {
  const [row] = await db
    .select({ count: rateLimits.count })
    .from(rateLimits)
    .where(and(eq(rateLimits.key, keyOf(email)), gt(rateLimits.lastRequest, now - FAILURE_WINDOW_MS)));
  return row?.count ?? 0;
}

async function recordFailure(db: Db, email: string, now: number): Promise<void> {
  await db
    .insert(rateLimits)
    .values({ id: randomUUID(), key: keyOf(email), count: 1, lastRequest: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      // A failure after a quiet window starts the count again.
      set: {
        count: sql`case when ${rateLimits.lastRequest} > ${now - FAILURE_WINDOW_MS} then ${rateLimits.count} + 1 else 1 end`,
        lastRequest: now,
      },
    });
}

async function clearFailures(db: Db, email: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, keyOf(email)));
}

/** better-auth's handler, with sign-in attempts on an account that keeps failing refused for a while. */
export async function handleAuthRequest(req: Request, auth: Auth, db: Db, now = Date.now()): Promise<Response> {
  if (req.method !== 'POST' || new URL(req.url).pathname !== SIGN_IN_PATH) return auth.handler(req);
  const email = await emailOf(req);
  if (email && (await recentFailures(db, email, now)) >= MAX_FAILURES) {
    return Response.json(
      { code: 'TOO_MANY_ATTEMPTS', message: 'Too many failed sign-ins for this account. Try again in 15 minutes.' },
      { status: 429, headers: { 'retry-after': String(FAILURE_WINDOW_MS / 1000) } },
    );
  }
  const res = await auth.handler(req);
  if (email && res.status === 401) await recordFailure(db, email, now);
  else if (email && res.ok) await clearFailures(db, email);
  return res;
}
