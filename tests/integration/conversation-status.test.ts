import { randomUUID } from 'node:crypto';
import { eq, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database, type Db } from '@/db/client';
import { countConversationsByStatus } from '@/db/queries/conversation-status';
import { conversationListQuery, type ConversationListOptions } from '@/db/queries/conversations';
import { businessNumbers, contacts, conversations } from '@/db/schema';
import type {
  ConversationStatus,
  GetConversationCountsResponse,
  GetConversationResponse,
  GetConversationsResponse,
} from '@/lib/contracts/inbox';
import { withApiErrors } from '@/lib/http/errors';
import { getConversation, getConversations } from '@/lib/inbox/read-api';
import { SnoozeWaker } from '@/lib/inbox/snooze-waker';
import { getConversationCounts, postConversationStatus } from '@/lib/inbox/status-api';
import { postConversationMessage, type OutboxApiDeps } from '@/lib/outbox/outbox-api';
import { messagesBody, status as statusItem, textMessage } from '@/tools/meta-envelopes';
import { noticesDuring as noticesOf } from '../helpers/change-notices';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';

// Conversation status (open, pending, resolved, snoozed until a time) on PGlite and on PostgreSQL, through
// the handlers the routes call: setting it, the list of one status page by page, the counts per status, a
// customer's new message opening it again (and nothing else doing so), and snoozes ending by themselves
// exactly once however many instances look.

const API_KEY = 'status-test-key-0123456789';
const NUMBER_A = { phoneNumberId: '106540352242922', displayPhoneNumber: '15551234567' };
const HOUR_MS = 3600_000;

