import { expect } from 'vitest';
import type { Auth } from '@/lib/auth/auth';

// Requests as a browser or an integration would send them to the handlers, and sign-in through
// better-auth's real handler, so the cookies are the ones a browser would hold.

export const ORIGIN = 'http://ticks.test';

export type Credential = { cookie: string } | { key: string } | null;

export function request(path: string, credential: Credential, init: { method?: string; body?: unknown; origin?: string } = {}): Request {
  const headers: Record<string, string> = { host: 'ticks.test' };
  if (credential && 'cookie' in credential) headers.cookie = credential.cookie;
  if (credential && 'key' in credential) headers.authorization = `Bearer ${credential.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.origin) headers.origin = init.origin;
  return new Request(`${ORIGIN}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

let clients = 0;

/** Each sign-in from its own client address (Next sets X-Forwarded-For), so rate-limit tests have their own budget. */
export async function signIn(auth: Auth, email: string, password: string): Promise<Response> {
  clients += 1;
  return auth.handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, host: 'ticks.test', 'x-forwarded-for': `198.51.100.${clients % 250}` },
      body: JSON.stringify({ email, password }),
    }),
  );
}

export async function sessionCookie(auth: Auth, email: string, password: string): Promise<{ cookie: string }> {
  const res = await signIn(auth, email, password);
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  expect(cookies.join('; ')).toMatch(/ticks\.session_token=/);
  return { cookie: cookies.join('; ') };
}
