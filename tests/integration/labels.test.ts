import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '@/db/client';
import { listConversations, listKeyOf } from '@/db/queries/conversations';
import { businessNumbers, contacts, conversations } from '@/db/schema';
import { postUser } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import type { GetConversationResponse, GetConversationsResponse } from '@/lib/contracts/inbox';
import type { ApiLabel, GetLabelsResponse } from '@/lib/contracts/labels';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { deleteConversationLabel, deleteLabelRoute, getLabels, patchLabel, postLabel, putConversationLabel } from '@/lib/inbox/labels-api';
import { getConversation, getConversations, type ReadApiDeps } from '@/lib/inbox/read-api';
import { postConversationStatus } from '@/lib/inbox/status-api';
import { CHANGES_CHANNEL, decodeChange } from '@/lib/realtime/changes';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { noticesDuring as noticesOf } from '../helpers/change-notices';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Labels on PGlite and on PostgreSQL, through the handlers the routes call: admins define them (names
// unique whatever the case, a colour of the palette), anyone in the inbox puts them on conversations and
// takes them off (again is no change), conversations carry them, the list filters by one (with the status
// tab, page by page), deleting one takes it off every conversation, and every change is a change notice.

const ADMIN = { email: 'admin@labels.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@labels.test', password: 'agent-password-123', name: 'Agent Label' };
const API_KEY = 'labels-test-key-0123456789';

describe.each(dbKinds)('labels on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: ReadApiDeps;
  let admin: { cookie: string };
  let agent: { cookie: string };
  const key = { key: API_KEY };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'labels-test-secret',
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
    const created = await postUser(
      request('/api/admin/users', admin, { method: 'POST', body: { ...AGENT, role: 'agent' }, origin: ORIGIN }),
      accessDeps,
    );
    expect(created.status).toBe(201);
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // ---- Calls ----

  const call = (route: ApiRoute<ReadApiDeps>, path: string, credential: Credential, init: { method?: string; body?: unknown } = {}) =>
    withApiErrors(route)(
      request(path, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }),
      deps,
      paramsOf(route.spec.path, path),
    );
  /** The path parameters of `path` as the route's pattern names them. */
  function paramsOf(pattern: string, path: string): Record<string, string> {
    const names = [...pattern.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const regex = new RegExp(`^${pattern.replace(/\{\w+\}/g, '([^/?]+)')}`);
    const values = path.match(regex)?.slice(1) ?? [];
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(values[i] ?? '')]));
  }
  async function json<T>(res: Response, status = 200): Promise<T> {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  }
  const unique = (name: string) => `${name} ${randomUUID().slice(0, 8)}`;
  const createLabel = async (name = unique('Label'), colour = 'sky') =>
    json<ApiLabel>(await call(postLabel, '/api/admin/labels', admin, { method: 'POST', body: { name, colour } }), 201);
  const addLabel = (conversationId: string, labelId: string, credential: Credential = key) =>
    call(putConversationLabel, `/api/conversations/${conversationId}/labels/${labelId}`, credential, { method: 'PUT' });
  const removeLabel = (conversationId: string, labelId: string, credential: Credential = key) =>
    call(deleteConversationLabel, `/api/conversations/${conversationId}/labels/${labelId}`, credential, { method: 'DELETE' });
  const conversation = async (id: string) => json<GetConversationResponse>(await call(getConversation, `/api/conversations/${id}`, key));
  const labelsList = async () => (await json<GetLabelsResponse>(await call(getLabels, '/api/labels', agent))).labels;
  async function allPages(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const path = `/api/conversations?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: GetConversationsResponse = await json(await call(getConversations, path, key));
      ids.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  // ---- Conversations, written directly: labels care only that they exist and their order ----

  let seq = 0;
  /** `count` conversations on a fresh number, one minute apart; their ids, oldest first. */
  async function newConversations(count: number): Promise<{ number: string; ids: string[] }> {
    seq += 1;
    const number = `2065403${String(seq).padStart(8, '0')}${kind === 'pglite' ? 1 : 2}`;
    await db.insert(businessNumbers).values({ phoneNumberId: number, displayPhoneNumber: `1555${seq}` });
    const ids: string[] = [];
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < count; i++) {
      const [contact] = await db
        .insert(contacts)
        .values({ waId: `4917${number.slice(-9)}${i}`, name: `Customer ${i}` })
        .returning({ id: contacts.id });
      const [row] = await db
        .insert(conversations)
        .values({ phoneNumberId: number, contactId: contact!.id, lastMessageAt: new Date(t0 + i * 60_000) })
        .returning({ id: conversations.id });
      ids.push(String(row!.id));
    }
    return { number, ids };
  }

  const noticesDuring = (run: () => Promise<unknown>, expectedAtLeast: number) => noticesOf(database, run, expectedAtLeast);

  // ---- Managing labels ----

  it('admins create, rename, recolour and delete labels; everyone in the inbox lists them by name with their counts', async () => {
    const suffix = randomUUID().slice(0, 8);
    const zebra = await createLabel(`  zebra ${suffix}  `, 'pink');
    expect(zebra).toEqual({ id: expect.any(String), name: `zebra ${suffix}`, colour: 'pink' });
    const apple = await createLabel(`Apple ${suffix}`, 'emerald');
    const mine = (await labelsList()).filter((l) => l.name.endsWith(suffix));
    expect(mine.map((l) => l.name)).toEqual([`Apple ${suffix}`, `zebra ${suffix}`]);
    expect(mine[0]).toEqual({ ...apple, conversationCount: 0 });
    for (const credential of [agent, key, admin]) expect((await call(getLabels, '/api/labels', credential)).status).toBe(200);

    const renamed = await json<ApiLabel>(
      await call(patchLabel, `/api/admin/labels/${zebra.id}`, admin, { method: 'PATCH', body: { name: `Aardvark ${suffix}` } }),
    );
    expect(renamed).toEqual({ id: zebra.id, name: `Aardvark ${suffix}`, colour: 'pink' });
    const recoloured = await json<ApiLabel>(
      await call(patchLabel, `/api/admin/labels/${zebra.id}`, admin, { method: 'PATCH', body: { colour: 'violet' } }),
    );
    expect(recoloured).toEqual({ id: zebra.id, name: `Aardvark ${suffix}`, colour: 'violet' });
    // Renaming to its own name in another case is no clash with itself.
    expect(
      (await call(patchLabel, `/api/admin/labels/${zebra.id}`, admin, { method: 'PATCH', body: { name: `AARDVARK ${suffix}` } })).status,
    ).toBe(200);
    expect((await labelsList()).filter((l) => l.name.endsWith(suffix)).map((l) => l.id)).toEqual([zebra.id, apple.id]);

    const deleted = await call(deleteLabelRoute, `/api/admin/labels/${zebra.id}`, admin, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await labelsList()).some((l) => l.id === zebra.id)).toBe(false);
    expect((await call(deleteLabelRoute, `/api/admin/labels/${zebra.id}`, admin, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a duplicate name whatever its case with 409, and a bad body with 400 naming the field', async () => {
    const label = await createLabel(unique('Urgent'), 'red');
    const other = await createLabel();
    const clash = await call(postLabel, '/api/admin/labels', admin, {
      method: 'POST',
      body: { name: ` ${label.name.toUpperCase()} `, colour: 'amber' },
    });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already exists/),
    });
    const renameClash = await call(patchLabel, `/api/admin/labels/${other.id}`, admin, {
      method: 'PATCH',
      body: { name: label.name.toLowerCase() },
    });
    expect(renameClash.status).toBe(409);

    const cases: [unknown, RegExp][] = [
      [{ name: '   ', colour: 'red' }, /name/],
      [{ name: 'x'.repeat(51), colour: 'red' }, /name: must be at most 50/],
      [{ name: 'Fine', colour: 'chartreuse' }, /colour/],
      [{ colour: 'red' }, /name/],
      [{ name: 'Fine' }, /colour/],
    ];
    for (const [body, message] of cases) {
      const res = await call(postLabel, '/api/admin/labels', admin, { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, JSON.stringify(body)).toMatch(message);
    }
    for (const [body, message] of [
      [{}, /name or colour/],
      [{ colour: 'blue' }, /colour/],
      [{ name: '' }, /name/],
    ] as const) {
      const res = await call(patchLabel, `/api/admin/labels/${other.id}`, admin, { method: 'PATCH', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    // Fifty characters after trimming is fine.
    const longest = `${randomUUID()}${'y'.repeat(14)}`;
    expect((await createLabel(` ${longest} `)).name).toBe(longest);
    expect(await labelsList()).toContainEqual({ ...other, conversationCount: 0 });
  });

  it('answers 404 for a label that does not exist', async () => {
    for (const id of ['999999999', 'abc', '-1', '99999999999999999999']) {
      expect((await call(patchLabel, `/api/admin/labels/${id}`, admin, { method: 'PATCH', body: { colour: 'red' } })).status, id).toBe(404);
      expect((await call(deleteLabelRoute, `/api/admin/labels/${id}`, admin, { method: 'DELETE' })).status, id).toBe(404);
    }
    const { ids } = await newConversations(1);
    expect((await addLabel(ids[0]!, '999999999')).status).toBe(404);
    expect((await removeLabel(ids[0]!, '999999999')).status).toBe(404);
    const label = await createLabel();
    expect((await addLabel('999999999', label.id)).status).toBe(404);
    expect((await removeLabel('abc', label.id)).status).toBe(404);
  });

  it('only admins manage labels: agents and API keys 403, nobody 401', async () => {
    const label = await createLabel();
    const attempts = [
      (c: Credential) => call(postLabel, '/api/admin/labels', c, { method: 'POST', body: { name: unique('Nope'), colour: 'red' } }),
      (c: Credential) => call(patchLabel, `/api/admin/labels/${label.id}`, c, { method: 'PATCH', body: { colour: 'red' } }),
      (c: Credential) => call(deleteLabelRoute, `/api/admin/labels/${label.id}`, c, { method: 'DELETE' }),
    ];
    for (const attempt of attempts) {
      expect((await attempt(agent)).status).toBe(403);
      expect((await attempt(key)).status).toBe(403);
      expect((await attempt(null)).status).toBe(401);
    }
    expect((await labelsList()).find((l) => l.id === label.id)).toEqual({ ...label, conversationCount: 0 });
    expect((await call(getLabels, '/api/labels', null)).status).toBe(401);
  });

  // ---- Labels on conversations ----

  it('agents, admins and API keys add and remove labels, again is no change; conversations carry them by name', async () => {
    const { ids } = await newConversations(1);
    const id = ids[0]!;
    const suffix = randomUUID().slice(0, 8);
    const billing = await createLabel(`billing ${suffix}`, 'amber');
    const vip = await createLabel(`VIP ${suffix}`, 'violet');
    expect((await conversation(id)).labels).toEqual([]);

    const added = await json<GetConversationResponse>(await addLabel(id, vip.id, agent));
    expect(added).toEqual(await conversation(id));
    expect(added.labels).toEqual([vip]);
    // Again: the same answer, nothing doubled.
    expect((await json<GetConversationResponse>(await addLabel(id, vip.id, admin))).labels).toEqual([vip]);
    expect((await json<GetConversationResponse>(await addLabel(id, billing.id, key))).labels).toEqual([billing, vip]);

    const [row] = (await json<GetConversationsResponse>(await call(getConversations, `/api/conversations?labelId=${vip.id}`, key)))
      .conversations;
    expect(row).toMatchObject({ id, labels: [billing, vip] });
    expect((await labelsList()).find((l) => l.id === vip.id)?.conversationCount).toBe(1);

    expect((await json<GetConversationResponse>(await removeLabel(id, vip.id, agent))).labels).toEqual([billing]);
    expect((await json<GetConversationResponse>(await removeLabel(id, vip.id, key))).labels).toEqual([billing]);
    expect((await conversation(id)).labels).toEqual([billing]);
    expect((await removeLabel(id, billing.id, null)).status).toBe(401);
  });

  it('a rename or recolour shows on every conversation carrying the label', async () => {
    const { ids } = await newConversations(2);
    const label = await createLabel();
    for (const id of ids) await addLabel(id, label.id);
    const name = unique('Renamed');
    await call(patchLabel, `/api/admin/labels/${label.id}`, admin, { method: 'PATCH', body: { name, colour: 'slate' } });
    for (const id of ids) expect((await conversation(id)).labels).toEqual([{ id: label.id, name, colour: 'slate' }]);
  });

  it('deleting a label takes it off every conversation', async () => {
    const { ids } = await newConversations(3);
    const doomed = await createLabel();
    const kept = await createLabel();
    for (const id of ids) await addLabel(id, doomed.id);
    await addLabel(ids[0]!, kept.id);
    expect((await call(deleteLabelRoute, `/api/admin/labels/${doomed.id}`, admin, { method: 'DELETE' })).status).toBe(204);
    expect((await conversation(ids[0]!)).labels).toEqual([kept]);
    for (const id of ids.slice(1)) expect((await conversation(id)).labels).toEqual([]);
    const filtered = await call(getConversations, `/api/conversations?labelId=${doomed.id}`, key);
    expect((await json<GetConversationsResponse>(filtered)).conversations).toEqual([]);
  });

  // ---- The list filtered by a label ----

  it('filters the list by one label, page by page in activity order, with the status tab and the number', async () => {
    const { number, ids } = await newConversations(9);
    const other = await newConversations(3);
    const label = await createLabel();
    const unrelated = await createLabel();
    // Carried by conversations 1, 2, 4, 5, 7, 8 of this number and one on the other number.
    const carrying = ids.filter((_, i) => i % 3 !== 0);
    for (const id of carrying) await addLabel(id, label.id);
    await addLabel(other.ids[0]!, label.id);
    await addLabel(ids[0]!, unrelated.id);
    // Resolved: 2 and 5 (and 0, which lacks the label).
    for (const i of [0, 2, 5]) {
      const id = ids[i]!;
      const res = await withApiErrors(postConversationStatus)(
        request(`/api/conversations/${id}/status`, key, { method: 'POST', body: { status: 'resolved' } }),
        deps,
        { id },
      );
      expect(res.status).toBe(200);
    }
    const newestFirst = [...carrying].reverse();
    expect(await allPages(`limit=2&labelId=${label.id}&businessPhoneNumberId=${number}`)).toEqual(newestFirst);
    const resolved = new Set([ids[2], ids[5]]);
    expect(await allPages(`limit=2&labelId=${label.id}&status=open&businessPhoneNumberId=${number}`)).toEqual(
      newestFirst.filter((id) => !resolved.has(id)),
    );
    expect(await allPages(`limit=1&labelId=${label.id}&status=resolved&businessPhoneNumberId=${number}`)).toEqual([ids[5], ids[2]]);
    // Every number: this number's and the other's, in activity order.
    const everywhere = await allPages(`limit=3&labelId=${label.id}`);
    expect(new Set(everywhere)).toEqual(new Set([...carrying, other.ids[0]]));
    expect((await labelsList()).find((l) => l.id === label.id)?.conversationCount).toBe(7);

    // Both ways of reading a label's conversations (from its side, or walking the activity index) list the same.
    for (const fromLabelSide of [true, false]) {
      const walked = await listConversations(db, {
        limit: 50,
        labelId: Number(label.id),
        status: 'open',
        phoneNumberId: number,
        fromLabelSide,
      });
      expect(
        walked.rows.map((r) => String(r.id)),
        `fromLabelSide ${fromLabelSide}`,
      ).toEqual(newestFirst.filter((id) => !resolved.has(id)));
      const second = await listConversations(db, {
        limit: 2,
        labelId: Number(label.id),
        phoneNumberId: number,
        fromLabelSide,
        after: listKeyOf(walked.rows[1]!),
      });
      expect(second.rows.map((r) => String(r.id))).toEqual(
        newestFirst.slice(newestFirst.indexOf(String(walked.rows[1]!.id)) + 1, newestFirst.indexOf(String(walked.rows[1]!.id)) + 3),
      );
    }

    const bad = await call(getConversations, '/api/conversations?labelId=abc', key);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/labelId/);
  });

  // ---- Change notices ----

  it('every change is a change notice naming the conversations concerned', async () => {
    const { ids } = await newConversations(2);
    const label = await createLabel();
    const [a, b] = ids as [string, string];
    expect(await noticesDuring(() => addLabel(a, label.id), 1)).toContainEqual([Number(a)]);
    await addLabel(b, label.id);
    expect(await noticesDuring(() => removeLabel(b, label.id), 1)).toContainEqual([Number(b)]);
    await addLabel(b, label.id);
    const renamed = await noticesDuring(
      () => call(patchLabel, `/api/admin/labels/${label.id}`, admin, { method: 'PATCH', body: { colour: 'red' } }),
      1,
    );
    expect(renamed.map((c) => [...c].sort())).toContainEqual([Number(a), Number(b)].sort());
    const deleted = await noticesDuring(() => call(deleteLabelRoute, `/api/admin/labels/${label.id}`, admin, { method: 'DELETE' }), 1);
    expect(deleted.map((c) => [...c].sort())).toContainEqual([Number(a), Number(b)].sort());
  });

  it('adding a label already there, or removing one that is not, sends no notice', async () => {
    const { ids } = await newConversations(1);
    const id = ids[0]!;
    const label = await createLabel();
    await addLabel(id, label.id);
    const notices: number[][] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => {
      const change = decodeChange(payload);
      if (change?.conversations.includes(Number(id))) notices.push(change.conversations);
    });
    try {
      await addLabel(id, label.id);
      await removeLabel(id, label.id);
      await removeLabel(id, label.id);
      // The removal's notice arrives; the two no-ops before and after it sent none.
      await expect.poll(() => notices.length, { timeout: 5000 }).toBe(1);
      await addLabel(id, label.id);
      await expect.poll(() => notices.length, { timeout: 5000 }).toBe(2);
    } finally {
      await unlisten();
    }
  });
});