describe.each(dbKinds)('conversation status on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: OutboxApiDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    deps = { db, apiKey: API_KEY, sendingEnabled: true, outbox: { enabled: true, notify() {} } };
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  // ---- Conversations, as webhooks make them ----

  let seq = 0;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** A fresh business number (its counts and list are this test's alone). */
  const newNumber = () => {
    seq += 1;
    return { phoneNumberId: `1065403${String(seq).padStart(8, '0')}${kind === 'pglite' ? 1 : 2}`, displayPhoneNumber: `1555${seq}` };
  };
  const newCustomer = () => `49152${String(++seq).padStart(8, '0')}`;

  /** Delivers webhook items (messages, statuses) for `number` and stores them. */
  async function deliver(carried: Record<string, unknown>, number = NUMBER_A) {
    const pipeline = createPipeline(database);
    expect((await pipeline.post(messagesBody(carried, { number }))).status).toBe(200);
    await pipeline.drain();
  }

  /** A customer writes (Meta's timestamp `at` seconds); the conversation's id. */
  async function customerWrites(waId: string, text = 'Hola', options: { number?: typeof NUMBER_A; at?: number } = {}) {
    const wamid = `wamid.S-${randomUUID()}`;
    await deliver(
      {
        contacts: [{ profile: { name: `Customer ${waId}` }, wa_id: waId }],
        messages: [textMessage(wamid, waId, text, options.at ?? nowSeconds())],
      },
      options.number,
    );
    const [row] = await queryRows<{ conversation_id: string | number }>(
      db,
      sql`select conversation_id from messages where wamid = ${wamid}`,
    );
    return { id: String(row!.conversation_id), wamid };
  }

  // ---- The routes ----

  const request = (path: string, init: { method?: string; body?: unknown } = {}) =>
    new Request(`http://ticks.test${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const setStatus = (id: string, body: unknown) =>
    withApiErrors(postConversationStatus)(request(`/api/conversations/${id}/status`, { method: 'POST', body }), deps, { id });
  async function statusOf(id: string) {
    const res = await getConversation(request(`/api/conversations/${id}`), deps, { id });
    const conversation = (await res.json()) as GetConversationResponse;
    return { status: conversation.status, snoozedUntil: conversation.snoozedUntil, unreadCount: conversation.unreadCount };
  }
  async function list(query: string): Promise<GetConversationsResponse> {
    const res = await withApiErrors(getConversations)(request(`/api/conversations?${query}`), deps);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as GetConversationsResponse;
  }
  /** Every page of a list, following nextCursor. */
  async function allPages(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: GetConversationsResponse = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }
  async function counts(query = ''): Promise<GetConversationCountsResponse['counts']> {
    const res = await withApiErrors(getConversationCounts)(request(`/api/conversations/counts${query}`), deps);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as GetConversationCountsResponse).counts;
  }
  const inAnHour = () => new Date(Date.now() + HOUR_MS).toISOString();

  const noticesDuring = (run: () => Promise<unknown>, expectedAtLeast: number) => noticesOf(database, run, expectedAtLeast);

  // ---- Setting it ----

  it('sets each status through the route and answers the conversation as GET /api/conversations/{id} does', async () => {
    const { id } = await customerWrites(newCustomer());
    expect(await statusOf(id)).toMatchObject({ status: 'open', snoozedUntil: null });

    const until = new Date(Date.now() + 2 * HOUR_MS);
    for (const body of [
      { status: 'pending' },
      { status: 'resolved' },
      { status: 'snoozed', snoozedUntil: until.toISOString() },
      { status: 'open' },
    ]) {
      const res = await setStatus(id, body);
      expect(res.status, await res.clone().text()).toBe(200);
      const answered = (await res.json()) as GetConversationResponse;
      const read = (await (await getConversation(request(`/api/conversations/${id}`), deps, { id })).json()) as GetConversationResponse;
      expect(answered).toEqual(read);
      expect(answered.status).toBe(body.status);
      expect(answered.snoozedUntil).toBe(body.status === 'snoozed' ? until.toISOString() : null);
    }
  });

  it('takes a snooze time with an offset, and snoozing again moves the time', async () => {
    const { id } = await customerWrites(newCustomer());
    const first = new Date(Date.now() + 3 * HOUR_MS);
    first.setUTCMilliseconds(0);
    // The same instant written in UTC-05:00.
    const withOffset = new Date(first.getTime() - 5 * HOUR_MS).toISOString().replace('.000Z', '-05:00');
    expect((await setStatus(id, { status: 'snoozed', snoozedUntil: withOffset })).status).toBe(200);
    expect((await statusOf(id)).snoozedUntil).toBe(first.toISOString());
    const later = new Date(first.getTime() + 24 * HOUR_MS);
    expect((await setStatus(id, { status: 'snoozed', snoozedUntil: later.toISOString() })).status).toBe(200);
    expect(await statusOf(id)).toMatchObject({ status: 'snoozed', snoozedUntil: later.toISOString() });
  });

  it('tells every browser: a change notice names the conversation', async () => {
    const { id } = await customerWrites(newCustomer());
    const notices = await noticesDuring(() => setStatus(id, { status: 'resolved' }), 1);
    expect(notices).toContainEqual([Number(id)]);
  });

  it('refuses a bad body with 400 naming the field, and changes nothing', async () => {
    const { id } = await customerWrites(newCustomer());
    const cases: [unknown, RegExp][] = [
      [{ status: 'closed' }, /status/],
      [{}, /status/],
      [{ status: 'snoozed' }, /snoozedUntil/],
      [{ status: 'snoozed', snoozedUntil: 'tomorrow' }, /snoozedUntil/],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() - 60_000).toISOString() }, /snoozedUntil: must be in the future/],
      [
        { status: 'snoozed', snoozedUntil: new Date(Date.now() + 400 * 24 * HOUR_MS).toISOString() },
        /snoozedUntil: must be at most a year/,
      ],
      // A time goes with a snooze only.
      [{ status: 'resolved', snoozedUntil: inAnHour() }, /snoozedUntil/],
    ];
    for (const [body, message] of cases) {
      const res = await setStatus(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('invalid_request');
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await statusOf(id)).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('answers 404 for an unknown or impossible conversation', async () => {
    for (const id of ['999999', 'abc', '0', '-1', '99999999999999999999']) {
      const res = await setStatus(id, { status: 'resolved' });
      expect(res.status, id).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  // ---- The list of one status, and the counts ----

  it('lists one status page by page, newest activity first; without `status`, every status as before', async () => {
    const number = newNumber();
    const other = newNumber();
    const t0 = nowSeconds() - 3600;
    const plan: ConversationStatus[] = ['resolved', 'open', 'resolved', 'pending', 'resolved', 'snoozed', 'open', 'resolved', 'resolved'];
    const made: { id: string; status: ConversationStatus }[] = [];
    for (const [i, status] of plan.entries()) {
      // On another number too: the number filter and the status filter go together.
      for (const n of [number, other]) {
        const { id } = await customerWrites(newCustomer(), `message ${i}`, { number: n, at: t0 + i * 60 });
        const body = status === 'snoozed' ? { status, snoozedUntil: inAnHour() } : { status };
        if (status !== 'open') expect((await setStatus(id, body)).status).toBe(200);
        if (n === number) made.push({ id, status });
      }
    }
    const newestFirst = [...made].reverse();
    for (const status of ['resolved', 'open', 'pending', 'snoozed'] as const) {
      const expected = newestFirst.filter((c) => c.status === status).map((c) => c.id);
      expect(await allPages(`limit=2&status=${status}&businessPhoneNumberId=${number.phoneNumberId}`), status).toEqual(expected);
    }
    const resolvedPage = await list(`limit=50&status=resolved&businessPhoneNumberId=${number.phoneNumberId}`);
    for (const c of resolvedPage.conversations) expect(c).toMatchObject({ status: 'resolved', snoozedUntil: null });
    const snoozed = await list(`status=snoozed&businessPhoneNumberId=${number.phoneNumberId}`);
    expect(snoozed.conversations[0]!.snoozedUntil).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // No status: every one, in activity order, as before.
    expect(await allPages(`limit=4&businessPhoneNumberId=${number.phoneNumberId}`)).toEqual(newestFirst.map((c) => c.id));
    // Across numbers, a status's pages hold only that status.
    const everyResolved = await allPages('limit=3&status=resolved');
    expect(everyResolved).toEqual(expect.arrayContaining(newestFirst.filter((c) => c.status === 'resolved').map((c) => c.id)));
    const everyOpen = new Set(await allPages('limit=7&status=open'));
    for (const id of everyResolved) expect(everyOpen.has(id)).toBe(false);
  });

  it('refuses an unknown status in the list with 400 naming it', async () => {
    const res = await withApiErrors(getConversations)(request('/api/conversations?status=closed'), deps);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/status/);
  });

  it('counts conversations per status, on every number and on one', async () => {
    const number = newNumber();
    const before = await counts();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await customerWrites(newCustomer(), 'hi', { number })).id);
    expect(await counts(`?businessPhoneNumberId=${number.phoneNumberId}`)).toEqual({ open: 6, pending: 0, resolved: 0, snoozed: 0 });
    await setStatus(ids[0]!, { status: 'resolved' });
    await setStatus(ids[1]!, { status: 'resolved' });
    await setStatus(ids[2]!, { status: 'pending' });
    await setStatus(ids[3]!, { status: 'snoozed', snoozedUntil: inAnHour() });
    expect(await counts(`?businessPhoneNumberId=${number.phoneNumberId}`)).toEqual({ open: 2, pending: 1, resolved: 2, snoozed: 1 });
    const after = await counts();
    expect({
      open: after.open - before.open,
      pending: after.pending - before.pending,
      resolved: after.resolved - before.resolved,
      snoozed: after.snoozed - before.snoozed,
    }).toEqual({ open: 2, pending: 1, resolved: 2, snoozed: 1 });
    expect(await counts('?businessPhoneNumberId=000')).toEqual({ open: 0, pending: 0, resolved: 0, snoozed: 0 });
  });

  // ---- A customer's new message opens it again; nothing else does ----

  it.each(['pending', 'resolved', 'snoozed'] as const)('a new message from the customer opens a %s conversation again', async (status) => {
    const waId = newCustomer();
    const { id } = await customerWrites(waId);
    const body = status === 'snoozed' ? { status, snoozedUntil: inAnHour() } : { status };
    expect((await setStatus(id, body)).status).toBe(200);
    await customerWrites(waId, 'Any news?');
    expect(await statusOf(id)).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('a reaction from the customer does not open it again', async () => {
    const waId = newCustomer();
    const { id, wamid } = await customerWrites(waId);
    await setStatus(id, { status: 'resolved' });
    await deliver({
      contacts: [{ profile: { name: 'Reacting' }, wa_id: waId }],
      messages: [
        {
          from: waId,
          id: `wamid.R-${randomUUID()}`,
          timestamp: String(nowSeconds()),
          type: 'reaction',
          reaction: { message_id: wamid, emoji: '👍' },
        },
      ],
    });
    const [reaction] = await queryRows<{ n: string | number }>(
      db,
      sql`select count(*) as n from messages where conversation_id = ${Number(id)} and type = 'reaction'`,
    );
    expect(Number(reaction!.n)).toBe(1);
    expect((await statusOf(id)).status).toBe('resolved');
  });

  it('our own message and a status webhook do not open it again', async () => {
    const waId = newCustomer();
    const { id } = await customerWrites(waId);
    await setStatus(id, { status: 'pending' });
    const sent = await withApiErrors(postConversationMessage)(
      request(`/api/conversations/${id}/messages`, { method: 'POST', body: { clientId: randomUUID(), type: 'text', text: 'On its way' } }),
      deps,
      { id },
    );
    expect(sent.status, await sent.clone().text()).toBe(202);
    expect((await statusOf(id)).status).toBe('pending');

    // Statuses of a message sent from elsewhere (a placeholder is made for it), and of ours.
    const outbound = `wamid.OUT-${randomUUID()}`;
    await deliver({ statuses: [statusItem(outbound, 'sent', nowSeconds(), waId), statusItem(outbound, 'delivered', nowSeconds(), waId)] });
    const [placeholder] = await queryRows<{ conversation_id: string | number }>(
      db,
      sql`select conversation_id from messages where wamid = ${outbound}`,
    );
    expect(String(placeholder!.conversation_id)).toBe(id);
    expect(await statusOf(id)).toMatchObject({ status: 'pending', unreadCount: 1 });
  });

  // ---- Snoozes end by themselves ----

  /** Conversations snoozed until `until` (in the past for due ones: the API takes future times only). */
  async function snoozedConversations(n: number, until: SQL): Promise<number[]> {
    const number = newNumber();
    await db.insert(businessNumbers).values(number).onConflictDoNothing();
    const people = await db
      .insert(contacts)
      .values(Array.from({ length: n }, () => ({ waId: newCustomer(), name: 'Sleeper' })))
      .returning({ id: contacts.id });
    const rows = await db
      .insert(conversations)
      .values(people.map((p) => ({ phoneNumberId: number.phoneNumberId, contactId: p.id, lastMessageAt: new Date() })))
      .returning({ id: conversations.id });
    const ids = rows.map((r) => r.id);
    for (const id of ids) await db.execute(sql`update conversations set status = 'snoozed', snoozed_until = ${until} where id = ${id}`);
    return ids;
  }

  it('two wakers at once open each ended snooze exactly once, say so, and leave a future snooze alone', async () => {
    const due = await snoozedConversations(60, sql`now() - interval '1 second'`);
    const [future] = await snoozedConversations(1, sql`now() + interval '1 hour'`);
    // Two instances: on PostgreSQL each with its own connections; PGlite has one connection for all.
    const other = kind === 'postgres' ? await openDatabase({ url: testDb.url!, poolMax: 2 }) : database;
    try {
      const wakers = [new SnoozeWaker(db, { log: silentLog, batchSize: 7 }), new SnoozeWaker(other.db, { log: silentLog, batchSize: 7 })];
      const woken: number[][] = [[], []];
      const notices = await noticesDuring(
        () =>
          Promise.all(
            wakers.map(async (waker, i) => {
              for (;;) {
                const ids = await waker.wakeDue();
                if (ids.length === 0) return;
                woken[i]!.push(...ids);
              }
            }),
          ),
        1,
      );
      const all = [...woken[0]!, ...woken[1]!];
      expect([...all].sort((a, b) => a - b)).toEqual([...due].sort((a, b) => a - b));
      // Told once each, in the commit that opened it.
      await expect.poll(() => notices.flat().length, { timeout: 5000 }).toBe(due.length);
      expect([...notices.flat()].sort((a, b) => a - b)).toEqual([...due].sort((a, b) => a - b));
      for (const id of [due[0]!, due.at(-1)!]) expect(await statusOf(String(id))).toMatchObject({ status: 'open', snoozedUntil: null });
      expect((await statusOf(String(future))).status).toBe('snoozed');
      const [left] = await queryRows<{ n: string | number }>(
        db,
        sql`select count(*) as n from conversations where id in ${due} and (status <> 'open' or snoozed_until is not null or status_changed_at is null)`,
      );
      expect(Number(left!.n)).toBe(0);
    } finally {
      if (other !== database) await other.close();
    }
  });

  it('a running waker opens a snooze within moments of its time', async () => {
    const { id } = await customerWrites(newCustomer());
    const waker = new SnoozeWaker(db, { log: silentLog, pollMs: 100 }).start();
    try {
      const until = new Date(Date.now() + 1500);
      expect((await setStatus(id, { status: 'snoozed', snoozedUntil: until.toISOString() })).status).toBe(200);
      expect((await statusOf(id)).status).toBe('snoozed');
      await expect.poll(async () => (await statusOf(id)).status, { timeout: 10_000, interval: 100 }).toBe('open');
      const [row] = await db
        .select({ changedAt: conversations.statusChangedAt })
        .from(conversations)
        .where(eq(conversations.id, Number(id)));
      expect(row!.changedAt!.getTime()).toBeGreaterThanOrEqual(until.getTime());
    } finally {
      await waker.stop();
    }
  });
});

// With 100k conversations, a tab (one status, on every number or one) walks its index like the whole list.
describe.runIf(dbKinds.includes('postgres'))('status list query plans on PostgreSQL with 100k conversations', () => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    db = testDb.database.db;
    await db.execute(sql`insert into business_numbers (phone_number_id, display_phone_number) values ('n1', '1'), ('n2', '2')`);
    await db.execute(
      sql`insert into contacts (wa_id, name) select (5210000000000 + g)::text, 'Customer ' || g from generate_series(1, 100000) g`,
    );
    // 60% resolved, 25% open, 10% pending, 5% snoozed.
    await db.execute(sql`
      insert into conversations (phone_number_id, contact_id, last_message_at, unread_count, status, snoozed_until)
      select case when g % 2 = 0 then 'n1' else 'n2' end, g,
        case when g % 1000 = 0 then null else timestamptz '2026-01-01' + (g % 50000) * interval '1 second' end, 0,
        case when g % 20 < 12 then 'resolved' when g % 20 < 17 then 'open' when g % 20 < 19 then 'pending' else 'snoozed' end,
        case when g % 20 = 19 then timestamptz '2027-01-01' end
      from generate_series(1, 100000) g`);
    // As autovacuum leaves a table: the visibility map set, so counts need no heap reads.
    await db.execute(sql`vacuum analyze`);
  }, 120_000);
  afterAll(async () => {
    await testDb?.drop();
  });

  async function plan(options: Omit<ConversationListOptions, 'limit'>, range = 0): Promise<string> {
    const query: { getSQL(): SQL } = conversationListQuery(db, { limit: 51, ...options }, range);
    const rows = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${query.getSQL()}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const mid = { lastMessageAt: '2026-01-01T06:56:40.000000Z', id: 25000 };

  it.each<[string, Omit<ConversationListOptions, 'limit'>, string]>([
    ['open, first page', { status: 'open' }, 'conversations_status_activity_idx'],
    ['resolved, first page', { status: 'resolved' }, 'conversations_status_activity_idx'],
    ['pending, cursor page', { status: 'pending', after: mid }, 'conversations_status_activity_idx'],
    ['snoozed, first page', { status: 'snoozed' }, 'conversations_status_activity_idx'],
    ['open on one number', { status: 'open', phoneNumberId: 'n1' }, 'conversations_number_status_activity_idx'],
    [
      'resolved on one number, cursor page',
      { status: 'resolved', phoneNumberId: 'n1', after: mid },
      'conversations_number_status_activity_idx',
    ],
  ])('%s: index scan, no sort', async (_name, options, index) => {
    const text = await plan(options);
    expect(text).toContain(`Index Scan using ${index} on conversations`);
    expect(text).not.toMatch(/Seq Scan on conversations|Sort/);
  });

  it('a status after its last timed row: the untimed rows by index too', async () => {
    const text = await plan({ status: 'open', after: mid }, 1);
    expect(text).toContain('conversations_status_activity_idx');
    expect(text).not.toMatch(/Seq Scan on conversations|Sort/);
  });

  it('counts per status: the kept counts equal counting 100k conversations, on every number and on one', async () => {
    for (const phoneNumberId of [undefined, 'n1']) {
      const rows = await queryRows<{ status: string; n: number }>(
        db,
        sql`select status, count(*)::int as n from conversations ${phoneNumberId ? sql`where phone_number_id = ${phoneNumberId}` : sql``} group by status`,
      );
      const counted = { open: 0, pending: 0, resolved: 0, snoozed: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
      expect(await countConversationsByStatus(db, { phoneNumberId })).toEqual(counted);
    }
  });

  it('the waker finds ended snoozes through its partial index', async () => {
    const rows = await queryRows<{ 'QUERY PLAN': string }>(
      db,
      sql`explain select id from conversations where status = 'snoozed' and snoozed_until <= now() order by snoozed_until limit 100 for update skip locked`,
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('conversations_snoozed_until_idx');
  });
});
