import { randomUUID } from 'node:crypto';
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database, type Db } from '@/db/client';
import { autoAssignPass, unreadByViewQuery, waitingForAssignment } from '@/db/queries/assignment';
import { conversationListQuery, type ConversationListOptions } from '@/db/queries/conversations';
import { auditLog, businessNumbers, contacts, conversationActivity, conversations, inboxSettings, presence, users } from '@/db/schema';
import { getSettings, putSettings } from '@/lib/admin/settings-api';
import { patchUser, postUser, type UserResponse } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import type { AvailabilityResponse, InboxSettings } from '@/lib/contracts/assignment';
import type { GetConversationCountsResponse, GetConversationResponse, GetConversationsResponse } from '@/lib/contracts/inbox';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { postConversationAssignee, putMyAvailability } from '@/lib/inbox/assignment-api';
import { AutoAssigner } from '@/lib/inbox/auto-assigner';
import { getConversations } from '@/lib/inbox/read-api';
import { getConversationCounts, postConversationStatus } from '@/lib/inbox/status-api';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { noticesDuring } from '../helpers/change-notices';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';
import { messagesBody, textMessage } from '@/tools/meta-envelopes';

// Assignment on PGlite and PostgreSQL, through the handlers the routes call: assigning, reassigning and
// unassigning (on the trail), the Mine / Unassigned / All views and their unread counts, availability,
// the settings, auto-assignment (round robin, the cap, waiting for someone to come online, admins only
// when available, two instances at once never assigning twice) and a deactivation handing work back.

const ADMIN = { email: 'admin@assign.test', password: 'admin-password-123' };
const KEY = 'assignment-test-key-0123456789';
const NUMBER = { phoneNumberId: '106540352249999', displayPhoneNumber: '15559999999' };

