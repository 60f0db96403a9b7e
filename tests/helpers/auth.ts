import { expect } from 'vitest';
import type { Auth } from '@/lib/auth/auth';
import { PEER_ADDRESS_HEADER } from '@/lib/auth/client-address';

// Requests as a browser or an integration would send them to the handlers, and sign-in through
// better-auth's real handler, so the cookies are the ones a browser would hold.

export const ORIGIN = 'http://ticks.test';

export type Credential = { cookie: string } | { key: string } | null;

export function request(path: string, credential: Credential, init: { method?: string; body?: unknown; origin?: string } = {}): Request {
  const headers: Record<string, string> = { host: 'ticks.test' };
  if (credential && 'cookie' in credential) headers.cookie = credential.cookie;
  if (credential && 'key' in credential) headers.authorization = `Bearer ${credential.key}`;
  // A FormData body sets its own multipart type and boundary.
  const form = init.body instanceof FormData ? init.body : null;
  if (init.body !== undefined && form === null) headers['content-type'] = 'application/json';
  if (init.origin) headers.origin = init.origin;
  return new Request(`${ORIGIN}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
}

let clients = 0;

/** A new client address for every call: 10.x.y.z, never the same twice in a test run. */
export function nextClientAddress(): string {
  clients += 1;
  return `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
}

export interface SignInInit {
  /** The client's socket address, as the server stamps it (default: a new one per sign-in). */
  from?: string;
  /** Sent as an HTML form would (application/x-www-form-urlencoded) rather than JSON. */
  form?: boolean;
  /** The URL's origin the request was made to (default ORIGIN, on http). */
  url?: string;
  headers?: Record<string, string>;
}

/** A sign-in request as the server hands it to better-auth, stamped with the client's socket address. */
export function signInRequest(email: string, password: string, init: SignInInit = {}): Request {
  return new Request(`${init.url ?? ORIGIN}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: {
      'content-type': init.form ? 'application/x-www-form-urlencoded' : 'application/json',
      origin: ORIGIN,
      host: 'ticks.test',
      [PEER_ADDRESS_HEADER]: init.from ?? nextClientAddress(),
      ...init.headers,
    },
    body: init.form ? new URLSearchParams({ email, password }).toString() : JSON.stringify({ email, password }),
  });
}

/** Each sign-in from its own client address, so rate-limit tests have their own budget. */
export async function signIn(auth: Auth, email: string, password: string, init: SignInInit = {}): Promise<Response> {
  return auth.handler(signInRequest(email, password, init));
}

export async function sessionCookie(auth: Auth, email: string, password: string, init: SignInInit = {}): Promise<{ cookie: string }> {
  const res = await signIn(auth, email, password, init);
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  expect(cookies.join('; ')).toMatch(/ticks\.session_token=/);
  return { cookie: cookies.join('; ') };
}
