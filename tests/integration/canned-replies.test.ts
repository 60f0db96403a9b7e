import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '@/db/client';
import { postUser } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import type { ApiCannedReply, GetCannedRepliesResponse } from '@/lib/contracts/canned-replies';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { deleteCannedReplyRoute, getCannedReplies, patchCannedReply, postCannedReply } from '@/lib/inbox/canned-replies-api';
import type { ReadApiDeps } from '@/lib/inbox/read-api';
import { CHANGES_CHANNEL, decodeChange, type Topic } from '@/lib/realtime/changes';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Canned replies on PGlite and on PostgreSQL, through the handlers the routes call: shared ones are
// everyone's to read and admins' to manage (agents and API keys: 403), personal ones are their owner's
// alone (to anyone else: not listed, 404), shortcuts are checked (400) and unique per scope whatever the
// case (409), and every change is a notice on the canned-replies topic.

const ADMIN = { email: 'admin@canned.test', password: 'admin-password-123' };
const ANA = { email: 'ana@canned.test', password: 'agent-password-123', name: 'Ana' };
const BO = { email: 'bo@canned.test', password: 'agent-password-123', name: 'Bo' };
const API_KEY = 'canned-test-key-0123456789';

describe.each(dbKinds)('canned replies on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: ReadApiDeps;
  let admin: { cookie: string };
  let ana: { cookie: string };
  let bo: { cookie: string };
  const key = { key: API_KEY };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'canned-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: API_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    const auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    const accessDeps = { db, apiKey: API_KEY, auth };
    deps = accessDeps;
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    for (const agent of [ANA, BO]) {
      const created = await postUser(
        request('/api/admin/users', admin, { method: 'POST', body: { ...agent, role: 'agent' }, origin: ORIGIN }),
        accessDeps,
      );
      expect(created.status).toBe(201);
    }
    ana = await sessionCookie(auth, ANA.email, ANA.password);
    bo = await sessionCookie(auth, BO.email, BO.password);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // ---- Calls ----

  const call = (route: ApiRoute<ReadApiDeps>, path: string, credential: Credential, init: { method?: string; body?: unknown } = {}) =>
    withApiErrors(route)(request(path, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }), deps, {
      id: path.split('/')[3] ?? '',
    });
  async function json<T>(res: Response, status = 200): Promise<T> {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  }
  const list = async (credential: Credential) =>
    (await json<GetCannedRepliesResponse>(await call(getCannedReplies, '/api/canned-replies', credential))).cannedReplies;
  const create = (credential: Credential, body: Record<string, unknown>) =>
    call(postCannedReply, '/api/canned-replies', credential, { method: 'POST', body });
  const created = async (credential: Credential, body: Record<string, unknown>) =>
    json<ApiCannedReply>(await create(credential, body), 201);
  const patch = (credential: Credential, id: string, body: Record<string, unknown>) =>
    call(patchCannedReply, `/api/canned-replies/${id}`, credential, { method: 'PATCH', body });
  const remove = (credential: Credential, id: string) =>
    call(deleteCannedReplyRoute, `/api/canned-replies/${id}`, credential, { method: 'DELETE' });
  async function errorOf(res: Response, status: number): Promise<{ code: string; message: string }> {
    expect(res.status, await res.clone().text()).toBe(status);
    return ((await res.json()) as { error: { code: string; message: string } }).error;
  }

  /** The topics of the change notices delivered while `run` runs (waits for at least one). */
  async function topicsDuring(run: () => Promise<unknown>): Promise<Topic[]> {
    const topics: Topic[] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => topics.push(...(decodeChange(payload)?.topics ?? [])));
    try {
      await run();
      await expect.poll(() => topics.length, { timeout: 5000 }).toBeGreaterThan(0);
      return topics;
    } finally {
      await unlisten();
    }
  }

  // ---- Scopes ----

  it('lists the shared replies and the caller’s own, by shortcut; an API key sees the shared ones only', async () => {
    const thanks = await created(admin, { shortcut: 'thanks', body: 'Thank you, {{contact.name}}!', scope: 'shared' });
    const hours = await created(admin, { shortcut: 'Hours', body: 'We open 9 to 5.', scope: 'shared' });
    const anaOwn = await created(ana, { shortcut: 'intro', body: 'Hi, I am {{agent.name}}.', scope: 'personal' });
    const boOwn = await created(bo, { shortcut: 'bye', body: 'Bye!', scope: 'personal' });
    const adminOwn = await created(admin, { shortcut: 'admin-note', body: 'Mine.', scope: 'personal' });
    expect(thanks).toEqual({ id: expect.any(String), shortcut: 'thanks', body: 'Thank you, {{contact.name}}!', scope: 'shared' });
    expect(anaOwn.scope).toBe('personal');

    expect(await list(ana)).toEqual([hours, anaOwn, thanks]);
    expect(await list(bo)).toEqual([boOwn, hours, thanks]);
    // The admin sees the shared ones and their own, never an agent's.
    expect(await list(admin)).toEqual([adminOwn, hours, thanks]);
    expect(await list(key)).toEqual([hours, thanks]);
  });

  it('shared replies are for admins to manage: agents get 403 with a message, API keys 403', async () => {
    const shared = await created(admin, { shortcut: 'refund', body: 'Your refund is on its way.', scope: 'shared' });

    const byAgent = await errorOf(await create(ana, { shortcut: 'agent-shared', body: 'x', scope: 'shared' }), 403);
    expect(byAgent.message).toMatch(/Only admins can manage shared canned replies/);
    expect((await errorOf(await patch(ana, shared.id, { body: 'Changed' }), 403)).code).toBe('forbidden');
    expect((await errorOf(await remove(ana, shared.id), 403)).code).toBe('forbidden');

    expect((await create(key, { shortcut: 'key-shared', body: 'x', scope: 'shared' })).status).toBe(403);
    expect((await create(key, { shortcut: 'key-own', body: 'x', scope: 'personal' })).status).toBe(403);
    expect((await patch(key, shared.id, { body: 'Changed' })).status).toBe(403);
    expect((await remove(key, shared.id)).status).toBe(403);

    expect((await list(bo)).find((r) => r.id === shared.id)?.body).toBe('Your refund is on its way.');

    const edited = await json<ApiCannedReply>(
      await patch(admin, shared.id, { shortcut: 'refund-sent', body: 'Refunded, {{contact.name}}.' }),
    );
    expect(edited).toEqual({ id: shared.id, shortcut: 'refund-sent', body: 'Refunded, {{contact.name}}.', scope: 'shared' });
    expect((await remove(admin, shared.id)).status).toBe(204);
    expect((await list(ana)).some((r) => r.id === shared.id)).toBe(false);
    expect((await remove(admin, shared.id)).status).toBe(404);
  });

  it('a personal reply is its owner’s alone: anyone else, an admin included, gets 404', async () => {
    const own = await created(ana, { shortcut: 'follow-up', body: 'Following up on your order.', scope: 'personal' });
    for (const other of [bo, admin]) {
      expect((await list(other)).some((r) => r.id === own.id)).toBe(false);
      expect((await errorOf(await patch(other, own.id, { body: 'Hijacked' }), 404)).code).toBe('not_found');
      expect((await errorOf(await remove(other, own.id), 404)).code).toBe('not_found');
    }

    const edited = await json<ApiCannedReply>(await patch(ana, own.id, { body: 'Following up, {{contact.name}}.' }));
    expect(edited).toEqual({ ...own, body: 'Following up, {{contact.name}}.' });
    expect((await remove(ana, own.id)).status).toBe(204);
    expect((await list(ana)).some((r) => r.id === own.id)).toBe(false);
    for (const id of ['999999999', 'abc', '-1']) expect((await patch(ana, id, { body: 'x' })).status).toBe(404);
  });

  // ---- Input ----

  it('refuses a bad shortcut or body with 400 naming the field', async () => {
    const bad = [
      [{ shortcut: '', body: 'x', scope: 'personal' }, 'shortcut'],
      [{ shortcut: 'has space', body: 'x', scope: 'personal' }, 'shortcut'],
      [{ shortcut: 'slash/inside', body: 'x', scope: 'personal' }, 'shortcut'],
      [{ shortcut: 'x'.repeat(33), body: 'x', scope: 'personal' }, 'shortcut'],
      [{ shortcut: 'ok', body: '', scope: 'personal' }, 'body'],
      [{ shortcut: 'ok', body: '   ', scope: 'personal' }, 'body'],
      [{ shortcut: 'ok', body: 'x'.repeat(4097), scope: 'personal' }, 'body'],
      [{ shortcut: 'ok', body: 'nul\0here', scope: 'personal' }, 'body'],
      [{ shortcut: 'ok', body: 'x', scope: 'team' }, 'scope'],
      [{ shortcut: 'ok', body: 'x' }, 'scope'],
    ] as const;
    for (const [body, field] of bad) {
      const error = await errorOf(await create(ana, body), 400);
      expect(error.message, JSON.stringify(body)).toMatch(new RegExp(`\\b${field}\\b`));
    }
    // The limits themselves are allowed, and so are letters beyond ASCII.
    await created(ana, { shortcut: 'x'.repeat(32), body: 'x'.repeat(4096), scope: 'personal' });
    await created(ana, { shortcut: 'größe_2-b', body: 'ok', scope: 'personal' });

    const own = await created(ana, { shortcut: 'to-patch', body: 'x', scope: 'personal' });
    expect((await errorOf(await patch(ana, own.id, {}), 400)).message).toMatch(/shortcut or body/);
    expect((await errorOf(await patch(ana, own.id, { shortcut: 'a b' }), 400)).message).toMatch(/shortcut/);
    expect((await errorOf(await patch(ana, own.id, { scope: 'shared' }), 400)).message).toMatch(/scope/);
  });

  it('a shortcut is unique in its scope whatever the case (409 on the shortcut), not across scopes or owners', async () => {
    await created(admin, { shortcut: 'Greeting', body: 'Hello!', scope: 'shared' });
    const dup = await errorOf(await create(admin, { shortcut: 'greeting', body: 'Hi!', scope: 'shared' }), 409);
    expect(dup).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^shortcut: a shared canned reply already has/) });

    // A personal reply may share a shared one's shortcut, and two agents may each have the same one.
    const anaGreeting = await created(ana, { shortcut: 'GREETING', body: 'Hey!', scope: 'personal' });
    await created(bo, { shortcut: 'greeting', body: 'Yo!', scope: 'personal' });
    expect((await errorOf(await create(ana, { shortcut: 'Greeting', body: 'Again', scope: 'personal' }), 409)).message).toMatch(
      /^shortcut: one of your canned replies/,
    );

    // Renaming onto a taken shortcut: 409, nothing changed; onto its own in another case: fine.
    const other = await created(ana, { shortcut: 'other', body: 'Other', scope: 'personal' });
    expect((await patch(ana, other.id, { shortcut: 'greeting', body: 'Changed' })).status).toBe(409);
    expect((await list(ana)).find((r) => r.id === other.id)).toEqual(other);
    expect(await json<ApiCannedReply>(await patch(ana, anaGreeting.id, { shortcut: 'Greeting' }))).toMatchObject({ shortcut: 'Greeting' });
    // The transaction is still usable after a refused rename.
    expect(await json<ApiCannedReply>(await patch(ana, other.id, { shortcut: 'other-2' }))).toMatchObject({ shortcut: 'other-2' });
  });

  it('at the same moment, one of several equal shortcuts wins and the others get 409', async () => {
    const creates = await Promise.all(
      Array.from({ length: 5 }, (_, i) => create(bo, { shortcut: i % 2 ? 'Race' : 'race', body: `try ${i}`, scope: 'personal' })),
    );
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);

    const renamed = await Promise.all(
      ['one', 'two', 'three'].map(async (name) => {
        const own = await created(bo, { shortcut: `rename-${name}`, body: name, scope: 'personal' });
        return own.id;
      }),
    ).then((ids) => Promise.all(ids.map((id) => patch(bo, id, { shortcut: 'renamed' }))));
    expect(renamed.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await list(bo)).filter((r) => r.shortcut.toLowerCase() === 'renamed')).toHaveLength(1);
  });

  // ---- Notices ----

  it('every change is a notice on the canned-replies topic', async () => {
    let id = '';
    expect(
      await topicsDuring(async () => {
        id = (await created(ana, { shortcut: 'noticed', body: 'x', scope: 'personal' })).id;
      }),
    ).toContain('canned-replies');
    expect(await topicsDuring(() => patch(ana, id, { body: 'y' }))).toContain('canned-replies');
    expect(await topicsDuring(() => remove(ana, id))).toContain('canned-replies');
  });
});
