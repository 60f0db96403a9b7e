import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '@/db/client';
import { businessNumbers, contacts, conversationActivity, conversations, mentions, presence, users } from '@/db/schema';
import { postUser, type UserResponse } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import type { GetMentionsResponse, GetNotificationsResponse, NotificationSettings } from '@/lib/contracts/notifications';
import type { GetConversationPresenceResponse } from '@/lib/contracts/presence';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { getMentions, getNotificationSettings, getNotifications, putNotificationSettings } from '@/lib/inbox/notifications-api';
import { getConversationPresence, postPresence, postPresenceLeave } from '@/lib/inbox/presence-api';
import type { ReadApiDeps } from '@/lib/inbox/read-api';
import { CHANGES_CHANNEL, decodeChange, notifyChanges, type ChangeNotice } from '@/lib/realtime/changes';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// Presence and notifications on PGlite and on PostgreSQL, through the route handlers: tabs beat, the
// viewers of a conversation leave out the caller and tabs that stopped beating, typing expires by itself,
// only a beat that changes what others see is a change notice, a closing tab is gone at once, and API
// keys are refused. Notifications: the title's count and the list follow the assignee and the
// "unassigned too" setting, mentions are listed until their conversation is opened.

const ADMIN = { email: 'admin@presence.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@presence.test', password: 'agent-password-123', name: 'Bo Agent' };
const OTHER = { email: 'other@presence.test', password: 'other-password-123', name: 'Cy Other' };
const API_KEY = 'presence-test-key-0123456789';

