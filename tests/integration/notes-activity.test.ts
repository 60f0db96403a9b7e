import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import { mentionsOf } from '@/db/queries/activity';
import { deleteApiKey, postApiKey } from '@/lib/admin/api-keys-api';
import { getAudit } from '@/lib/admin/audit-api';
import { patchUser, postUser } from '@/lib/admin/users-api';
import type { Auth } from '@/lib/auth/auth';
import { createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import type { ApiActivityEntry, GetActivityResponse } from '@/lib/contracts/activity';
import type { CreateApiKeyResponse, UserResponse } from '@/lib/contracts/admin';
import type { GetAuditResponse } from '@/lib/contracts/audit';
import type { GetMessageResponse } from '@/lib/contracts/inbox';
import type { ApiLabel } from '@/lib/contracts/labels';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { getConversationActivity, postConversationNote } from '@/lib/inbox/activity-api';
import { deleteConversationLabel, postLabel, putConversationLabel } from '@/lib/inbox/labels-api';
import { SnoozeWaker } from '@/lib/inbox/snooze-waker';
import { postConversationStatus } from '@/lib/inbox/status-api';
import { postConversationMessage, postMessageRetry, type OutboxApiDeps } from '@/lib/outbox/outbox-api';
import { OutboxSender } from '@/lib/outbox/sender';
import { CHANGES_CHANNEL, decodeChange, type ChangeNotice } from '@/lib/realtime/changes';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { type FakeGraph, startFakeGraph } from '@/tools/fake-graph';
import { messagesBody, textMessage } from '@/tools/meta-envelopes';
import { fileStorage } from '@/lib/media/storage';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';
import os from 'node:os';

// Private notes and the activity trail on PGlite and on PostgreSQL, through the handlers the routes call:
// a note is stored with the people it mentions (by id and by "@Name", never its author) and never reaches
// the Graph API; status changes, snoozes and their end, labels, sends and retries leave entries in the
// transaction of the action; the trail pages newest first; admin changes to users and API keys are in the
// admin audit, which agents cannot read.

const TOKEN = 'EAAG-notes-test-token-0000000000';
const VERSION = 'v23.0';
const PHONE = '106540352242933';
const MESSAGES_PATH = `/${VERSION}/${PHONE}/messages`;
const API_KEY = 'notes-test-key-0123456789';
const ADMIN = { email: 'admin@notes.test', password: 'admin-password-123', name: 'Ana Admin' };
const AGENT = { email: 'bo@notes.test', password: 'agent-password-123', name: 'Bo Agent' };
const OTHER = { email: 'cy@notes.test', password: 'agent-password-123', name: 'Cy' };

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});