describe.each(dbKinds)('assignment on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let auth: Auth;
  let deps: { db: Db; apiKey: string; auth: Auth; sendingEnabled: boolean };
  let admin: { cookie: string; id: string };
  let ana: { cookie: string; id: string };
  let bo: { cookie: string; id: string };
  const key: Credential = { key: KEY };

  async function newAgent(name: string, role: 'agent' | 'admin' = 'agent') {
    const email = `${name.toLowerCase()}-${randomUUID().slice(0, 6)}@assign.test`;
    const res = await postUser(
      request('/api/admin/users', admin, { method: 'POST', body: { email, name, password: 'agent-password-123', role }, origin: ORIGIN }),
      deps,
    );
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as UserResponse;
    return { ...(await sessionCookie(auth, email, 'agent-password-123')), id: user.id };
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'assignment-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    deps = { db, apiKey: KEY, auth, sendingEnabled: false };
    const adminCookie = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN.email));
    admin = { ...adminCookie, id: row!.id };
    ana = await newAgent('Ana');
    bo = await newAgent('Bo');
    await db.insert(businessNumbers).values(NUMBER);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // ---- Conversations and people, written directly ----

  let seq = 0;
  /** A new open conversation whose latest message was `ageSeconds` ago; its id. */
  async function newConversation(options: { ageSeconds?: number; unread?: number; status?: 'open' | 'resolved' | 'pending' } = {}) {
    const [contact] = await db
      .insert(contacts)
      .values({ waId: `49152${String(++seq).padStart(8, '0')}`, name: `Customer ${seq}` })
      .returning({ id: contacts.id });
    const [row] = await db
      .insert(conversations)
      .values({
        phoneNumberId: NUMBER.phoneNumberId,
        contactId: contact!.id,
        lastMessageAt: sql`now() - make_interval(secs => ${options.ageSeconds ?? 0})`,
        unreadCount: options.unread ?? 0,
        status: options.status ?? 'open',
      })
      .returning({ id: conversations.id });
    return row!.id;
  }
  /** A user without a session (auto-assignment only looks at the table). */
  async function newPerson(name: string, options: { role?: 'agent' | 'admin'; online?: boolean } = {}) {
    const id = `u-${randomUUID()}`;
    await db.insert(users).values({ id, name, email: `${id}@assign.test`, role: options.role ?? 'agent' });
    if (options.online !== false) await comeOnline(id);
    return id;
  }
  const comeOnline = (userId: string, secondsAgo = 0) =>
    db.insert(presence).values({ clientId: randomUUID(), userId, seenAt: sql`now() - make_interval(secs => ${secondsAgo})` });
  const assigneeOf = async (id: number) =>
    (await db.select({ a: conversations.assigneeId }).from(conversations).where(eq(conversations.id, id)))[0]?.a ?? null;
  const trailOf = (id: number) =>
    db
      .select({ action: conversationActivity.action, actor: conversationActivity.actorName, details: conversationActivity.details })
      .from(conversationActivity)
      .where(eq(conversationActivity.conversationId, id))
      .orderBy(conversationActivity.id);
  const setSettings = (s: Partial<InboxSettings>) => db.update(inboxSettings).set(s).where(eq(inboxSettings.id, 1));
  const pass = () => db.transaction((tx) => autoAssignPass(tx, 100));

  // ---- The routes ----

  const assign = (id: number | string, assigneeId: string | null, as: Credential = ana) =>
    withApiErrors(postConversationAssignee)(
      request(`/api/conversations/${id}/assignee`, as, { method: 'POST', body: { assigneeId }, origin: ORIGIN }),
      deps,
      { id: String(id) },
    );
  async function list(query: string, as: Credential = ana) {
    const res = await withApiErrors(getConversations)(request(`/api/conversations?${query}`, as), deps);
    return { status: res.status, body: (await res.json()) as GetConversationsResponse };
  }
  async function views(query = '', as: Credential = ana) {
    const res = await withApiErrors(getConversationCounts)(request(`/api/conversations/counts${query}`, as), deps);
    expect(res.status).toBe(200);
    return ((await res.json()) as GetConversationCountsResponse).views;
  }

  describe('by hand', () => {
    beforeEach(async () => {
      await setSettings({ autoAssign: false, autoAssignCap: 10 });
      await db.update(conversations).set({ status: 'resolved' });
    });

    it('assigns, reassigns and unassigns, answering the conversation, each on the trail and a change notice', async () => {
      const id = await newConversation();
      let res!: Response;
      const notices = await noticesDuring(database, async () => (res = await assign(id, ana.id)), 1);
      expect(res.status).toBe(200);
      expect(((await res.json()) as GetConversationResponse).assignee).toEqual({ id: ana.id, name: 'Ana' });
      expect(notices).toContainEqual([id]);

      expect(((await (await assign(id, bo.id)).json()) as GetConversationResponse).assignee).toEqual({ id: bo.id, name: 'Bo' });
      expect(((await (await assign(id, null, key)).json()) as GetConversationResponse).assignee).toBeNull();
      expect(await assigneeOf(id)).toBeNull();

      expect(await trailOf(id)).toEqual([
        { action: 'assigned', actor: 'Ana', details: { assignee: { id: ana.id, name: 'Ana' }, previous: null } },
        { action: 'assigned', actor: 'Ana', details: { assignee: { id: bo.id, name: 'Bo' }, previous: { id: ana.id, name: 'Ana' } } },
        { action: 'unassigned', actor: 'INBOX_API_KEY', details: { previous: { id: bo.id, name: 'Bo' } } },
      ]);
      const [assignedAt] = await db.select({ at: conversations.assignedAt }).from(conversations).where(eq(conversations.id, id));
      expect(assignedAt?.at).toBeNull();
    });

    it('assigning to whoever has it already, or unassigning what nobody has, changes nothing and records nothing', async () => {
      const id = await newConversation();
      expect((await assign(id, null)).status).toBe(200);
      expect((await assign(id, bo.id)).status).toBe(200);
      expect((await assign(id, bo.id)).status).toBe(200);
      expect((await trailOf(id)).map((e) => e.action)).toEqual(['assigned']);
    });

    it('answers 404 for an unknown conversation and 400 for an unknown or deactivated assignee', async () => {
      expect((await assign(999_999_999, ana.id)).status).toBe(404);
      expect((await assign('not-an-id', ana.id)).status).toBe(404);
      const id = await newConversation();
      const unknown = await assign(id, 'no-such-user');
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/no active agent/);
      const gone = await newPerson('Gone');
      await db.update(users).set({ banned: true }).where(eq(users.id, gone));
      expect((await assign(id, gone)).status).toBe(400);
      expect((await assign(id, 42 as unknown as string)).status).toBe(400);
      expect(await assigneeOf(id)).toBeNull();
      expect(await trailOf(id)).toEqual([]);
    });

    it('lists Mine, Unassigned, one user and All, and counts the unread of each view, for the tab in effect', async () => {
      const mine = await newConversation({ unread: 2 });
      const mineRead = await newConversation();
      const bos = await newConversation({ unread: 1 });
      const nobodys = await newConversation({ unread: 3 });
      const nobodysPending = await newConversation({ unread: 1, status: 'pending' });
      await assign(mine, ana.id);
      await assign(mineRead, ana.id);
      await assign(bos, bo.id);

      const ids = async (query: string, as: Credential = ana) => (await list(query, as)).body.conversations.map((c) => Number(c.id)).sort();
      expect(await ids('status=open&assignee=me')).toEqual([mine, mineRead].sort());
      expect(await ids('status=open&assignee=me', bo)).toEqual([bos]);
      expect(await ids('status=open&assignee=unassigned')).toEqual([nobodys]);
      expect(await ids('status=pending&assignee=unassigned')).toEqual([nobodysPending]);
      expect(await ids('assignee=unassigned')).toEqual(expect.arrayContaining([nobodys, nobodysPending]));
      expect(await ids(`status=open&assignee=${encodeURIComponent(bo.id)}`, key)).toEqual([bos]);
      expect(await ids('status=open')).toEqual([mine, mineRead, bos, nobodys].sort());
      // Rows carry their assignee.
      const row = (await list('status=open&assignee=me')).body.conversations.find((c) => Number(c.id) === mine);
      expect(row?.assignee).toEqual({ id: ana.id, name: 'Ana' });

      expect(await views('?status=open')).toEqual({ mine: 1, unassigned: 1, all: 3 });
      expect(await views('?status=open', bo)).toEqual({ mine: 1, unassigned: 1, all: 3 });
      expect(await views('?status=pending')).toEqual({ mine: 0, unassigned: 1, all: 1 });
      expect(await views('')).toMatchObject({ mine: 1, unassigned: 2 });
      // An API key is nobody: it has no Mine.
      expect(await views('?status=open', key)).toEqual({ mine: 0, unassigned: 1, all: 3 });
      const meAsKey = await list('assignee=me', key);
      expect(meAsKey.status).toBe(400);
      expect(JSON.stringify(meAsKey.body)).toMatch(/API key/);
    });
  });

  describe('availability and settings', () => {
    it('lets a signed-in user say they are away (a change notice for the team), not an API key', async () => {
      const put = (availability: string, as: Credential) =>
        withApiErrors(putMyAvailability)(
          request('/api/me/availability', as, { method: 'PUT', body: { availability }, origin: ORIGIN }),
          deps,
        );
      const res = await put('away', bo);
      expect(res.status).toBe(200);
      expect((await res.json()) as AvailabilityResponse).toEqual({ availability: 'away' });
      expect((await db.select({ a: users.availability }).from(users).where(eq(users.id, bo.id)))[0]?.a).toBe('away');
      expect((await put('busy', bo)).status).toBe(400);
      const asKey = await put('away', key);
      expect(asKey.status).toBe(403);
      expect(JSON.stringify(await asKey.json())).toMatch(/API keys/);
      expect((await put('available', bo)).status).toBe(200);
    });

    it('has auto-assignment off by default; an admin turns it on (on the audit); an agent cannot', async () => {
      await setSettings({ autoAssign: false, autoAssignCap: 10 });
      const get = (as: Credential) => withApiErrors(getSettings)(request('/api/admin/settings', as), deps);
      expect(await (await get(admin)).json()).toEqual({ autoAssign: false, autoAssignCap: 10 });
      const put = (body: unknown, as: Credential) =>
        withApiErrors(putSettings)(request('/api/admin/settings', as, { method: 'PUT', body, origin: ORIGIN }), deps);
      expect((await put({ autoAssign: true }, ana)).status).toBe(403);
      expect((await put({ autoAssignCap: 0 }, admin)).status).toBe(400);
      expect((await put({ autoAssignCap: 1001 }, admin)).status).toBe(400);
      const res = await put({ autoAssign: true, autoAssignCap: 3 }, admin);
      expect(await res.json()).toEqual({ autoAssign: true, autoAssignCap: 3 });
      const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'settings.changed'));
      expect(entry).toMatchObject({
        actorUserId: admin.id,
        details: { before: { autoAssign: false, autoAssignCap: 10 }, after: { autoAssign: true, autoAssignCap: 3 } },
      });
      await setSettings({ autoAssign: false, autoAssignCap: 10 });
    });
  });

  describe('auto-assignment', () => {
    beforeEach(async () => {
      // Nobody else is online or waiting: each test has its own team and conversations.
      await db.delete(presence);
      await db.update(conversations).set({ status: 'resolved' });
      await setSettings({ autoAssign: true, autoAssignCap: 10 });
    });

    it('does nothing while the setting is off (its default)', async () => {
      await setSettings({ autoAssign: false });
      await newPerson('Online');
      const id = await newConversation();
      expect(await pass()).toEqual([]);
      expect(await assigneeOf(id)).toBeNull();
    });

    it('goes round robin over three agents, longest waiting conversation first, on the trail as Auto-assignment', async () => {
      const a = await newPerson('A');
      const b = await newPerson('B');
      const c = await newPerson('C');
      const waiting = [];
      for (let i = 0; i < 6; i++) waiting.push(await newConversation({ ageSeconds: 600 - i }));
      const made = await pass();
      expect(made.map((m) => m.conversationId)).toEqual(waiting);
      const first = made.slice(0, 3).map((m) => m.assignee.id);
      expect(new Set(first)).toEqual(new Set([a, b, c]));
      // The same order again: each had one, each gets a second.
      expect(made.slice(3).map((m) => m.assignee.id)).toEqual(first);
      // The next pass goes on where this one stopped.
      const later = [await newConversation(), await newConversation()];
      expect((await pass()).map((m) => m.assignee.id)).toEqual(first.slice(0, 2));
      expect(await assigneeOf(later[1]!)).toBe(first[1]);
      expect(await trailOf(waiting[0]!)).toEqual([
        { action: 'assigned', actor: 'Auto-assignment', details: { assignee: { id: first[0], name: expect.any(String) }, previous: null } },
      ]);
    });

    it('holds the cap of open conversations; a resolved one makes room', async () => {
      await setSettings({ autoAssignCap: 2 });
      const a = await newPerson('A');
      const b = await newPerson('B');
      // A already holds one open conversation (by hand) and one pending (not counted).
      const held = await newConversation();
      await db.update(conversations).set({ assigneeId: a }).where(eq(conversations.id, held));
      const pending = await newConversation({ status: 'pending' });
      await db.update(conversations).set({ assigneeId: a }).where(eq(conversations.id, pending));
      const waiting = [];
      for (let i = 0; i < 5; i++) waiting.push(await newConversation({ ageSeconds: 100 - i }));
      const made = await pass();
      expect(made.filter((m) => m.assignee.id === a)).toHaveLength(1);
      expect(made.filter((m) => m.assignee.id === b)).toHaveLength(2);
      expect(await pass()).toEqual([]);
      await db.update(conversations).set({ status: 'resolved' }).where(eq(conversations.id, held));
      const next = await pass();
      expect(next).toEqual([{ conversationId: waiting[3], assignee: { id: a, name: 'A' } }]);
    });

    it('leaves a conversation waiting while nobody can take it, and assigns it once someone comes online', async () => {
      const later = await newPerson('Later', { online: false });
      const away = await newPerson('Away');
      await db.update(users).set({ availability: 'away' }).where(eq(users.id, away));
      // A tab that stopped beating over a minute ago is gone.
      await comeOnline(later, 90);
      const id = await newConversation();
      expect(await pass()).toEqual([]);
      expect(await assigneeOf(id)).toBeNull();
      await comeOnline(later);
      expect(await pass()).toEqual([{ conversationId: id, assignee: { id: later, name: 'Later' } }]);
    });

    it('gives admins conversations only when they say they are available; the job assigns what a wake-up brings', async () => {
      const boss = await newPerson('Boss', { role: 'admin' });
      const first = await newConversation();
      const assigner = new AutoAssigner(db, { log: silentLog, pollMs: 60_000 });
      expect(await assigner.assignDue()).toEqual([]);
      await db.update(users).set({ availability: 'available' }).where(eq(users.id, boss));
      let made: unknown;
      const notices = await noticesDuring(database, async () => (made = await assigner.assignDue()), 1);
      expect(made).toEqual([{ conversationId: first, assignee: { id: boss, name: 'Boss' } }]);
      expect(notices).toContainEqual([first]);
    });

    it('assigns a conversation a customer reopens (status open again), and never one already assigned by hand', async () => {
      const a = await newPerson('A');
      const reopened = await newConversation({ status: 'resolved' });
      const byHand = await newConversation();
      await assign(byHand, bo.id);
      expect(await pass()).toEqual([]);
      const res = await withApiErrors(postConversationStatus)(
        request(`/api/conversations/${reopened}/status`, key, { method: 'POST', body: { status: 'open' } }),
        deps,
        { id: String(reopened) },
      );
      expect(res.status).toBe(200);
      expect(await pass()).toEqual([{ conversationId: reopened, assignee: { id: a, name: 'A' } }]);
      expect(await assigneeOf(byHand)).toBe(bo.id);
    });

    it('assigns a conversation a customer starts, and one they reopen by writing again, as the webhook stores them', async () => {
      const a = await newPerson('A');
      const waId = `49153${String(++seq).padStart(8, '0')}`;
      const writes = async (text: string) => {
        const pipeline = createPipeline(database);
        const body = messagesBody(
          {
            contacts: [{ profile: { name: 'Webhook Customer' }, wa_id: waId }],
            messages: [textMessage(`wamid.A-${randomUUID()}`, waId, text, Math.floor(Date.now() / 1000))],
          },
          { number: NUMBER },
        );
        expect((await pipeline.post(body)).status).toBe(200);
        await pipeline.drain();
      };
      await writes('Hello?');
      const [made] = await pass();
      expect(made?.assignee).toEqual({ id: a, name: 'A' });
      const id = made!.conversationId;
      // Resolved and handed back; the customer writes again: open and unassigned, so it is assigned again.
      await db.update(conversations).set({ status: 'resolved', assigneeId: null }).where(eq(conversations.id, id));
      await writes('One more thing');
      expect(await pass()).toEqual([{ conversationId: id, assignee: { id: a, name: 'A' } }]);
    });

    it.runIf(kind === 'postgres')(
      'two instances passing at once never assign a conversation twice and never exceed the cap',
      async () => {
        await setSettings({ autoAssignCap: 10 });
        const team = [];
        for (let i = 0; i < 4; i++) team.push(await newPerson(`T${i}`));
        const waiting: number[] = [];
        for (let i = 0; i < 50; i++) waiting.push(await newConversation({ ageSeconds: 1000 - i }));
        const other = await openDatabase({ url: testDb.url!, poolMax: 4 });
        try {
          // Small passes on both instances at once, over and over, until there is nothing left to do.
          const instance = async (on: Db) => {
            let total = 0;
            for (let round = 0; round < 20; round++) total += (await on.transaction((tx) => autoAssignPass(tx, 3))).length;
            return total;
          };
          const n = await Promise.all([instance(db), instance(other.db), instance(db), instance(other.db)]);
          const [one, two] = [n[0]! + n[2]!, n[1]! + n[3]!];
          expect(one + two).toBe(40);
          expect(one).toBeGreaterThan(0);
          expect(two).toBeGreaterThan(0);
        } finally {
          await other.close();
        }
        const trail = await queryRows<{ conversation_id: string; n: number }>(
          db,
          sql`select conversation_id, count(*)::int as n from conversation_activity
              where action = 'assigned' and conversation_id in ${sql.raw(`(${waiting.join(',')})`)} group by conversation_id`,
        );
        expect(trail).toHaveLength(40);
        expect(trail.every((r) => Number(r.n) === 1)).toBe(true);
        const held = await db
          .select({ assignee: conversations.assigneeId, n: sql<number>`count(*)::int` })
          .from(conversations)
          .where(inArray(conversations.id, waiting))
          .groupBy(conversations.assigneeId);
        expect(held.filter((h) => h.assignee !== null).map((h) => Number(h.n))).toEqual([10, 10, 10, 10]);
        expect(held.find((h) => h.assignee === null)?.n).toBe(10);
      },
      60_000,
    );
  });

  it('deactivating an agent unassigns their unresolved conversations, on the trail, in one go', async () => {
    await setSettings({ autoAssign: false });
    const leaving = await newAgent('Leaving');
    const open = await newConversation();
    const pending = await newConversation({ status: 'pending' });
    const resolved = await newConversation({ status: 'resolved' });
    for (const id of [open, pending, resolved]) await assign(id, leaving.id, admin);
    let res!: Response;
    const notices = await noticesDuring(
      database,
      async () =>
        (res = await patchUser(
          request(`/api/admin/users/${leaving.id}`, admin, { method: 'PATCH', body: { active: false }, origin: ORIGIN }),
          deps,
          { id: leaving.id },
        )),
      1,
    );
    expect(res.status).toBe(200);
    expect(notices.flat()).toEqual(expect.arrayContaining([open, pending]));
    expect(await assigneeOf(open)).toBeNull();
    expect(await assigneeOf(pending)).toBeNull();
    expect(await assigneeOf(resolved)).toBe(leaving.id);
    expect((await trailOf(open)).at(-1)).toEqual({
      action: 'unassigned',
      actor: expect.any(String),
      details: { previous: { id: leaving.id, name: 'Leaving' } },
    });
  });
});