describe.each(dbKinds)('presence and notifications on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: ReadApiDeps;
  let admin: { cookie: string };
  let agent: { cookie: string };
  let other: { cookie: string };
  let adminId: string;
  let agentId: string;
  let otherId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'presence-test-secret',
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
    const create = async (person: typeof AGENT) => {
      const res = await postUser(
        request('/api/admin/users', admin, { method: 'POST', body: { ...person, role: 'agent' }, origin: ORIGIN }),
        accessDeps,
      );
      expect(res.status).toBe(201);
      return ((await res.json()) as UserResponse).user.id;
    };
    agentId = await create(AGENT);
    otherId = await create(OTHER);
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);
    other = await sessionCookie(auth, OTHER.email, OTHER.password);
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN.email));
    adminId = row!.id;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // ---- Calls ----

  // biome-ignore lint/suspicious/noExplicitAny: routes of these deps, whatever their path parameters
  const call = (route: ApiRoute<any>, path: string, credential: Credential, init: { method?: string; body?: unknown } = {}) =>
    withApiErrors(route)(request(path, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }), deps, {
      id: path.match(/^\/api\/conversations\/([^/]+)/)?.[1] ?? '',
    });
  async function json<T>(res: Response, status = 200): Promise<T> {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  }
  const beat = async (credential: Credential, clientId: string, conversationId: string | null, typing = false) => {
    const res = await call(postPresence, '/api/presence', credential, { method: 'POST', body: { clientId, conversationId, typing } });
    expect(res.status, await res.clone().text()).toBe(204);
  };
  const leave = async (credential: Credential, clientId: string) => {
    const res = await call(postPresenceLeave, '/api/presence/leave', credential, { method: 'POST', body: { clientId } });
    expect(res.status).toBe(204);
  };
  const viewersOf = async (credential: Credential, conversationId: string) =>
    (
      await json<GetConversationPresenceResponse>(
        await call(getConversationPresence, `/api/conversations/${conversationId}/presence`, credential),
      )
    ).viewers;
  const notificationsOf = async (credential: Credential) =>
    json<GetNotificationsResponse>(await call(getNotifications, '/api/me/notifications', credential));
  const setNotifyUnassigned = async (credential: Credential, notifyUnassigned: boolean) =>
    json<NotificationSettings>(
      await call(putNotificationSettings, '/api/me/notification-settings', credential, { method: 'PUT', body: { notifyUnassigned } }),
    );

  /** Pushes a tab's beat into the past, as if it had stopped beating `seconds` ago. */
  const age = (clientId: string, seconds: number, column: 'seenAt' | 'typingAt' = 'seenAt') =>
    db
      .update(presence)
      .set({ [column]: sql`now() - make_interval(secs => ${seconds})` })
      .where(eq(presence.clientId, clientId));

  /**
   * The change notices delivered while `run` runs: all of them, because a marker notice sent afterwards
   * arrives after every notice before it on the one channel.
   */
  async function noticesDuring(run: () => Promise<unknown>): Promise<ChangeNotice[]> {
    const seen: ChangeNotice[] = [];
    let marked = false;
    const marker = -Math.floor(Math.random() * 1e9) - 1;
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => {
      const change = decodeChange(payload);
      if (!change) return;
      if (change.conversations.includes(marker)) marked = true;
      else seen.push(change);
    });
    try {
      await run();
      await notifyChanges(db, { conversationIds: [marker], messageIds: [] });
      await expect.poll(() => marked, { timeout: 5000 }).toBe(true);
      return seen.filter((n) => n.topics.includes('presence') || n.topics.includes('mentions'));
    } finally {
      await unlisten();
    }
  }

  // ---- Conversations, written directly ----

  let seq = 0;
  async function newConversation(
    init: { assigneeId?: string | null; unreadCount?: number; name?: string; lastInboundAt?: Date } = {},
  ): Promise<string> {
    seq += 1;
    const number = `2065404${String(seq).padStart(8, '0')}${kind === 'pglite' ? 1 : 2}`;
    await db.insert(businessNumbers).values({ phoneNumberId: number, displayPhoneNumber: `1555${seq}` });
    const [contact] = await db
      .insert(contacts)
      .values({ waId: `4918${number.slice(-9)}`, name: init.name ?? `Customer ${seq}` })
      .returning({ id: contacts.id });
    const [row] = await db
      .insert(conversations)
      .values({
        phoneNumberId: number,
        contactId: contact!.id,
        lastMessageAt: new Date(),
        lastInboundAt: init.lastInboundAt ?? new Date(),
        unreadCount: init.unreadCount ?? 0,
        assigneeId: init.assigneeId ?? null,
      })
      .returning({ id: conversations.id });
    return String(row!.id);
  }

  // ---- Presence ----

  it('lists everyone else viewing a conversation, once per person, without the caller or tabs that stopped beating', async () => {
    const id = await newConversation();
    const [agentTab, agentTab2, adminTab, otherTab] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await beat(agent, agentTab, id);
    await beat(agent, agentTab2, id);
    await beat(admin, adminTab, id);
    await beat(other, otherTab, id);

    expect(await viewersOf(admin, id)).toEqual([
      { user: { id: agentId, name: AGENT.name }, typing: false },
      { user: { id: otherId, name: OTHER.name }, typing: false },
    ]);
    expect((await viewersOf(agent, id)).map((v) => v.user.id).sort()).toEqual([adminId, otherId].sort());

    // Cy's tab stopped beating 61 s ago: gone, with nobody cleaning up. One of Bo's two tabs went
    // quiet, the other still beats: Bo is still there.
    await age(otherTab, 61);
    await age(agentTab, 61);
    expect(await viewersOf(admin, id)).toEqual([{ user: { id: agentId, name: AGENT.name }, typing: false }]);
    // A tab that moved to the list no longer views the conversation.
    await beat(agent, agentTab2, null);
    expect(await viewersOf(admin, id)).toEqual([]);
  });

  it('shows typing for a few seconds after the last typing beat, and not after a beat that stopped', async () => {
    const id = await newConversation();
    const tab = randomUUID();
    await beat(agent, tab, id, true);
    expect(await viewersOf(admin, id)).toEqual([{ user: { id: agentId, name: AGENT.name }, typing: true }]);
    // Nine seconds without a keystroke: still viewing, no longer typing.
    await age(tab, 9, 'typingAt');
    expect(await viewersOf(admin, id)).toEqual([{ user: { id: agentId, name: AGENT.name }, typing: false }]);
    await beat(agent, tab, id, true);
    await beat(agent, tab, id, false);
    expect(await viewersOf(admin, id)).toEqual([{ user: { id: agentId, name: AGENT.name }, typing: false }]);
  });

  it('is a change notice only when what others see changes: arriving, typing, stopping, moving, leaving', async () => {
    const [a, b] = [await newConversation(), await newConversation()];
    const tab = randomUUID();
    const topicsOf = (notices: ChangeNotice[]) => notices.map((n) => ({ conversations: n.conversations, topics: n.topics }));

    expect(topicsOf(await noticesDuring(() => beat(agent, tab, a)))).toEqual([{ conversations: [Number(a)], topics: ['presence'] }]);
    // The steady heartbeat: nothing to tell anyone.
    expect(await noticesDuring(() => beat(agent, tab, a))).toEqual([]);
    expect(topicsOf(await noticesDuring(() => beat(agent, tab, a, true)))).toEqual([{ conversations: [Number(a)], topics: ['presence'] }]);
    expect(await noticesDuring(() => beat(agent, tab, a, true))).toEqual([]);
    expect(topicsOf(await noticesDuring(() => beat(agent, tab, a, false)))).toEqual([{ conversations: [Number(a)], topics: ['presence'] }]);
    // Moving from one conversation to another changes both.
    expect(topicsOf(await noticesDuring(() => beat(agent, tab, b)))).toEqual([
      { conversations: [Number(a), Number(b)], topics: ['presence'] },
    ]);
    // A tab back after it had expired is a new viewer again.
    await age(tab, 61);
    expect(topicsOf(await noticesDuring(() => beat(agent, tab, b)))).toEqual([{ conversations: [Number(b)], topics: ['presence'] }]);
    // Leaving: gone at once, and said so.
    expect(topicsOf(await noticesDuring(() => leave(agent, tab)))).toEqual([{ conversations: [Number(b)], topics: ['presence'] }]);
    expect(await viewersOf(admin, b)).toEqual([]);
    // Leaving again, or a tab that had already expired: nothing to say.
    expect(await noticesDuring(() => leave(agent, tab))).toEqual([]);
  });

  it("leaves another person's tab alone when its client id is reused", async () => {
    const id = await newConversation();
    const tab = randomUUID();
    await beat(agent, tab, id);
    await beat(other, tab, null);
    await leave(other, tab);
    expect((await viewersOf(admin, id)).map((v) => v.user.id)).toEqual([agentId]);
  });

  it('refuses API keys (403), an unknown conversation (404) and a malformed beat (400)', async () => {
    const key = { key: API_KEY };
    const refused = await call(postPresence, '/api/presence', key, {
      method: 'POST',
      body: { clientId: randomUUID(), conversationId: null, typing: false },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(getNotifications, '/api/me/notifications', key)).status).toBe(403);
    const missing = await call(postPresence, '/api/presence', agent, {
      method: 'POST',
      body: { clientId: randomUUID(), conversationId: '999999999', typing: false },
    });
    expect(missing.status).toBe(404);
    const malformed = await call(postPresence, '/api/presence', agent, {
      method: 'POST',
      body: { clientId: 'not-a-uuid', conversationId: null, typing: false },
    });
    expect(malformed.status).toBe(400);
  });

  it('purges tabs that stopped beating more than a day ago when a new tab starts', async () => {
    const stale = randomUUID();
    await beat(agent, stale, null);
    await age(stale, 25 * 3600);
    await beat(agent, randomUUID(), null);
    expect(await db.select().from(presence).where(eq(presence.clientId, stale))).toEqual([]);
  });

  // ---- Notifications ----

  it("counts unread messages in the agent's own conversations, and in unassigned ones only when they asked", async () => {
    await db.update(conversations).set({ unreadCount: 0 });
    await setNotifyUnassigned(other, false);
    const mine = await newConversation({ assigneeId: otherId, unreadCount: 2, name: 'Mine' });
    const unassigned = await newConversation({ assigneeId: null, unreadCount: 3, name: 'Nobody' });
    await newConversation({ assigneeId: agentId, unreadCount: 5, name: "Bo's" });
    await newConversation({ assigneeId: otherId, unreadCount: 0, name: 'Read' });

    let got = await notificationsOf(other);
    expect(got.count).toBe(2);
    expect(got.conversations).toEqual([expect.objectContaining({ id: mine, unreadCount: 2, contactName: 'Mine', assignedToMe: true })]);

    expect(await setNotifyUnassigned(other, true)).toEqual({ notifyUnassigned: true });
    expect(await json<NotificationSettings>(await call(getNotificationSettings, '/api/me/notification-settings', other))).toEqual({
      notifyUnassigned: true,
    });
    got = await notificationsOf(other);
    expect(got.count).toBe(5);
    expect(got.conversations.map((c) => c.id).sort()).toEqual([mine, unassigned].sort());
    expect(got.conversations.find((c) => c.id === unassigned)?.assignedToMe).toBe(false);

    // The setting is per person: Bo still hears only of his own.
    expect((await notificationsOf(agent)).count).toBe(5);
    await setNotifyUnassigned(other, false);
    expect((await notificationsOf(other)).count).toBe(2);
  });

  it('lists the latest customer message first, their own and unassigned conversations interleaved', async () => {
    await db.update(conversations).set({ unreadCount: 0 });
    await setNotifyUnassigned(other, true);
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const oldMine = await newConversation({ assigneeId: otherId, unreadCount: 1, lastInboundAt: minutesAgo(30) });
    const newUnassigned = await newConversation({ assigneeId: null, unreadCount: 1, lastInboundAt: minutesAgo(1) });
    const newMine = await newConversation({ assigneeId: otherId, unreadCount: 4, lastInboundAt: minutesAgo(5) });
    const oldUnassigned = await newConversation({ assigneeId: null, unreadCount: 2, lastInboundAt: minutesAgo(60) });
    await newConversation({ assigneeId: agentId, unreadCount: 1, lastInboundAt: minutesAgo(2) });

    const got = await notificationsOf(other);
    expect(got.conversations.map((c) => c.id)).toEqual([newUnassigned, newMine, oldMine, oldUnassigned]);
    expect(got.count).toBe(8);
    await setNotifyUnassigned(other, false);
  });

  it('lists unseen mentions with their note until the mentioned agent opens the conversation', async () => {
    await db.update(conversations).set({ unreadCount: 0 });
    const id = await newConversation({ name: 'Mentioned' });
    const [note] = await db
      .insert(conversationActivity)
      .values({
        conversationId: Number(id),
        actorKind: 'user',
        actorUserId: adminId,
        actorName: 'Ana Admin',
        action: 'note',
        body: '@Bo can you take this?',
      })
      .returning({ id: conversationActivity.id });
    await db.insert(mentions).values({ activityId: note!.id, userId: agentId, conversationId: Number(id) });

    const expected = {
      id: String(note!.id),
      conversationId: id,
      contactName: 'Mentioned',
      byName: 'Ana Admin',
      text: '@Bo can you take this?',
    };
    expect((await json<GetMentionsResponse>(await call(getMentions, '/api/me/mentions', agent))).mentions).toEqual([
      { ...expected, createdAt: expect.any(String) },
    ]);
    const got = await notificationsOf(agent);
    expect(got.count).toBe(1);
    expect(got.mentions).toEqual([{ ...expected, createdAt: expect.any(String) }]);
    // Not someone else's.
    expect((await json<GetMentionsResponse>(await call(getMentions, '/api/me/mentions', other))).mentions).toEqual([]);

    // Another conversation opened: still unseen. This one opened: seen, and said so.
    await beat(agent, randomUUID(), await newConversation());
    expect((await notificationsOf(agent)).mentions).toHaveLength(1);
    const notices = await noticesDuring(() => beat(agent, randomUUID(), id));
    expect(notices.some((n) => n.topics.includes('mentions') && n.conversations.includes(Number(id)))).toBe(true);
    expect((await json<GetMentionsResponse>(await call(getMentions, '/api/me/mentions', agent))).mentions).toEqual([]);
    expect((await notificationsOf(agent)).count).toBe(0);
  });
});