describe.each(dbKinds)('notes and the activity trail on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let auth: Auth;
  let deps: OutboxApiDeps & { auth: Auth };
  let sender: OutboxSender;
  let admin: { cookie: string };
  let agent: { cookie: string };
  let ids: { admin: string; agent: string; other: string };
  const key = { key: API_KEY };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'notes-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: API_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    deps = { db, apiKey: API_KEY, auth, mediaDownloads: false, sendingEnabled: true, outbox: { enabled: true, notify: () => {} } };
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const [adminRow] = await queryRows<{ id: string }>(db, sql`select id from users where email = ${ADMIN.email}`);
    await db.execute(sql`update users set name = ${ADMIN.name} where id = ${adminRow!.id}`);
    const made = async (person: typeof AGENT) =>
      (
        await json<UserResponse>(
          await call(postUser, '/api/admin/users', admin, { method: 'POST', body: { ...person, role: 'agent' } }),
          201,
        )
      ).user.id;
    ids = { admin: adminRow!.id, agent: await made(AGENT), other: await made(OTHER) };
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);
    sender = new OutboxSender(db, {
      graph: new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN }),
      storage: fileStorage(os.tmpdir()),
      log: silentLog,
      messagesPerSecond: 1000,
      requestTimeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await testDb?.drop();
  });
  beforeEach(() => {
    graph.clearRequests();
    graph.clearScripts();
  });

  // ---- Calls ----

  // biome-ignore lint/suspicious/noExplicitAny: routes of several deps types, all satisfied by `deps`
  const call = (route: ApiRoute<any>, path: string, credential: Credential, init: { method?: string; body?: unknown } = {}) =>
    withApiErrors(route)(
      request(path, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }),
      deps,
      paramsOf(route.spec.path, path),
    );
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
  const note = (conversationId: string, body: unknown, credential: Credential = agent) =>
    call(postConversationNote, `/api/conversations/${conversationId}/notes`, credential, { method: 'POST', body });
  const trail = async (conversationId: string, query = '', credential: Credential = agent) =>
    json<GetActivityResponse>(await call(getConversationActivity, `/api/conversations/${conversationId}/activity${query}`, credential));
  /** The trail without the notes, oldest first, as action and details. */
  const actions = async (conversationId: string) =>
    (await trail(conversationId, '?limit=200')).entries
      .reverse()
      .map((e) => ({ action: e.action, actor: e.actor.name, details: e.details }));

  /** The change notices delivered while `run` runs (at least `atLeast` of them). */
  async function noticesDuring(run: () => Promise<unknown>, atLeast = 1): Promise<ChangeNotice[]> {
    const notices: ChangeNotice[] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => {
      const change = decodeChange(payload);
      if (change) notices.push(change);
    });
    try {
      await run();
      await expect.poll(() => notices.length, { timeout: 5000 }).toBeGreaterThanOrEqual(atLeast);
      return notices;
    } finally {
      await unlisten();
    }
  }

  let seq = 0;
  const customers = new Map<string, string>();
  /** A conversation whose customer wrote a minute ago (through the webhook pipeline): its window is open. */
  async function conversationWithCustomer(again?: string): Promise<string> {
    seq += 1;
    const waId = again ? customers.get(again)! : `49152${kind === 'pglite' ? 1 : 2}${String(seq).padStart(7, '0')}`;
    const wamid = `wamid.NOTES-${kind}-${seq}-${randomUUID()}`;
    const item = textMessage(wamid, waId, 'Hallo?', Math.floor(Date.now() / 1000) - 60);
    const pipeline = createPipeline(database);
    const body = messagesBody(
      { contacts: [{ profile: { name: `Customer ${seq}` }, wa_id: waId }], messages: [item] },
      { phoneNumberId: PHONE },
    );
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();
    const [row] = await queryRows<{ conversation_id: string | number }>(
      db,
      sql`select conversation_id from messages where wamid = ${wamid}`,
    );
    customers.set(String(row!.conversation_id), waId);
    return String(row!.conversation_id);
  }

  // ---- Notes ----

  it('stores a note with the people it mentions, by id and by @Name, leaving the author out of the mentions', async () => {
    const id = await conversationWithCustomer();
    const notices = await noticesDuring(async () => {
      const created = await json<ApiActivityEntry>(
        await note(id, {
          text: '  Ask @ana admin about the refund, and @Cy too; @Bo Agent knows  ',
          mentions: [ids.other, 'nobody-at-all'],
        }),
        201,
      );
      expect(created).toMatchObject({
        id: expect.any(String),
        action: 'note',
        body: 'Ask @ana admin about the refund, and @Cy too; @Bo Agent knows',
        actor: { kind: 'user', id: ids.agent, name: AGENT.name },
      });
      const mentioned = (created.details.mentions as { id: string; name: string }[]).map((p) => p.id).sort();
      expect(mentioned).toEqual([ids.admin, ids.agent, ids.other].sort());
      // One mention row each for the admin and Cy; none for the author who named himself.
      const rows = await mentionsOf(db, [Number(created.id)]);
      expect(rows.map((r) => r.userId).sort()).toEqual([ids.admin, ids.other].sort());
      expect(rows.every((r) => String(r.conversationId) === id && r.seenAt === null)).toBe(true);
    });
    expect(
      notices.some((n) => n.conversations.includes(Number(id)) && n.topics.includes('activity') && n.topics.includes('mentions')),
    ).toBe(true);

    // "@Ana" is not "Ana Admin", and "@Cyril" is not Cy: a name must be whole.
    const plain = await json<ApiActivityEntry>(await note(id, { text: 'email@Cyril.example is not Cy, and @Ana is not Ana Admin' }), 201);
    expect(plain.details.mentions).toEqual([]);
    expect(await mentionsOf(db, [Number(plain.id)])).toEqual([]);

    // An API key writes notes too, named by the key.
    const byKey = await json<ApiActivityEntry>(await note(id, { text: 'from the CRM' }, key), 201);
    expect(byKey.actor).toEqual({ kind: 'api-key', id: null, name: 'INBOX_API_KEY' });
  });

  it('refuses an empty, oversized or NUL note and unknown fields with 400; 404 for a conversation that does not exist', async () => {
    const id = await conversationWithCustomer();
    const cases: [unknown, RegExp][] = [
      [{ text: '   ' }, /text/],
      [{}, /text/],
      [{ text: 'x'.repeat(4097) }, /text: must be at most 4096/],
      [{ text: 'a\0b' }, /text: must not contain NUL/],
      [{ text: 'ok', mentions: 'someone' }, /mentions/],
      [{ text: 'ok', extra: 1 }, /extra|unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const res = await note(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await json<ApiActivityEntry>(await note(id, { text: 'x'.repeat(4096) }), 201)).body).toHaveLength(4096);
    for (const missing of ['999999999', 'abc']) {
      expect((await note(missing, { text: 'hello' })).status).toBe(404);
      expect((await call(getConversationActivity, `/api/conversations/${missing}/activity`, agent)).status).toBe(404);
    }
    expect((await note(id, { text: 'hello' }, null)).status).toBe(401);
  });

  it('never sends a note to the Graph API: after a note and a real send, Meta saw exactly the real send', async () => {
    const id = await conversationWithCustomer();
    await json(await note(id, { text: 'Private: the customer is a VIP' }), 201);
    const sent = await json<GetMessageResponse>(
      await call(postConversationMessage, `/api/conversations/${id}/messages`, agent, {
        method: 'POST',
        body: { clientId: randomUUID(), type: 'text', text: 'Hello from the shop' },
      }),
      202,
    );
    await json(await note(id, { text: 'Private again, after the send' }), 201);
    expect(await sender.sendDue()).toBe(1);
    expect(await sender.sendDue()).toBe(0);
    const toMeta = graph.requests.filter((r) => r.method === 'POST');
    expect(toMeta).toHaveLength(1);
    expect(toMeta[0]!.path).toBe(MESSAGES_PATH);
    expect(toMeta[0]!.json).toMatchObject({ type: 'text', text: { body: 'Hello from the shop' } });
    expect(JSON.stringify(graph.requests)).not.toMatch(/Private/);
    const [entry] = (await trail(id)).entries.filter((e) => e.action === 'message_sent');
    expect(entry).toMatchObject({ actor: { name: AGENT.name }, details: { messageId: sent.id, type: 'text' } });
  });

  // ---- The trail ----

  it('records status changes and snoozes by whom, a snooze ending by itself, and nothing for setting what already is', async () => {
    const id = await conversationWithCustomer();
    const setStatus = (body: unknown, credential: Credential = agent) =>
      call(postConversationStatus, `/api/conversations/${id}/status`, credential, { method: 'POST', body });
    expect((await setStatus({ status: 'resolved' })).status).toBe(200);
    expect((await setStatus({ status: 'resolved' })).status).toBe(200);
    expect((await setStatus({ status: 'open' }, admin)).status).toBe(200);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await setStatus({ status: 'snoozed', snoozedUntil: until })).status).toBe(200);
    expect(await actions(id)).toEqual([
      { action: 'status', actor: AGENT.name, details: { status: 'resolved' } },
      { action: 'status', actor: ADMIN.name, details: { status: 'open' } },
      { action: 'status', actor: AGENT.name, details: { status: 'snoozed', snoozedUntil: until } },
    ]);
    // The snooze ends (its time moved into the past): the waker records it as Snooze, once.
    await db.execute(sql`update conversations set snoozed_until = now() - interval '1 second' where id = ${Number(id)}`);
    const waker = new SnoozeWaker(db, { log: silentLog });
    const notices = await noticesDuring(async () => expect(await waker.wakeDue()).toContain(Number(id)));
    expect(notices.some((n) => n.conversations.includes(Number(id)) && n.topics.includes('activity'))).toBe(true);
    await waker.wakeDue();
    expect((await actions(id)).slice(3)).toEqual([{ action: 'status', actor: 'Snooze', details: { status: 'open' } }]);
  });

  it("records a customer's message opening a resolved, pending or snoozed conversation again, and nothing when it was open", async () => {
    const id = await conversationWithCustomer();
    const setStatus = (body: unknown) => call(postConversationStatus, `/api/conversations/${id}/status`, agent, { method: 'POST', body });
    const byCustomer = { action: 'status', actor: 'Customer', details: { status: 'open' } };
    expect(await conversationWithCustomer(id)).toBe(id);
    expect(await actions(id)).toEqual([]);
    expect((await setStatus({ status: 'resolved' })).status).toBe(200);
    expect(await conversationWithCustomer(id)).toBe(id);
    expect((await setStatus({ status: 'snoozed', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(200);
    expect(await conversationWithCustomer(id)).toBe(id);
    const trailOf = await actions(id);
    expect(trailOf.map((e) => `${e.actor}:${e.details.status}`)).toEqual([
      `${AGENT.name}:resolved`,
      'Customer:open',
      `${AGENT.name}:snoozed`,
      'Customer:open',
    ]);
    expect(trailOf[1]).toEqual(byCustomer);
    const [entry] = (await trail(id, '?limit=1')).entries;
    expect(entry!.actor).toEqual({ kind: 'system', id: null, name: 'Customer' });
  });

  it('records labels put on and taken off (not again when nothing changed), sends and retries', async () => {
    const id = await conversationWithCustomer();
    const label = await json<ApiLabel>(
      await call(postLabel, '/api/admin/labels', admin, {
        method: 'POST',
        body: { name: `VIP ${randomUUID().slice(0, 6)}`, colour: 'amber' },
      }),
      201,
    );
    const labelPath = `/api/conversations/${id}/labels/${label.id}`;
    expect((await call(putConversationLabel, labelPath, agent, { method: 'PUT' })).status).toBe(200);
    expect((await call(putConversationLabel, labelPath, agent, { method: 'PUT' })).status).toBe(200);
    expect((await call(deleteConversationLabel, labelPath, key, { method: 'DELETE' })).status).toBe(200);

    const sent = await json<GetMessageResponse>(
      await call(postConversationMessage, `/api/conversations/${id}/messages`, agent, {
        method: 'POST',
        body: { clientId: randomUUID(), type: 'text', text: 'This one fails' },
      }),
      202,
    );
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'meta-error', status: 400, code: 131026 });
    await sender.sendDue();
    expect((await call(postMessageRetry, `/api/messages/${sent.id}/retry`, admin, { method: 'POST' })).status).toBe(202);
    await sender.sendDue();

    expect(await actions(id)).toEqual([
      { action: 'label_added', actor: AGENT.name, details: { label: { id: label.id, name: label.name } } },
      { action: 'label_removed', actor: 'INBOX_API_KEY', details: { label: { id: label.id, name: label.name } } },
      { action: 'message_sent', actor: AGENT.name, details: { messageId: sent.id, type: 'text' } },
      { action: 'message_retried', actor: ADMIN.name, details: { messageId: sent.id } },
    ]);
  });

  it('pages the trail newest first with a cursor, each entry once, and refuses a malformed cursor', async () => {
    const id = await conversationWithCustomer();
    const texts = Array.from({ length: 7 }, (_, i) => `note ${i}`);
    for (const text of texts) await json(await note(id, { text }), 201);
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const page: GetActivityResponse = await trail(id, `?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      seen.push(...page.entries.map((e) => e.body ?? ''));
      before = page.nextCursor;
      pages += 1;
    } while (before);
    expect(pages).toBe(3);
    expect(seen).toEqual([...texts].reverse());
    expect((await call(getConversationActivity, `/api/conversations/${id}/activity?before=nonsense`, agent)).status).toBe(400);
    expect((await call(getConversationActivity, `/api/conversations/${id}/activity?limit=0`, agent)).status).toBe(400);
  });

  // ---- The admin audit ----

  it('records user and API key changes in the admin audit, without passwords or keys, newest first; agents and keys get 403', async () => {
    const audit = async (query = '') => json<GetAuditResponse>(await call(getAudit, `/api/admin/audit${query}`, admin));
    const since = (await audit('?limit=1')).entries[0]?.id;
    const person = { email: `dee-${randomUUID().slice(0, 6)}@notes.test`, password: 'a-secret-password-1', name: 'Dee' };
    const created = await json<UserResponse>(
      await call(postUser, '/api/admin/users', admin, { method: 'POST', body: { ...person, role: 'agent' } }),
      201,
    );
    const userPath = `/api/admin/users/${created.user.id}`;
    await json(await call(patchUser, userPath, admin, { method: 'PATCH', body: { name: 'Dee Dee', role: 'admin' } }));
    await json(await call(patchUser, userPath, admin, { method: 'PATCH', body: { password: 'another-secret-password-2' } }));
    await json(await call(patchUser, userPath, admin, { method: 'PATCH', body: { active: false } }));
    await json(await call(patchUser, userPath, admin, { method: 'PATCH', body: { active: true, name: 'Dee Dee' } }));
    const apiKey = await json<CreateApiKeyResponse>(
      await call(postApiKey, '/api/admin/api-keys', admin, { method: 'POST', body: { name: 'CRM sync' } }),
      201,
    );
    await json(await call(deleteApiKey, `/api/admin/api-keys/${apiKey.apiKey.id}`, admin, { method: 'DELETE' }));
    await json(await call(deleteApiKey, `/api/admin/api-keys/${apiKey.apiKey.id}`, admin, { method: 'DELETE' }));

    const all = (await audit('?limit=200')).entries;
    const fresh = all.slice(0, since === undefined ? all.length : all.findIndex((e) => e.id === since)).reverse();
    const actor = { id: ids.admin, name: ADMIN.name };
    const user = { kind: 'user', id: created.user.id };
    expect(fresh.map((e) => ({ actor: e.actor, action: e.action, target: e.target, details: e.details }))).toEqual([
      { actor, action: 'user.created', target: { ...user, name: 'Dee' }, details: { email: person.email, role: 'agent' } },
      { actor, action: 'user.renamed', target: { ...user, name: 'Dee' }, details: { from: 'Dee', to: 'Dee Dee' } },
      { actor, action: 'user.role_changed', target: { ...user, name: 'Dee' }, details: { from: 'agent', to: 'admin' } },
      { actor, action: 'user.password_reset', target: { ...user, name: 'Dee Dee' }, details: {} },
      { actor, action: 'user.deactivated', target: { ...user, name: 'Dee Dee' }, details: {} },
      { actor, action: 'user.reactivated', target: { ...user, name: 'Dee Dee' }, details: {} },
      { actor, action: 'api_key.created', target: { kind: 'api-key', id: apiKey.apiKey.id, name: 'CRM sync' }, details: {} },
      { actor, action: 'api_key.revoked', target: { kind: 'api-key', id: apiKey.apiKey.id, name: 'CRM sync' }, details: {} },
    ]);
    const text = JSON.stringify(all);
    expect(text).not.toContain(person.password);
    expect(text).not.toContain('another-secret-password-2');
    expect(text).not.toContain(apiKey.key);

    // Paged newest first, each entry once.
    const paged: string[] = [];
    let before: string | null = null;
    do {
      const page: GetAuditResponse = await audit(`?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      paged.push(...page.entries.map((e) => e.id));
      before = page.nextCursor;
    } while (before);
    expect(paged).toEqual(all.map((e) => e.id));

    expect((await call(getAudit, '/api/admin/audit', agent)).status).toBe(403);
    expect((await call(getAudit, '/api/admin/audit', key)).status).toBe(403);
    expect((await call(getAudit, '/api/admin/audit', null)).status).toBe(401);
  });
});