// The Mine and Unassigned views walk their indexes in list order (no sort, whatever the table's size),
// and auto-assignment finds the longest waiting conversations the same way. PostgreSQL only: PGlite
// has the same planner, but 100,000 rows take it long to load.
describe.runIf(dbKinds.includes('postgres'))('assignment query plans on postgres', () => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    db = testDb.database.db;
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('n1')`);
    await db.execute(sql`insert into contacts (id, wa_id) select g, g::text from generate_series(1, 100000) g`);
    await db.execute(
      sql`insert into users (id, name, email) select 'a' || g, 'A' || g, 'a' || g || '@plan.test' from generate_series(1, 10) g`,
    );
    await db.execute(sql`
      insert into conversations (phone_number_id, contact_id, last_message_at, last_inbound_at, unread_count, status, assignee_id)
      select 'n1', g, timestamptz '2026-01-01' + (g % 50000) * interval '1 second', timestamptz '2026-01-01' + (g % 50000) * interval '1 second',
        case when g % 50 = 1 then 1 + g % 3 else 0 end,
        case when g % 20 < 12 then 'resolved' when g % 20 < 17 then 'open' else 'pending' end,
        case when g % 5 = 0 then null else 'a' || (1 + g % 10) end
      from generate_series(1, 100000) g`);
    await db.execute(sql`vacuum analyze`);
  }, 120_000);
  afterAll(async () => {
    await testDb?.drop();
  });

  async function plan(options: Omit<ConversationListOptions, 'limit'>): Promise<string> {
    const query: { getSQL(): SQL } = conversationListQuery(db, { limit: 51, ...options });
    const rows = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${query.getSQL()}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const mid = { lastMessageAt: '2026-01-01T06:56:40.000000Z', id: 25000 };

  it.each<[string, Omit<ConversationListOptions, 'limit'>, string]>([
    ['Mine, open', { status: 'open', assignee: { userId: 'a3' } }, 'conversations_assignee_status_activity_idx'],
    [
      'Mine, resolved, cursor page',
      { status: 'resolved', assignee: { userId: 'a3' }, after: mid },
      'conversations_assignee_status_activity_idx',
    ],
    ['Unassigned, open', { status: 'open', assignee: { unassigned: true } }, 'conversations_unassigned_status_activity_idx'],
    [
      'Unassigned, pending, cursor page',
      { status: 'pending', assignee: { unassigned: true }, after: mid },
      'conversations_unassigned_status_activity_idx',
    ],
  ])('%s: index scan, no sort', async (_name, options, index) => {
    const text = await plan(options);
    expect(text).toContain(`Index Scan using ${index} on conversations`);
    expect(text).not.toMatch(/Seq Scan on conversations|Sort/);
  });

  it.each<[string, { status?: 'open' }]>([
    ['one status', { status: 'open' }],
    ['every status', {}],
  ])('the unread counts per view (%s) read the unread index alone, never the table', async (_name, options) => {
    const rows = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${unreadByViewQuery({ userId: 'a3', ...options })}`);
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text.match(/Index Only Scan using conversations_unread_idx/g)).toHaveLength(3);
    expect(text).not.toMatch(/Seq Scan|Heap Scan/);
  });

  it('auto-assignment reads the longest waiting unassigned open conversations from the unassigned index', async () => {
    const rows = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${waitingForAssignment(db, 100).getSQL()}`);
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan Backward using conversations_unassigned_status_activity_idx/);
    expect(text).not.toMatch(/Sort/);
  });
});
