import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '@/db/client';
import { deleteApiKey, getApiKeys, postApiKey, type CreateApiKeyResponse } from '@/lib/admin/api-keys-api';
import { getUsers, patchUser, postUser, type GetUsersResponse, type UserResponse } from '@/lib/admin/users-api';
import { authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { FAILURES_BEFORE_DELAY, FIRST_DELAY_MS } from '@/lib/auth/sign-in-throttle';
import { parseEnv, type Env } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { getBusinessNumbers, getConversationMessages, getConversations, getMessage, postConversationRead } from '@/lib/inbox/read-api';
import { ChangeHub } from '@/lib/realtime/hub';
import { getEvents } from '@/lib/realtime/events-api';
import { EventStreamLimiter } from '@/lib/realtime/stream-limiter';
import { getAnalytics } from '@/lib/analytics/analytics-api';
import {
  getAccountEvents,
  getFailedDeliveries,
  getProcessingFailure,
  getProcessingFailures,
  getRejections,
  postProcessingRetry,
} from '@/lib/error-log/api';
import type { MediaDownloader } from '@/lib/media/downloader';
import { getMedia, postMediaRetry } from '@/lib/media/media-api';
import { fileStorage } from '@/lib/media/storage';
import { createMetrics } from '@/lib/observability/metrics';
import { getMetrics } from '@/lib/observability/metrics-api';
import { silentLog } from '../helpers/pipeline';
import { ORIGIN, request, sessionCookie, signIn, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Who may call what: every API route's handler with no credentials, a bad or revoked key, an agent's
// session and an admin's session.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@ticks.test', password: 'agent-password-123', name: 'Agent Smith' };
const ENV_KEY = 'env-bootstrap-key-0123456789';

describe.each(dbKinds)('access rules on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Db;
  let env: Env;
  let auth: Auth;
  let deps: AccessDeps & { auth: Auth };
  let admin: { cookie: string };
  let agent: { cookie: string };
  let agentId: string;
  let hub: ChangeHub;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
    env = parseEnv({
      WHATSAPP_APP_SECRET: 'access-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: ENV_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
      SIGN_IN_ATTEMPTS_PER_MINUTE: '3',
    });
    auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    deps = { db, apiKey: ENV_KEY, auth };
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const created = await withApiErrors(postUser)(
      request('/api/admin/users', admin, { method: 'POST', body: { ...AGENT, role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    expect(created.status).toBe(201);
    agentId = ((await created.json()) as UserResponse).user.id;
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // Every API route but the webhook and better-auth's own: [route, handler, body for mutations].
  type RouteCase = [string, (req: Request) => Promise<Response>, (() => unknown)?];
  let keyToRevoke = '0';
  let emails = 0;
  /** The event stream stays open: read its status, then hang up. */
  const events = async (req: Request) => {
    const res = await withApiErrors(getEvents)(req, { ...deps, hub, streams: new EventStreamLimiter(10) });
    if (res.status === 200) await res.body?.cancel();
    return res;
  };
  // Inbox routes: anyone signed in, or any live API key.
  const inboxRoutes: RouteCase[] = [
    ['GET /api/conversations', (req) => withApiErrors(getConversations)(req, deps)],
    ['GET /api/conversations/1/messages', (req) => withApiErrors(getConversationMessages)(req, deps, '1')],
    ['GET /api/messages/x', (req) => withApiErrors(getMessage)(req, deps, 'wamid.x')],
    ['GET /api/business-numbers', (req) => withApiErrors(getBusinessNumbers)(req, deps)],
    ['POST /api/conversations/1/read', (req) => withApiErrors(postConversationRead)(req, deps, '1')],
    ['GET /api/events', events],
    ['GET /api/errors/deliveries', (req) => withApiErrors(getFailedDeliveries)(req, deps)],
    ['GET /api/errors/processing', (req) => withApiErrors(getProcessingFailures)(req, deps)],
    ['GET /api/errors/processing/1', (req) => withApiErrors(getProcessingFailure)(req, deps, '1')],
    ['GET /api/errors/rejections', (req) => withApiErrors(getRejections)(req, deps)],
    ['GET /api/errors/account-events', (req) => withApiErrors(getAccountEvents)(req, deps)],
    ['GET /api/media/x', (req) => withApiErrors(getMedia)(req, { ...deps, storage: fileStorage(os.tmpdir()) }, 'wamid.x')],
  ];
  // Admin routes: admins' sessions only.
  const adminRoutes: RouteCase[] = [
    ['GET /api/admin/users', (req) => withApiErrors(getUsers)(req, deps)],
    [
      'POST /api/admin/users',
      (req) => withApiErrors(postUser)(req, deps),
      () => ({ email: `new${++emails}@ticks.test`, name: 'New', password: 'new-password-123', role: 'agent' }),
    ],
    ['PATCH /api/admin/users/agent', (req) => withApiErrors(patchUser)(req, deps, agentId), () => ({ name: AGENT.name })],
    ['GET /api/admin/api-keys', (req) => withApiErrors(getApiKeys)(req, deps)],
    ['POST /api/admin/api-keys', (req) => withApiErrors(postApiKey)(req, deps), () => ({ name: 'k' })],
    ['DELETE /api/admin/api-keys/id', (req) => withApiErrors(deleteApiKey)(req, deps, keyToRevoke)],
    ['GET /api/admin/analytics', (req) => withApiErrors(getAnalytics)(req, deps)],
    ['POST /api/errors/processing/retry', (req) => withApiErrors(postProcessingRetry)(req, { ...deps, retryWaitMs: 0 }), () => ({ all: true })],
  ];
  // Neither list: who may read metrics, and retrying a media download (404 for an admin: there is none).
  const metrics = (req: Request) => withApiErrors(getMetrics)(req, deps, createMetrics(db, silentLog));
  const mediaRetry = (req: Request) => withApiErrors(postMediaRetry)(req, { ...deps, media: { notify() {} } as unknown as MediaDownloader }, 'wamid.x');
  const call = (route: (req: Request) => Promise<Response>, name: string, credential: Credential, body?: () => unknown) => {
    const [method, path] = name.split(' ') as [string, string];
    const mutation = method !== 'GET';
    return route(request(path, credential, { method, body: mutation && body ? body() : undefined, origin: mutation ? ORIGIN : undefined }));
  };

  beforeAll(async () => {
    hub = await ChangeHub.start(testDb.database);
    const res = await withApiErrors(postApiKey)(request('/api/admin/api-keys', admin, { method: 'POST', body: { name: 'to revoke' }, origin: ORIGIN }), deps);
    keyToRevoke = ((await res.json()) as CreateApiKeyResponse).apiKey.id;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it.each([...inboxRoutes, ...adminRoutes])('%s: 401 without a session or key', async (name, route, body) => {
    const res = await call(route, name, null, body);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it.each([...inboxRoutes, ...adminRoutes])('%s: 401 with an unknown key or a forged cookie', async (name, route, body) => {
    expect((await call(route, name, { key: 'ticks_not-a-real-key' }, body)).status).toBe(401);
    expect((await call(route, name, { cookie: 'ticks.session_token=forged.value' }, body)).status).toBe(401);
  });

  it.each(inboxRoutes)('%s: open to agents, admins and API keys', async (name, route, body) => {
    for (const credential of [agent, admin, { key: ENV_KEY }]) {
      expect([200, 404]).toContain((await call(route, name, credential, body)).status);
    }
  });

  it.each(adminRoutes)('%s: 403 for an agent and for API keys, allowed for an admin', async (name, route, body) => {
    const asAgent = await call(route, name, agent, body);
    expect(asAgent.status).toBe(403);
    expect(await asAgent.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(route, name, { key: ENV_KEY }, body)).status).toBe(403);
    expect((await call(route, name, admin, body)).status).toBeLessThan(300);
  });

  it('GET /api/metrics: for API keys and admins; 403 for agents; 401 for nobody', async () => {
    expect((await call(metrics, 'GET /api/metrics', null)).status).toBe(401);
    expect((await call(metrics, 'GET /api/metrics', { cookie: 'ticks.session_token=forged.value' })).status).toBe(401);
    expect((await call(metrics, 'GET /api/metrics', agent)).status).toBe(403);
    expect((await call(metrics, 'GET /api/metrics', admin)).status).toBe(200);
    expect((await call(metrics, 'GET /api/metrics', { key: ENV_KEY })).status).toBe(200);
  });

  it('POST /api/media/x/retry: admins only (401 nobody, 403 agents and keys, cross-site 403)', async () => {
    expect((await call(mediaRetry, 'POST /api/media/x/retry', null)).status).toBe(401);
    expect((await call(mediaRetry, 'POST /api/media/x/retry', agent)).status).toBe(403);
    expect((await call(mediaRetry, 'POST /api/media/x/retry', { key: ENV_KEY })).status).toBe(403);
    expect((await call(mediaRetry, 'POST /api/media/x/retry', admin)).status).toBe(404);
    const crossSite = request('/api/media/x/retry', admin, { method: 'POST', origin: 'https://evil.example' });
    expect((await mediaRetry(crossSite)).status).toBe(403);
  });

  it('an API key created by an admin works until it is revoked, then gets 401', async () => {
    const created = await withApiErrors(postApiKey)(
      request('/api/admin/api-keys', admin, { method: 'POST', body: { name: 'CRM sync' }, origin: ORIGIN }),
      deps,
    );
    expect(created.status).toBe(201);
    const { key, apiKey } = (await created.json()) as CreateApiKeyResponse;
    expect(key).toMatch(/^ticks_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);

    // Listed without the key itself.
    const listed = await (await withApiErrors(getApiKeys)(request('/api/admin/api-keys', admin), deps)).text();
    expect(listed).toContain('CRM sync');
    expect(listed).not.toContain(key);

    expect((await withApiErrors(getConversations)(request('/api/conversations', { key }), deps)).status).toBe(200);
    const revoked = await withApiErrors(deleteApiKey)(request(`/api/admin/api-keys/${apiKey.id}`, admin, { method: 'DELETE', origin: ORIGIN }), deps, apiKey.id);
    expect(revoked.status).toBe(200);
    expect((await withApiErrors(getConversations)(request('/api/conversations', { key }), deps)).status).toBe(401);
  });

  it('a deactivated user is signed out at once and cannot sign in again; reactivated, they can', async () => {
    const other = { email: 'temp@ticks.test', password: 'temp-password-123' };
    const created = await withApiErrors(postUser)(
      request('/api/admin/users', admin, { method: 'POST', body: { ...other, name: 'Temp', role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    const { user } = (await created.json()) as UserResponse;
    const session = await sessionCookie(auth, other.email, other.password);
    expect((await withApiErrors(getConversations)(request('/api/conversations', session), deps)).status).toBe(200);

    const deactivate = await withApiErrors(patchUser)(
      request(`/api/admin/users/${user.id}`, admin, { method: 'PATCH', body: { active: false }, origin: ORIGIN }),
      deps,
      user.id,
    );
    expect(deactivate.status).toBe(200);
    expect(((await deactivate.json()) as UserResponse).user.active).toBe(false);
    expect((await withApiErrors(getConversations)(request('/api/conversations', session), deps)).status).toBe(401);
    expect((await signIn(auth, other.email, other.password)).status).toBe(401);

    await withApiErrors(patchUser)(
      request(`/api/admin/users/${user.id}`, admin, { method: 'PATCH', body: { active: true }, origin: ORIGIN }),
      deps,
      user.id,
    );
    expect((await signIn(auth, other.email, other.password)).status).toBe(200);
  });

  it('a role change applies to the next request of an existing session', async () => {
    const promote = (role: string) =>
      withApiErrors(patchUser)(request(`/api/admin/users/${agentId}`, admin, { method: 'PATCH', body: { role }, origin: ORIGIN }), deps, agentId);
    expect((await promote('admin')).status).toBe(200);
    expect((await withApiErrors(getUsers)(request('/api/admin/users', agent), deps)).status).toBe(200);
    expect((await promote('agent')).status).toBe(200);
    expect((await withApiErrors(getUsers)(request('/api/admin/users', agent), deps)).status).toBe(403);
  });

  it('no dead ends: the last admin cannot be demoted or deactivated, nobody deactivates themselves', async () => {
    const users = ((await (await withApiErrors(getUsers)(request('/api/admin/users', admin), deps)).json()) as GetUsersResponse).users;
    const me = users.find((u) => u.email === ADMIN.email)!;
    for (const body of [{ active: false }, { role: 'agent' }]) {
      const res = await withApiErrors(patchUser)(request(`/api/admin/users/${me.id}`, admin, { method: 'PATCH', body, origin: ORIGIN }), deps, me.id);
      expect(res.status).toBe(409);
    }
  });

  it('refuses bad input with 400/409/415 and a message', async () => {
    const post = (body: unknown, contentType = true) =>
      withApiErrors(postUser)(
        new Request(`${ORIGIN}/api/admin/users`, {
          method: 'POST',
          headers: { cookie: admin.cookie, origin: ORIGIN, host: 'ticks.test', ...(contentType ? { 'content-type': 'application/json' } : {}) },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
        deps,
      );
    expect((await post({ email: 'not-an-email', name: 'x', password: 'long-enough-password', role: 'agent' })).status).toBe(400);
    expect((await post({ email: 'short@ticks.test', name: 'x', password: 'short', role: 'agent' })).status).toBe(400);
    expect((await post({ email: 'r@ticks.test', name: 'x', password: 'long-enough-password', role: 'owner' })).status).toBe(400);
    expect((await post({ ...AGENT, role: 'agent' })).status).toBe(409);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ ...AGENT, email: 'ct@ticks.test', role: 'agent' }, false)).status).toBe(415);
  });

  it('refuses a cross-site mutation made with a session cookie', async () => {
    const res = await withApiErrors(postApiKey)(
      request('/api/admin/api-keys', admin, { method: 'POST', body: { name: 'evil' }, origin: 'https://evil.example' }),
      deps,
    );
    expect(res.status).toBe(403);
  });

  it('wrong email and wrong password get the same answer, and sign-in is rate-limited per client', async () => {
    const wrongPassword = await signIn(auth, ADMIN.email, 'not-the-password-1');
    const wrongEmail = await signIn(auth, 'nobody@ticks.test', 'not-the-password-1');
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await wrongEmail.json());

    // SIGN_IN_ATTEMPTS_PER_MINUTE=3 here; each client address has its own budget, whatever
    // X-Forwarded-For claims (TRUSTED_PROXY_HOPS=0: no proxy of ours adds it, so anyone can).
    let guess = 0;
    const from = (address: string) =>
      signIn(auth, `guess-${++guess}@ticks.test`, 'guessing-password', { from: address, headers: { 'x-forwarded-for': `192.0.2.${guess}` } });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await from('203.0.113.7'));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await answers[3]!.json()).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    expect((await from('203.0.113.8')).status).toBe(401);
  });

  it('an account that keeps failing waits longer after each failure, from every address, without slowing others; its own address still gets in', async () => {
    const victim = { email: 'victim@ticks.test', password: 'victim-password-123' };
    await withApiErrors(postUser)(
      request('/api/admin/users', admin, { method: 'POST', body: { ...victim, name: 'Victim', role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    // The victim's own browser signed in from home once.
    const home = '198.18.0.1';
    expect((await signIn(auth, victim.email, victim.password, { from: home })).status).toBe(200);

    // Someone else guesses, from a new address every time.
    const guess = (password: string) => signIn(auth, victim.email, password);
    for (let i = 0; i < FAILURES_BEFORE_DELAY; i++) expect((await guess(`guess-number-${i}`)).status).toBe(401);
    // Now every address but home waits, even with the right password; other accounts do not.
    const waiting = await guess(victim.password);
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe(String(FIRST_DELAY_MS / 1000));
    expect((await signIn(auth, ADMIN.email, ADMIN.password)).status).toBe(200);
    // An unknown account is slowed down the same way (no enumeration).
    for (let i = 0; i < FAILURES_BEFORE_DELAY; i++) expect((await signIn(auth, 'nobody-at-all@ticks.test', `guess-${i}`)).status).toBe(401);
    expect((await signIn(auth, 'nobody-at-all@ticks.test', 'one-more-guess')).status).toBe(429);

    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // After the delay, one more attempt; a failure doubles the wait.
      vi.setSystemTime(Date.now() + FIRST_DELAY_MS + 1000);
      expect((await guess('one-more-wrong-guess')).status).toBe(401);
      const longer = await guess(victim.password);
      expect(longer.status).toBe(429);
      expect(longer.headers.get('retry-after')).toBe(String((2 * FIRST_DELAY_MS) / 1000));
      // Home is not held up by the guessing; the right password works there at once.
      expect((await signIn(auth, victim.email, victim.password, { from: home })).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('authorizeRequest names who is calling', async () => {
    expect(await authorizeRequest(request('/', agent), deps)).toMatchObject({ kind: 'user', email: AGENT.email, role: 'agent' });
    expect(await authorizeRequest(request('/', { key: ENV_KEY }), deps)).toMatchObject({ kind: 'api-key', name: 'INBOX_API_KEY' });
  });
});
