import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '@/db/client';
import { deleteApiKey, getApiKeys, postApiKey, type CreateApiKeyResponse } from '@/lib/admin/api-keys-api';
import { getUsers, patchUser, postUser, type GetUsersResponse, type UserResponse } from '@/lib/admin/users-api';
import type { App } from '@/lib/app';
import { authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { FAILURES_BEFORE_DELAY, FIRST_DELAY_MS } from '@/lib/auth/sign-in-throttle';
import { parseEnv, type Env } from '@/lib/env';
import type { Access, AnyApiRoute } from '@/lib/http/route';
import { API_ROUTES } from '@/lib/http/routes';
import { postLabel, type ApiLabel } from '@/lib/inbox/labels-api';
import { getConversations } from '@/lib/inbox/read-api';
import { fileStorage } from '@/lib/media/storage';
import { ChangeHub } from '@/lib/realtime/hub';
import { routeTableApp } from '../helpers/app';
import { ORIGIN, request, sessionCookie, signIn, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Who may call what: every API route of the table with no credentials, a bad or revoked key, an agent's
// session, an admin's session and an API key.

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
    const created = await postUser(
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

  // Every route of the table (lib/http/routes.ts), called as each kind of caller: what it answers must be
  // what its declared access rule says. A route needs no entry here; one whose success needs a body or
  // a particular path parameter says so in `samples` (else its path parameters are placeholders, and
  // 404 counts as success: the caller got past the rule).
  let keyToRevoke = '0';
  let labelToEdit = '0';
  let labelToDelete = '0';
  let emails = 0;
  let testApp: App;
  const uploadStorage = fileStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-access-uploads-')));
  const samples: Record<
    string,
    {
      params?: () => Record<string, string>;
      query?: () => string;
      body?: () => unknown;
      deps?: (d: AccessDeps) => AccessDeps;
      mayFindNothing?: true;
    }
  > = {
    'POST /api/admin/users': {
      body: () => ({ email: `new${++emails}@ticks.test`, name: 'New', password: 'new-password-123', role: 'agent' }),
    },
    'PATCH /api/admin/users/{id}': { params: () => ({ id: agentId }), body: () => ({ name: AGENT.name }) },
    'POST /api/admin/api-keys': { body: () => ({ name: 'k' }) },
    'DELETE /api/admin/api-keys/{id}': { params: () => ({ id: keyToRevoke }) },
    'POST /api/admin/labels': { body: () => ({ name: `Access ${++emails} ${randomUUID().slice(0, 8)}`, colour: 'sky' }) },
    'PATCH /api/admin/labels/{id}': { params: () => ({ id: labelToEdit }), body: () => ({ colour: 'red' }) },
    'DELETE /api/admin/labels/{id}': { params: () => ({ id: labelToDelete }) },
    'POST /api/canned-replies': { body: () => ({ shortcut: `access-${++emails}`, body: 'Hello', scope: 'personal' }) },
    // No such reply: 404 once past the rule (canned-replies.test.ts tests who may change which).
    'PATCH /api/canned-replies/{id}': { params: () => ({ id: '999999999' }), body: () => ({ body: 'Hello again' }), mayFindNothing: true },
    'DELETE /api/canned-replies/{id}': { params: () => ({ id: '999999999' }), mayFindNothing: true },
    'POST /api/errors/processing/retry': { body: () => ({ all: true }), deps: (d) => ({ ...d, retryWaitMs: 0 }) },
    'POST /api/errors/processing/discard': { body: () => ({ ids: ['987654'] }) },
    // No such conversation: 404 once past the rule.
    'POST /api/conversations/{id}/messages': { body: () => ({ clientId: randomUUID(), type: 'text', text: 'Hola' }), mayFindNothing: true },
    // No such conversation: 404 once past the rule.
    'POST /api/conversations/{id}/status': { body: () => ({ status: 'resolved' }), mayFindNothing: true },
    // No such conversation: 404 once past the rule.
    'POST /api/conversations/{id}/assignee': { body: () => ({ assigneeId: null }), mayFindNothing: true },
    'PUT /api/me/availability': { body: () => ({ availability: 'available' }) },
    'PUT /api/admin/settings': { body: () => ({ autoAssignCap: 10 }) },
    'POST /api/conversations/{id}/notes': { body: () => ({ text: 'A private note' }), mayFindNothing: true },
    // No such number: 404 once past the rule.
    'GET /api/templates': { query: () => 'businessPhoneNumberId=1', mayFindNothing: true },
    'POST /api/admin/templates/sync': { deps: (d) => ({ ...d, templateSync: { enabled: true, request: async () => [] } }) as AccessDeps },
    'POST /api/conversations/{id}/typing': {
      deps: (d) => ({ ...d, signals: { enabled: true, typing: async () => 'sent' } }) as AccessDeps,
    },
    'GET /api/admin/export': { query: () => 'from=2026-01-01&to=2026-01-02' },
    'POST /api/presence': { body: () => ({ clientId: randomUUID(), conversationId: null, typing: false }) },
    'POST /api/presence/leave': { body: () => ({ clientId: randomUUID() }) },
    'PUT /api/me/notification-settings': { body: () => ({ notifyUnassigned: false }) },
    'POST /api/uploads': {
      body: () => {
        const form = new FormData();
        form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
        return form;
      },
      deps: (d) => ({ ...d, storage: uploadStorage }) as AccessDeps,
    },
  };
  // The rules as shipped. A new route needs no line here; changing one of these is a decision to make visibly.
  const SHIPPED: Record<string, Access> = {
    'GET /api/conversations': 'inbox',
    'GET /api/conversations/{id}/messages': 'inbox',
    'POST /api/conversations/{id}/read': 'inbox',
    'POST /api/conversations/{id}/status': 'inbox',
    'GET /api/conversations/counts': 'inbox',
    'GET /api/labels': 'inbox',
    'PUT /api/conversations/{id}/labels/{labelId}': 'inbox',
    'DELETE /api/conversations/{id}/labels/{labelId}': 'inbox',
    'POST /api/admin/labels': 'admin',
    'PATCH /api/admin/labels/{id}': 'admin',
    'DELETE /api/admin/labels/{id}': 'admin',
    'GET /api/canned-replies': 'inbox',
    'POST /api/canned-replies': 'session',
    'PATCH /api/canned-replies/{id}': 'session',
    'DELETE /api/canned-replies/{id}': 'session',
    'POST /api/conversations/{id}/messages': 'inbox',
    'POST /api/messages/{id}/retry': 'inbox',
    'GET /api/messages/{id}': 'inbox',
    'GET /api/business-numbers': 'inbox',
    'GET /api/templates': 'inbox',
    'POST /api/admin/templates/sync': 'admin',
    'POST /api/uploads': 'inbox',
    'POST /api/conversations/{id}/typing': 'inbox',
    'GET /api/events': 'inbox',
    'GET /api/errors/deliveries': 'inbox',
    'GET /api/errors/processing': 'inbox',
    'GET /api/errors/processing/{id}': 'inbox',
    'GET /api/errors/rejections': 'inbox',
    'GET /api/errors/account-events': 'inbox',
    'GET /api/media/{id}': 'inbox',
    'GET /api/openapi.json': 'inbox',
    'GET /api/admin/users': 'admin',
    'POST /api/admin/users': 'admin',
    'PATCH /api/admin/users/{id}': 'admin',
    'GET /api/admin/api-keys': 'admin',
    'POST /api/admin/api-keys': 'admin',
    'DELETE /api/admin/api-keys/{id}': 'admin',
    'GET /api/admin/analytics': 'admin',
    'POST /api/errors/processing/retry': 'admin',
    'POST /api/errors/processing/discard': 'admin',
    'POST /api/media/{id}/retry': 'admin',
    'GET /api/metrics': 'admin-or-key',
    'GET /api/health': 'public',
    'POST /api/conversations/{id}/assignee': 'inbox',
    'GET /api/me/availability': 'session',
    'PUT /api/me/availability': 'session',
    'GET /api/admin/settings': 'admin',
    'PUT /api/admin/settings': 'admin',
    'POST /api/presence': 'session',
    'POST /api/presence/leave': 'session',
    'GET /api/conversations/{id}/presence': 'session',
    'GET /api/me/notifications': 'session',
    'GET /api/me/mentions': 'session',
    'GET /api/me/notification-settings': 'session',
    'PUT /api/me/notification-settings': 'session',
    'GET /api/contacts/{id}/erase': 'admin',
    'POST /api/contacts/{id}/erase': 'admin',
    'GET /api/contacts/{id}/export': 'inbox',
    'GET /api/conversations/{id}/export': 'inbox',
    'GET /api/admin/export': 'admin',
  };
  const nameOf = (route: AnyApiRoute) => `${route.spec.method} ${route.spec.path}`;
  const routes = API_ROUTES.map((route) => [nameOf(route), route] as const);
  const withRule = (...rules: Access[]) => routes.filter(([, route]) => rules.includes(route.spec.access));

  /** Calls a route as `credential`, the way a browser or a client would (mutations from our origin). */
  const call = async (route: AnyApiRoute, credential: Credential, origin = ORIGIN) => {
    const sample = samples[nameOf(route)] ?? {};
    const params = sample.params?.() ?? placeholderParams(route.spec.path);
    const path =
      route.spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!)) +
      (sample.query ? `?${sample.query()}` : '');
    const mutation = route.spec.method !== 'GET';
    const req = request(path, credential, {
      method: route.spec.method,
      body: mutation ? sample.body?.() : undefined,
      origin: mutation ? origin : undefined,
    });
    const routeDeps = route.spec.deps(testApp);
    const res = await route(req, sample.deps ? sample.deps(routeDeps) : routeDeps, params);
    // The event stream stays open: its status is all we need.
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
    return res;
  };
  const placeholderParams = (path: string) =>
    Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, name === 'wamid' ? 'wamid.x' : '1']));
  /** Past the access rule: a route with a sample succeeds; one without may find nothing (404). */
  const expectAllowed = async (route: AnyApiRoute, credential: Credential) => {
    const { status } = await call(route, credential);
    const sample = samples[nameOf(route)];
    if (sample && !sample.mayFindNothing) expect(status, nameOf(route)).toBeLessThan(300);
    else expect([200, 202, 404], nameOf(route)).toContain(status);
  };

  // biome-ignore lint/suspicious/noDuplicateTestHooks: the route table's set-up, beside the samples it uses; runs after the accounts above
  beforeAll(async () => {
    hub = await ChangeHub.start(testDb.database);
    testApp = routeTableApp(db, deps, env, hub);
    const res = await postApiKey(
      request('/api/admin/api-keys', admin, { method: 'POST', body: { name: 'to revoke' }, origin: ORIGIN }),
      deps,
    );
    keyToRevoke = ((await res.json()) as CreateApiKeyResponse).apiKey.id;
    const newLabel = async (name: string) => {
      const made = await postLabel(
        request('/api/admin/labels', admin, { method: 'POST', body: { name, colour: 'amber' }, origin: ORIGIN }),
        deps,
      );
      expect(made.status).toBe(201);
      return ((await made.json()) as ApiLabel).id;
    };
    labelToEdit = await newLabel(`To edit ${randomUUID()}`);
    labelToDelete = await newLabel(`To delete ${randomUUID()}`);
  });
  // biome-ignore lint/suspicious/noDuplicateTestHooks: pairs with the set-up just above
  afterAll(async () => {
    await hub?.stop();
  });

  it('every route keeps the rule it shipped with', () => {
    const declared = Object.fromEntries(routes.map(([name, route]) => [name, route.spec.access]));
    for (const [name, access] of Object.entries(SHIPPED)) expect(declared[name], name).toBe(access);
  });

  it.each(withRule('inbox', 'admin', 'admin-or-key', 'session'))('%s: 401 without a session or key', async (_, route) => {
    const res = await call(route, null);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it.each(withRule('inbox', 'admin', 'admin-or-key', 'session'))('%s: 401 with an unknown key or a forged cookie', async (_, route) => {
    expect((await call(route, { key: 'ticks_not-a-real-key' })).status).toBe(401);
    expect((await call(route, { cookie: 'ticks.session_token=forged.value' })).status).toBe(401);
  });

  it.each(withRule('public'))('%s: open to anyone', async (_, route) => {
    await expectAllowed(route, null);
  });

  it.each(withRule('inbox'))('%s: open to agents, admins and API keys', async (_, route) => {
    for (const credential of [agent, admin, { key: ENV_KEY }]) await expectAllowed(route, credential);
  });

  it.each(withRule('admin'))('%s: 403 for an agent and for API keys, allowed for an admin', async (_, route) => {
    const asAgent = await call(route, agent);
    expect(asAgent.status).toBe(403);
    expect(await asAgent.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(route, { key: ENV_KEY })).status).toBe(403);
    await expectAllowed(route, admin);
  });

  it.each(withRule('admin-or-key'))('%s: for API keys and admins; 403 for agents', async (_, route) => {
    expect((await call(route, agent)).status).toBe(403);
    await expectAllowed(route, admin);
    await expectAllowed(route, { key: ENV_KEY });
  });

  it.each(withRule('session'))('%s: for agents and admins; 403 for API keys', async (_, route) => {
    const asKey = await call(route, { key: ENV_KEY });
    expect(asKey.status).toBe(403);
    expect(await asKey.json()).toMatchObject({ error: { code: 'forbidden' } });
    for (const credential of [agent, admin]) await expectAllowed(route, credential);
  });

  it.each(routes.filter(([, route]) => route.spec.method !== 'GET'))(
    '%s: a cross-site request with a session cookie is refused (403)',
    async (_, route) => {
      expect((await call(route, admin, 'https://evil.example')).status).toBe(403);
    },
  );

  it('an API key created by an admin works until it is revoked, then gets 401', async () => {
    const created = await postApiKey(
      request('/api/admin/api-keys', admin, { method: 'POST', body: { name: 'CRM sync' }, origin: ORIGIN }),
      deps,
    );
    expect(created.status).toBe(201);
    const { key, apiKey } = (await created.json()) as CreateApiKeyResponse;
    expect(key).toMatch(/^ticks_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);

    // Listed without the key itself.
    const listed = await (await getApiKeys(request('/api/admin/api-keys', admin), deps)).text();
    expect(listed).toContain('CRM sync');
    expect(listed).not.toContain(key);

    expect((await getConversations(request('/api/conversations', { key }), deps)).status).toBe(200);
    const revoked = await deleteApiKey(request(`/api/admin/api-keys/${apiKey.id}`, admin, { method: 'DELETE', origin: ORIGIN }), deps, {
      id: apiKey.id,
    });
    expect(revoked.status).toBe(200);
    expect((await getConversations(request('/api/conversations', { key }), deps)).status).toBe(401);
  });

  it('a deactivated user is signed out at once and cannot sign in again; reactivated, they can', async () => {
    const other = { email: 'temp@ticks.test', password: 'temp-password-123' };
    const created = await postUser(
      request('/api/admin/users', admin, { method: 'POST', body: { ...other, name: 'Temp', role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    const { user } = (await created.json()) as UserResponse;
    const session = await sessionCookie(auth, other.email, other.password);
    expect((await getConversations(request('/api/conversations', session), deps)).status).toBe(200);

    const deactivate = await patchUser(
      request(`/api/admin/users/${user.id}`, admin, { method: 'PATCH', body: { active: false }, origin: ORIGIN }),
      deps,
      { id: user.id },
    );
    expect(deactivate.status).toBe(200);
    expect(((await deactivate.json()) as UserResponse).user.active).toBe(false);
    expect((await getConversations(request('/api/conversations', session), deps)).status).toBe(401);
    expect((await signIn(auth, other.email, other.password)).status).toBe(401);

    await patchUser(request(`/api/admin/users/${user.id}`, admin, { method: 'PATCH', body: { active: true }, origin: ORIGIN }), deps, {
      id: user.id,
    });
    expect((await signIn(auth, other.email, other.password)).status).toBe(200);
  });

  it('a role change applies to the next request of an existing session', async () => {
    const promote = (role: string) =>
      patchUser(request(`/api/admin/users/${agentId}`, admin, { method: 'PATCH', body: { role }, origin: ORIGIN }), deps, { id: agentId });
    expect((await promote('admin')).status).toBe(200);
    expect((await getUsers(request('/api/admin/users', agent), deps)).status).toBe(200);
    expect((await promote('agent')).status).toBe(200);
    expect((await getUsers(request('/api/admin/users', agent), deps)).status).toBe(403);
  });

  it('no dead ends: the last admin cannot be demoted or deactivated, nobody deactivates themselves', async () => {
    const users = ((await (await getUsers(request('/api/admin/users', admin), deps)).json()) as GetUsersResponse).users;
    const me = users.find((u) => u.email === ADMIN.email)!;
    for (const body of [{ active: false }, { role: 'agent' }]) {
      const res = await patchUser(request(`/api/admin/users/${me.id}`, admin, { method: 'PATCH', body, origin: ORIGIN }), deps, {
        id: me.id,
      });
      expect(res.status).toBe(409);
    }
  });

  it('refuses bad input with 400/409/415 and a message', async () => {
    const post = (body: unknown, contentType = true) =>
      postUser(
        new Request(`${ORIGIN}/api/admin/users`, {
          method: 'POST',
          headers: {
            cookie: admin.cookie,
            origin: ORIGIN,
            host: 'ticks.test',
            ...(contentType ? { 'content-type': 'application/json' } : {}),
          },
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
    const res = await postApiKey(
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
      signIn(auth, `guess-${++guess}@ticks.test`, 'guessing-password', {
        from: address,
        headers: { 'x-forwarded-for': `192.0.2.${guess}` },
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await from('203.0.113.7'));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await answers[3]!.json()).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    expect((await from('203.0.113.8')).status).toBe(401);
  });

  it('an account that keeps failing waits longer after each failure, from every address, without slowing others; its own address still gets in', async () => {
    const victim = { email: 'victim@ticks.test', password: 'victim-password-123' };
    await postUser(
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
    // The wait counts from the last failure (a busy machine may take a few seconds to get here).
    const retryAfter = Number(waiting.headers.get('retry-after'));
    expect(retryAfter).toBeLessThanOrEqual(FIRST_DELAY_MS / 1000);
    expect(retryAfter).toBeGreaterThan(FIRST_DELAY_MS / 1000 - 20);
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
