import { eq, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import { conversationListQuery, type ConversationListOptions } from '@/db/queries/conversations';
import { businessNumbers, contacts, conversations, messages } from '@/db/schema';
import { assertSameOrigin } from '@/lib/auth/access';
import { withApiErrors } from '@/lib/http/errors';
import {
  getBusinessNumbers,
  getConversations,
  postConversationRead,
  type GetBusinessNumbersResponse,
  type GetConversationsResponse,
  type ReadApiDeps,
} from '@/lib/inbox/read-api';
import { CHANGES_CHANNEL, decodeChange } from '@/lib/realtime/changes';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The inbox list's search and number filter, the business numbers behind that filter, and marking a
// conversation read — through the handlers the routes call, on PGlite and on PostgreSQL.

const API_KEY = 'test-inbox-api-key-0123456789';
const NUMBER_A = '106540352242922';
const NUMBER_B = '106540352249999';
const NUMBER_IDLE = '106540352240000'; // seen in a webhook, no conversation yet
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const routes = {
  conversations: withApiErrors(getConversations),
  businessNumbers: withApiErrors(getBusinessNumbers),
  read: withApiErrors(postConversationRead),
};

interface RequestOptions {
  key?: string | null;
  method?: string;
  headers?: Record<string, string>;
}

function request(path: string, { key = API_KEY, method = 'GET', headers = {} }: RequestOptions = {}): Request {
  return new Request(`http://ticks.test${path}`, {
    method,
    headers: { host: 'ticks.test', ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
  });
}

// ---- The data set: each customer with their conversations' messages (newest activity last) ----

interface Seeded {
  /** Conversation ids by a short name. */
  ids: Record<string, string>;
}

async function seed(db: Db): Promise<Seeded> {
  await db.insert(businessNumbers).values([
    { phoneNumberId: NUMBER_A, displayPhoneNumber: '15551234567' },
    { phoneNumberId: NUMBER_B, displayPhoneNumber: '15557654321' },
    { phoneNumberId: NUMBER_IDLE, displayPhoneNumber: null },
  ]);
  const people = await db
    .insert(contacts)
    .values([
      { waId: '5215512345678', name: 'María López' },
      { waId: '5215587654321', name: 'Pedro Ramírez' },
      { waId: null, userId: 'US.13491208655302741918', name: 'Anon Buyer' },
      { waId: '447700900123', name: '100%_Club' },
      { waId: '4915112345678', name: 'Tom Becker' },
      { waId: '491510000001', name: 'Back\\slash Ltd' },
      { waId: '5215500000000', name: null },
    ])
    .returning({ id: contacts.id, name: contacts.name, waId: contacts.waId });
  const contactId = (waId: string | null, name: string) => people.find((p) => p.waId === waId && (p.name ?? '') === name)!.id;

  const threads: { key: string; number: string; contact: number; texts: (string | null)[]; unread: number }[] = [
    {
      key: 'mariaA',
      number: NUMBER_A,
      contact: contactId('5215512345678', 'María López'),
      texts: ['Hola, ¿tienen envío a Monterrey?', 'Soy Maria'],
      unread: 2,
    },
    { key: 'pedro', number: NUMBER_A, contact: contactId('5215587654321', 'Pedro Ramírez'), texts: ['Quiero el catálogo'], unread: 1 },
    { key: 'anon', number: NUMBER_A, contact: contactId(null, 'Anon Buyer'), texts: ['hi there', null], unread: 0 },
    { key: 'club', number: NUMBER_A, contact: contactId('447700900123', '100%_Club'), texts: ['membership question'], unread: 0 },
    {
      key: 'tom',
      number: NUMBER_B,
      contact: contactId('4915112345678', 'Tom Becker'),
      texts: ['Order #4821 still not delivered'],
      unread: 1,
    },
    { key: 'backslash', number: NUMBER_B, contact: contactId('491510000001', 'Back\\slash Ltd'), texts: ['see C:\\temp\\x_y'], unread: 0 },
    { key: 'mariaB', number: NUMBER_B, contact: contactId('5215512345678', 'María López'), texts: ['por el otro número'], unread: 0 },
    // No message yet: listed last.
    { key: 'silent', number: NUMBER_A, contact: contactId('5215500000000', ''), texts: [], unread: 0 },
  ];
  const ids: Record<string, string> = {};
  let minute = 0;
  for (const t of threads) {
    const wamids = t.texts.map((_, i) => `wamid.${t.key}-${i}`);
    const lastAt = t.texts.length ? at(minute + t.texts.length) : null;
    const [row] = await db
      .insert(conversations)
      .values({
        phoneNumberId: t.number,
        contactId: t.contact,
        lastMessageAt: lastAt,
        unreadCount: t.unread,
      })
      .returning({ id: conversations.id });
    ids[t.key] = String(row!.id);
    if (t.texts.length) {
      await db.insert(messages).values(
        t.texts.map((text, i) => ({
          wamid: wamids[i]!,
          conversationId: row!.id,
          direction: 'inbound' as const,
          type: text === null ? 'image' : 'text',
          text,
          sentAt: at(minute + i + 1),
          status: 'received',
        })),
      );
      const [last] = await db
        .select({ id: messages.id })
        .from(messages)
        .where(eq(messages.wamid, wamids.at(-1)!));
      await db.update(conversations).set({ lastMessageId: last!.id }).where(eq(conversations.id, row!.id));
    }
    minute += 10;
  }
  return { ids };
}

describe.each(dbKinds)('inbox list on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: ReadApiDeps;
  let ids: Record<string, string>;
  const keyOf = (id: string) => Object.keys(ids).find((k) => ids[k] === id);

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    deps = { db, apiKey: API_KEY };
    ({ ids } = await seed(db));
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const list = async (query: string) => {
    const res = await routes.conversations(request(`/api/conversations${query}`), deps);
    expect(res.status).toBe(200);
    return (await res.json()) as GetConversationsResponse;
  };
  /** The conversations q finds, by short name, in list order. */
  const search = async (q: string, extra = '') =>
    (await list(`?limit=200&q=${encodeURIComponent(q)}${extra}`)).conversations.map((c) => keyOf(c.id));
  const unreadOf = async (key: string) => (await list('?limit=200')).conversations.find((c) => c.id === ids[key])!.unreadCount;

  describe('search', () => {
    it('finds by name, case-insensitively, in list order', async () => {
      expect(await search('maría')).toEqual(['mariaB', 'mariaA']);
      expect(await search('ramírez')).toEqual(['pedro']);
      expect(await search('BECKER')).toEqual(['tom']);
    });

    it('finds by number, typed with spaces, plus, dashes and brackets', async () => {
      expect(await search('5215587654321')).toEqual(['pedro']);
      expect(await search('87654')).toEqual(['pedro']);
      expect(await search('+52 1 55 8765')).toEqual(['pedro']);
      expect(await search('+52 (155) 8765-4321')).toEqual(['pedro']);
      expect(await search('+44 7700 900')).toEqual(['club']);
      // Every conversation with such a number, the one without messages (listed last) included.
      expect(await search('+52 1 55')).toEqual(['mariaB', 'pedro', 'mariaA', 'silent']);
    });

    it('finds by message text, any message of the thread', async () => {
      expect(await search('MONTERREY')).toEqual(['mariaA']);
      expect(await search('catálogo')).toEqual(['pedro']);
      expect(await search('order #4821')).toEqual(['tom']);
      expect(await search('otro número')).toEqual(['mariaB']);
      // "hi there" is anon's first message, not its last.
      expect(await search('hi there')).toEqual(['anon']);
    });

    it('finds by BSUID (user_id)', async () => {
      expect(await search('us.1349120865')).toEqual(['anon']);
      expect(await search('13491208655302741918')).toEqual(['anon']);
    });

    it('lists a conversation matching by contact and by text once', async () => {
      // "maria" is in María López's name only with the accent; "Soy Maria" is a message of mariaA.
      expect(await search('maria')).toEqual(['mariaA']);
      expect(await search('mar')).toEqual(['mariaB', 'mariaA']);
    });

    it('searches contacts only for a term without three letters or digits in a row', async () => {
      expect(await search('ó')).toEqual(['mariaB', 'mariaA']);
      expect(await search('ló')).toEqual(['mariaB', 'mariaA']);
      expect(await search('4821')).toEqual(['tom']);
      // "membership" and "hi there" are message texts: not searched for two letters.
      expect(await search('hi')).toEqual([]);
      expect(await search('hi t')).toEqual([]);
      expect(await search('hi there')).toEqual(['anon']);
      expect(await search('qx')).toEqual([]);
      expect(await search('+')).toEqual([]);
      expect(await search('77')).toEqual(['club']);
      // The list says so, for the search box to explain why "hi" finds nothing.
      expect((await list('?q=hi')).searchedMessageText).toBe(false);
      expect((await list('?q=hi%20there')).searchedMessageText).toBe(true);
      expect((await list('')).searchedMessageText).toBeUndefined();
    });

    it('treats %, _ and \\ literally', async () => {
      expect(await search('%')).toEqual(['club']);
      expect(await search('_')).toEqual(['club']); // backslash's "x_y" is message text: too short to search there
      expect(await search('0%_c')).toEqual(['club']);
      expect(await search('%_%')).toEqual([]);
      expect(await search('\\')).toEqual(['backslash']);
      expect(await search('c:\\temp\\x_y')).toEqual(['backslash']);
      expect(await search('\\%')).toEqual([]);
    });

    it('finds nothing for a term nobody has', async () => {
      expect(await list('?q=nobody-matches-this')).toEqual({ conversations: [], nextCursor: null, searchedMessageText: true });
    });

    it('pages through results with the cursor, into conversations without messages', async () => {
      const everything = await search('5215');
      expect(everything).toEqual(['mariaB', 'pedro', 'mariaA', 'silent']);
      const seen: (string | undefined)[] = [];
      let cursor: string | null = null;
      do {
        const page: GetConversationsResponse = await list(`?limit=1&q=5215${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.conversations.length).toBeLessThanOrEqual(1);
        seen.push(...page.conversations.map((c) => keyOf(c.id)));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen).toEqual(everything);
    });
  });

  describe('business number filter', () => {
    it('lists one number only, with or without a search, and pages within it', async () => {
      expect(await search('', `&businessPhoneNumberId=${NUMBER_B}`)).toEqual(['mariaB', 'backslash', 'tom']);
      expect(await search('maría', `&businessPhoneNumberId=${NUMBER_A}`)).toEqual(['mariaA']);
      expect(await search('maría', `&businessPhoneNumberId=${NUMBER_B}`)).toEqual(['mariaB']);
      expect(await search('pedro', `&businessPhoneNumberId=${NUMBER_B}`)).toEqual([]);
      expect(await search('', `&businessPhoneNumberId=${NUMBER_IDLE}`)).toEqual([]);
      const page1 = await list(`?limit=2&businessPhoneNumberId=${NUMBER_B}`);
      const page2 = await list(`?limit=2&businessPhoneNumberId=${NUMBER_B}&cursor=${page1.nextCursor}`);
      expect([...page1.conversations, ...page2.conversations].map((c) => keyOf(c.id))).toEqual(['mariaB', 'backslash', 'tom']);
      expect(page2.nextCursor).toBeNull();
    });
  });

  describe('GET /api/business-numbers', () => {
    it('lists every number with its conversation count, by display number', async () => {
      const res = await routes.businessNumbers(request('/api/business-numbers'), deps);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/^no-store(, no-transform)?$/);
      expect((await res.json()) as GetBusinessNumbersResponse).toEqual({
        businessNumbers: [
          { id: NUMBER_A, displayPhoneNumber: '15551234567', conversationCount: 5 },
          { id: NUMBER_B, displayPhoneNumber: '15557654321', conversationCount: 3 },
          { id: NUMBER_IDLE, displayPhoneNumber: null, conversationCount: 0 },
        ],
      } satisfies GetBusinessNumbersResponse);
    });

    it('answers 401 without a key', async () => {
      expect((await routes.businessNumbers(request('/api/business-numbers', { key: null }), deps)).status).toBe(401);
    });
  });

  describe('POST /api/conversations/{id}/read', () => {
    const markRead = (id: string, options: RequestOptions = {}) =>
      routes.read(request(`/api/conversations/${id}/read`, { method: 'POST', ...options }), deps, { id });

    it('sets the unread count to 0 and tells listeners, once', async () => {
      expect(await unreadOf('pedro')).toBe(1);
      const notices: string[] = [];
      const unlisten = await database.listen(CHANGES_CHANNEL, (p) => notices.push(p));
      try {
        const res = await markRead(ids.pedro!);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ unreadCount: 0 });
        await expect.poll(() => notices.length, { timeout: 5000 }).toBe(1);
        expect(decodeChange(notices[0]!)).toEqual({ conversations: [Number(ids.pedro)], messages: [], topics: [], partial: false });
        expect(await unreadOf('pedro')).toBe(0);

        // Already read: still 200, nothing to tell anyone.
        const again = await markRead(ids.pedro!);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ unreadCount: 0 });
        await new Promise((r) => setTimeout(r, 300));
        expect(notices).toHaveLength(1);
      } finally {
        await unlisten();
      }
    });

    it('answers 404 for an unknown or impossible id', async () => {
      for (const id of ['999999', 'abc', '0', '-1', '99999999999999999999']) {
        const res = await markRead(id);
        expect(res.status, id).toBe(404);
        expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found' } });
      }
    });

    it('answers 401 without a key, before anything else', async () => {
      expect((await markRead(ids.mariaA!, { key: null })).status).toBe(401);
      expect((await markRead('999999', { key: null })).status).toBe(401);
      expect((await markRead(ids.mariaA!, { key: 'wrong-key-wrong-key-wrong' })).status).toBe(401);
      expect(await unreadOf('mariaA')).toBe(2);
    });

    it('refuses a cross-origin POST (403) and accepts a same-origin one', async () => {
      for (const origin of ['https://evil.example', 'http://ticks.test.evil.example', 'null', 'http://ticks.test:8080']) {
        const res = await markRead(ids.mariaA!, { headers: { origin } });
        expect(res.status, origin).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }
      expect(await unreadOf('mariaA')).toBe(2);
      expect((await markRead(ids.mariaA!, { headers: { origin: 'http://ticks.test' } })).status).toBe(200);
      expect(await unreadOf('mariaA')).toBe(0);
    });
  });
});

describe('assertSameOrigin', () => {
  const check =
    (headers: Record<string, string>, url = 'http://ticks.test/api/x') =>
    () =>
      assertSameOrigin(new Request(url, { method: 'POST', headers }));

  it('lets through requests without Origin (API clients) and from the same host', () => {
    expect(check({})).not.toThrow();
    expect(check({ origin: 'http://ticks.test' })).not.toThrow();
    expect(check({ origin: 'https://TICKS.test', host: 'ticks.test' })).not.toThrow();
    expect(check({ origin: 'http://localhost:3000', host: 'localhost:3000' }, 'http://localhost:3000/api/x')).not.toThrow();
  });

  it('uses the host the client addressed behind a proxy (X-Forwarded-Host)', () => {
    const proxied = { host: '127.0.0.1:3000', 'x-forwarded-host': 'inbox.example.com' };
    expect(check({ ...proxied, origin: 'https://inbox.example.com' }, 'http://127.0.0.1:3000/api/x')).not.toThrow();
    expect(check({ ...proxied, origin: 'https://evil.example' }, 'http://127.0.0.1:3000/api/x')).toThrow(/Cross-origin/);
  });

  it('refuses another host or port, and unparseable or opaque origins', () => {
    for (const origin of ['https://evil.example', 'http://ticks.test:444', 'null', 'not a url']) {
      expect(check({ origin, host: 'ticks.test' }), origin).toThrow(/Cross-origin/);
    }
  });
});

// Search at scale: a rare term must come from the trigram indexes, a common one from walking the list
// in order; neither may read every message.
describe.runIf(dbKinds.includes('postgres'))('search plans on PostgreSQL with 50k conversations', () => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    db = testDb.database.db;
    await db.execute(sql`insert into business_numbers (phone_number_id, display_phone_number) values ('n1', '1'), ('n2', '2')`);
    await db.execute(sql`
      insert into contacts (wa_id, name)
      select (5210000000000 + g * 7919)::text,
        (array['Ana', 'Luis', 'Sofía', 'Jorge', 'Emma', 'Jonas', 'Priya', 'Kenji'])[1 + g % 8] || ' ' ||
        (array['García', 'Smith', 'Müller', 'Tanaka', 'Silva', 'Khan', 'Rossi', 'Novak', 'Okafor', 'Petrov'])[1 + (g / 8) % 10]
      from generate_series(1, 50000) g`);
    await db.execute(sql`
      insert into conversations (phone_number_id, contact_id, last_message_at)
      select case when g % 3 = 0 then 'n2' else 'n1' end, g, timestamptz '2026-01-01' + g * interval '1 minute'
      from generate_series(1, 50000) g`);
    await db.execute(sql`
      insert into messages (wamid, conversation_id, direction, type, text, sent_at, status)
      select 'wamid.' || g || '.' || k, g, 'inbound', 'text',
        (array['Hola, gracias', 'Do you ship to Canada?', 'Order #' || (10000 + g) || ' is late'])[k],
        timestamptz '2026-01-01' + g * interval '1 minute' - (3 - k) * interval '10 seconds', 'received'
      from generate_series(1, 50000) g, generate_series(1, 3) k`);
    await db.execute(sql`update conversations c set last_message_id = m.id from messages m where m.wamid = 'wamid.' || c.id || '.3'`);
    // VACUUM also moves the GIN indexes' pending lists (where bulk inserts land) into the index proper.
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

  it.each<[string, Omit<ConversationListOptions, 'limit'>]>([
    ['a rare text', { q: 'order #12345' }],
    ['a rare number', { q: '+52 10000 3959' }],
    ['no match', { q: 'zzqxj' }],
    ['a rare text on one number', { q: 'order #12345', phoneNumberId: 'n1' }],
  ])('%s: trigram indexes, no scan of messages or conversations', async (_name, options) => {
    const text = await plan(options);
    expect(text).toContain('messages_text_trgm_idx');
    expect(text).toMatch(/contacts_(name|wa_id)_trgm_idx/);
    expect(text).not.toMatch(/Seq Scan on (messages|conversations|contacts)/);
  });

  it.each(['a', 'jo', '52', 'ó', '#1', 'a b'])('a term without a trigram (%s) searches contacts only: messages are not read', async (q) => {
    for (const phoneNumberId of [undefined, 'n1']) {
      const text = await plan({ q, phoneNumberId });
      // The only messages read are the listed conversations' last ones, by primary key.
      const readsOfMessages = text.split('\n').filter((line) => / on messages\b/.test(line));
      expect(readsOfMessages.length).toBeGreaterThan(0);
      for (const line of readsOfMessages) expect(line).toMatch(/Index Scan using messages_pkey on messages last_message/);
      expect(text).not.toContain('messages_text_trgm_idx');
      expect(text).not.toMatch(/Seq Scan on messages/);
    }
  });

  it('a common term walks the list in order and stops early', async () => {
    for (const q of ['gracias', 'ship to']) {
      const text = await plan({ q });
      expect(text).toMatch(/Index (Only )?Scan using conversations_activity_idx/);
      expect(text).not.toMatch(/Seq Scan on (messages|conversations)/);
    }
  });
});
