import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { sessions } from '@/db/schema';
import { patchUser, postUser } from '@/lib/admin/users-api';
import { sessionUser } from '@/lib/auth/access';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { HTTP_ENDPOINTS } from '@/lib/auth/http-endpoints';
import { FAILURES_BEFORE_DELAY } from '@/lib/auth/sign-in-throttle';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { ORIGIN, nextClientAddress, request, sessionCookie, signIn } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Sign-in as an attacker would try it: other content types, many at once, forged forwarding headers,
// better-auth's own endpoints, a deactivated account; and what a new password or https does to sessions.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const BASE_ENV = { WHATSAPP_APP_SECRET: 'sign-in-test-secret', WHATSAPP_VERIFY_TOKEN: 'v', APP_URL: ORIGIN };

describe.each(dbKinds)('sign-in on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Db;
  let secret: string;
  /** No proxy in front (TRUSTED_PROXY_HOPS=0), generous per-address limit: the per-account rules show. */
  let auth: Auth;
  let admin: { cookie: string };

  const authWith = (settings: Record<string, string>) => createAuth(db, parseEnv({ ...BASE_ENV, ...settings }), secret);
  let people = 0;
  const createPerson = async (role: 'agent' | 'admin' = 'agent') => {
    const person = { email: `person-${++people}@ticks.test`, password: `person-password-${people}`, name: `Person ${people}` };
    // Server-side calls still work with better-auth's HTTP endpoints closed.
    const { user } = await auth.api.createUser({ body: { ...person, data: { role } } });
    return { ...person, id: user.id };
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
    const env = parseEnv({ ...BASE_ENV, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    secret = await loadAuthSecret(db, env);
    auth = authWith({ SIGN_IN_ATTEMPTS_PER_MINUTE: '1000' });
    await ensureFirstAdmin(auth, db, env);
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('counts form-encoded sign-ins like JSON ones: failures in either slow the account down for both', async () => {
    const person = await createPerson();
    for (let i = 0; i < FAILURES_BEFORE_DELAY; i++) {
      expect((await signIn(auth, person.email, `wrong-password-${i}`, { form: i % 2 === 0 })).status).toBe(401);
    }
    expect((await signIn(auth, person.email, person.password, { form: true })).status).toBe(429);
    expect((await signIn(auth, person.email, person.password)).status).toBe(429);
  });

  it('a form-encoded sign-in works, and counts against the address', async () => {
    const person = await createPerson();
    expect((await signIn(auth, person.email, person.password, { form: true })).status).toBe(200);
    const limited = authWith({ SIGN_IN_ATTEMPTS_PER_MINUTE: '2' });
    const from = nextClientAddress();
    expect((await signIn(limited, person.email, 'wrong-password-1', { from, form: true })).status).toBe(401);
    expect((await signIn(limited, person.email, 'wrong-password-2', { from, form: true })).status).toBe(401);
    expect((await signIn(limited, person.email, person.password, { from })).status).toBe(429);
  });

  it('counts each attempt before checking its password: guesses sent all at once cannot all get through', async () => {
    const person = await createPerson();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(auth, person.email, `concurrent-guess-${i}`)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILURES_BEFORE_DELAY);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - FAILURES_BEFORE_DELAY);
  });

  it("without a proxy, the address is the connection's: a new X-Forwarded-For per attempt does not reset the limit", async () => {
    const limited = authWith({ SIGN_IN_ATTEMPTS_PER_MINUTE: '3' });
    const from = nextClientAddress();
    const statuses = [];
    for (let i = 1; i <= 4; i++) {
      statuses.push(
        (await signIn(limited, `nobody-${i}@ticks.test`, 'guessing', { from, headers: { 'x-forwarded-for': `192.0.2.${i}` } })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // A forged stamp of ours is no way around it either: the server overwrites it (peer-address.ts).
    expect((await signIn(limited, 'nobody@ticks.test', 'guessing', { from: nextClientAddress() })).status).toBe(401);
  });

  it('behind TRUSTED_PROXY_HOPS proxies, the address is the Nth from the right of X-Forwarded-For, not what the client wrote', async () => {
    const proxied = authWith({ SIGN_IN_ATTEMPTS_PER_MINUTE: '3', TRUSTED_PROXY_HOPS: '1' });
    const proxy = nextClientAddress();
    const attempt = (forwardedFor: string) =>
      signIn(proxied, 'nobody@ticks.test', 'guessing', { from: proxy, headers: { 'x-forwarded-for': forwardedFor } }).then((r) => r.status);
    // One client forging a new address before the proxy's entry each time: one budget.
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push(await attempt(`192.0.2.${i}, 203.0.113.50`));
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another client behind the same proxy, sending the same forged value: a budget of its own.
    expect(await attempt('192.0.2.1, 203.0.113.51')).toBe(401);

    // The session records that address too.
    const person = await createPerson();
    const res = await signIn(proxied, person.email, person.password, {
      from: proxy,
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.52' },
    });
    expect(res.status).toBe(200);
    const [row] = await db.select({ ipAddress: sessions.ipAddress }).from(sessions).where(eq(sessions.userId, person.id));
    expect(row?.ipAddress).toBe('203.0.113.52');
  });

  it('a deactivated account answers the right password exactly like a wrong one', async () => {
    const person = await createPerson();
    const deactivate = await withApiErrors(patchUser)(
      request(`/api/admin/users/${person.id}`, admin, { method: 'PATCH', body: { active: false }, origin: ORIGIN }),
      { db, apiKey: undefined, auth },
      { id: person.id },
    );
    expect(deactivate.status).toBe(200);
    const right = await signIn(auth, person.email, person.password);
    const wrong = await signIn(auth, person.email, 'not-the-password');
    const nobody = await signIn(auth, 'nobody-here@ticks.test', 'not-the-password');
    expect([right.status, wrong.status, nobody.status]).toEqual([401, 401, 401]);
    const body = await wrong.json();
    expect(await right.json()).toEqual(body);
    expect(await nobody.json()).toEqual(body);
  });

  it('serves only sign-in, sign-out and the session over HTTP: every other better-auth endpoint is 404, even for an admin', async () => {
    const agent = await createPerson();
    const endpoints = Object.values(auth.api as Record<string, { path?: string; options?: { method?: string | string[] } }>).flatMap((e) =>
      e.path ? [e.options?.method ?? 'GET'].flat().map((method) => [method === '*' ? 'POST' : method, e.path!] as const) : [],
    );
    const closed = endpoints.filter(([method, path]) => !HTTP_ENDPOINTS.has(`${method} ${path}`));
    // The ones the security review named are among them.
    for (const path of [
      '/admin/set-role',
      '/admin/impersonate-user',
      '/admin/remove-user',
      '/admin/create-user',
      '/admin/list-users',
      '/sign-up/email',
      '/change-password',
      '/update-user',
      '/admin/ban-user',
      '/admin/set-user-password',
    ]) {
      expect(closed.map(([, p]) => p)).toContain(path);
    }
    expect(closed.length).toBeGreaterThan(30);
    for (const [method, path] of closed) {
      const res = await auth.handler(
        new Request(`${ORIGIN}/api/auth${path.replace(/:(\w+)/g, 'x')}${method === 'GET' ? `?userId=${agent.id}` : ''}`, {
          method,
          headers: {
            cookie: admin.cookie,
            origin: ORIGIN,
            host: 'ticks.test',
            ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
          },
          body:
            method === 'GET'
              ? undefined
              : JSON.stringify({ userId: agent.id, role: 'owner', email: 'new@ticks.test', password: 'new-password-123', name: 'New' }),
        }),
      );
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    // Nothing happened to the agent.
    const session = await sessionCookie(auth, agent.email, agent.password);
    expect(await sessionUser(auth, new Headers({ cookie: session.cookie }))).toMatchObject({ role: 'agent' });

    // What the app uses still works: the session, sign-out, and the Users API (auth.api.createUser).
    const get = await auth.handler(
      new Request(`${ORIGIN}/api/auth/get-session`, { headers: { cookie: session.cookie, host: 'ticks.test' } }),
    );
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ user: { email: agent.email } });
    const created = await withApiErrors(postUser)(
      request('/api/admin/users', admin, {
        method: 'POST',
        body: { email: 'via-users-api@ticks.test', name: 'New', password: 'new-password-123', role: 'agent' },
        origin: ORIGIN,
      }),
      { db, apiKey: undefined, auth },
    );
    expect(created.status).toBe(201);
    const out = await auth.handler(
      new Request(`${ORIGIN}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: ORIGIN, host: 'ticks.test' },
      }),
    );
    expect(out.status).toBe(200);
    expect(await sessionUser(auth, new Headers({ cookie: session.cookie }))).toBeNull();
  });

  it('marks cookies Secure when the request came over https, keeping their names', async () => {
    const person = await createPerson();
    const cookiesOf = (res: Response) => res.headers.getSetCookie();
    const isSecure = (line: string) => /;\s*secure\s*(;|$)/i.test(line);

    const plain = await signIn(auth, person.email, person.password);
    expect(cookiesOf(plain).length).toBeGreaterThan(0);
    expect(cookiesOf(plain).some(isSecure)).toBe(false);

    const overHttps = await signIn(auth, person.email, person.password, { url: 'https://ticks.test' });
    expect(overHttps.status).toBe(200);
    expect(cookiesOf(overHttps).length).toBeGreaterThan(0);
    expect(cookiesOf(overHttps).every(isSecure)).toBe(true);
    // Same name, so better-auth finds the session it set.
    const cookie = cookiesOf(overHttps)
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toMatch(/^ticks\.session_token=/);
    expect(await sessionUser(auth, new Headers({ cookie }))).toMatchObject({ email: person.email });
    const out = await auth.handler(
      new Request('https://ticks.test/api/auth/sign-out', { method: 'POST', headers: { cookie, origin: ORIGIN, host: 'ticks.test' } }),
    );
    expect(cookiesOf(out).length).toBeGreaterThan(0);
    expect(cookiesOf(out).every(isSecure)).toBe(true);

    // Behind our TLS-terminating proxy: X-Forwarded-Proto says https. Without one, that header is anyone's.
    const proxied = authWith({ SIGN_IN_ATTEMPTS_PER_MINUTE: '1000', TRUSTED_PROXY_HOPS: '1' });
    const forwarded = { 'x-forwarded-for': '203.0.113.80', 'x-forwarded-proto': 'https' };
    expect(cookiesOf(await signIn(proxied, person.email, person.password, { headers: forwarded })).every(isSecure)).toBe(true);
    expect(cookiesOf(await signIn(auth, person.email, person.password, { headers: forwarded })).some(isSecure)).toBe(false);
  });

  it("a new password ends the other sessions: all of a user's when an admin sets it, all but the current one for your own", async () => {
    const otherAdmin = await createPerson('admin');
    const here = await sessionCookie(auth, otherAdmin.email, otherAdmin.password);
    const elsewhere = await sessionCookie(auth, otherAdmin.email, otherAdmin.password);
    const agent = await createPerson();
    const agentSessions = [await sessionCookie(auth, agent.email, agent.password), await sessionCookie(auth, agent.email, agent.password)];
    const signedIn = async (s: { cookie: string }) => (await sessionUser(auth, new Headers({ cookie: s.cookie }))) !== null;
    const setPassword = (as: { cookie: string }, id: string, password: string) =>
      withApiErrors(patchUser)(
        request(`/api/admin/users/${id}`, as, { method: 'PATCH', body: { password }, origin: ORIGIN }),
        { db, apiKey: undefined, auth },
        { id },
      );

    expect((await setPassword(here, otherAdmin.id, 'a-brand-new-password-1')).status).toBe(200);
    expect(await signedIn(here)).toBe(true);
    expect(await signedIn(elsewhere)).toBe(false);

    expect((await setPassword(here, agent.id, 'agents-new-password-1')).status).toBe(200);
    expect(await Promise.all(agentSessions.map(signedIn))).toEqual([false, false]);
    expect((await signIn(auth, agent.email, 'agents-new-password-1')).status).toBe(200);
  });
});
