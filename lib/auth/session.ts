import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { getApp } from '@/lib/app';
import { sessionUser, type Principal } from './access';
import { loginPathFor } from './next-path';

// The session check for pages and layouts (route handlers use authorizeRequest). The proxy only
// looked for a cookie; this reads the session row, so a revoked or deactivated session ends here.

export type SignedInUser = Extract<Principal, { kind: 'user' }>;

/**
 * The signed-in user, or a redirect to /login that comes back to this page afterwards. Read once per
 * request however many layouts and pages ask (React's cache).
 */
export const requireUser = cache(async (): Promise<SignedInUser> => {
  const requestHeaders = await headers();
  const { auth } = await getApp();
  const user = await sessionUser(auth, requestHeaders);
  if (!user) redirect(loginPathFor(requestHeaders.get('x-ticks-path') ?? '/'));
  return user;
});

/** The signed-in admin; agents get the 403 page. */
export async function requireAdmin(): Promise<SignedInUser> {
  const user = await requireUser();
  if (user.role !== 'admin') forbidden();
  return user;
}
