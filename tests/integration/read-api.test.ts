import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Db } from '@/db/client';
import type { SQL } from 'drizzle-orm';
import { conversationListQuery, type ConversationListOptions } from '@/db/queries/conversations';
import { threadPageQuery } from '@/db/queries/messages';
import { withApiErrors } from '@/lib/http/errors';
import { log } from '@/lib/log';
import {
  getConversationMessages,
  getConversations,
  getMessage,
  type GetConversationMessagesResponse,
  type GetConversationsResponse,
  type GetMessageResponse,
  type ReadApiDeps,
} from '@/lib/inbox/read-api';
import { contentOf, TARGET_REWRITING_MESSAGE_TYPES } from '@/lib/whatsapp/message-types';
import { storeBatches } from '@/lib/whatsapp/store';
import type { DeliveryError, NormalizedBatch, NormalizedMessage, NormalizedStatus } from '@/lib/whatsapp/types';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The read API over a real database: data goes in the way the webhook writes it (storeBatches), and
// comes out through the same functions the route handlers call, wrapped the same way.

const API_KEY = 'test-inbox-api-key-0123456789';
const NUMBER_A = '106540352242922';
const NUMBER_B = '106540352249999';
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const routes = {
  message: withApiErrors(getMessage),
  conversations: withApiErrors(getConversations),
  thread: withApiErrors(getConversationMessages),
};

function request(path: string, key: string | null = API_KEY): Request {
  return new Request(`http://ticks.test${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
}

async function body<T>(res: Response): Promise<T> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.headers.get('cache-control')).toMatch(/^no-store(, no-transform)?$/);
  return (await res.json()) as T;
}

// ---- Normalized data, as lib/whatsapp/normalize.ts would produce it ----

interface Customer {
  waId: string | null;
  userId?: string | null;
  name?: string | null;
}

function emptyBatch(): NormalizedBatch {
  return { businessNumbers: [], contacts: [], messages: [], statuses: [], accountEvents: [] };
}

function message(wamid: string, customer: Customer, timestamp: Date, extra: Partial<NormalizedMessage> = {}): NormalizedMessage {
  const base: Omit<NormalizedMessage, 'content'> = {
    wamid,
    phoneNumberId: NUMBER_A,
    customer: { waId: customer.waId, userId: customer.userId ?? null },
    direction: 'inbound',
    type: 'text',
    subtype: null,
    text: `text of ${wamid}`,
    timestamp,
    replyToWamid: null,
    forwarded: false,
    frequentlyForwarded: false,
    media: null,
    targetWamid: null,
    errors: [],
    raw: { id: wamid, type: extra.type ?? 'text' },
    ...extra,
  };
  // As the text's module would have it; other types from their (bare) raw item.
  const content = base.type === 'text' ? ({ v: 1, type: 'text', body: base.text } as const) : contentOf(base.raw);
  return { ...base, content: extra.content ?? content };
}

function status(
  wamid: string,
  customer: Customer,
  value: string,
  timestamp: Date,
  extra: Partial<NormalizedStatus> = {},
): NormalizedStatus {
  return {
    wamid,
    phoneNumberId: NUMBER_A,
    customer: { waId: customer.waId, userId: customer.userId ?? null },
    status: value,
    timestamp,
    errors: [],
    pricing: null,
    conversation: null,
    callbackData: null,
    raw: { id: wamid, status: value },
    ...extra,
  };
}

function batchOf(parts: { customers?: Customer[]; messages?: NormalizedMessage[]; statuses?: NormalizedStatus[] }): NormalizedBatch {
  return {
    ...emptyBatch(),
    businessNumbers: [
      { phoneNumberId: NUMBER_A, displayPhoneNumber: '15551234567', wabaId: '102290129340398' },
      { phoneNumberId: NUMBER_B, displayPhoneNumber: '15557654321', wabaId: '102290129340398' },
    ],
    contacts: (parts.customers ?? []).map((c) => ({ waId: c.waId, userId: c.userId ?? null, name: c.name ?? null, username: null })),
    messages: parts.messages ?? [],
    statuses: parts.statuses ?? [],
  };
}

let nextEventId = 1;
/** Each batch is its own webhook event, stored in its own transaction, in the order given (= arrival order). */
async function store(db: Db, ...batches: NormalizedBatch[]) {
  for (const batch of batches) await db.transaction((tx) => storeBatches(tx, [{ eventId: nextEventId++, batch }]));
}

// ---- The data set ----

const maria: Customer = { waId: '5215512345678', name: 'Maria Lopez' };
const pedro: Customer = { waId: '5215587654321', name: 'Pedro Ramírez' };
const bsuidOnly: Customer = { waId: null, userId: 'US.13491208655302741918', name: 'Anon Buyer' };
const percentClub: Customer = { waId: '447700900123', name: '100%_Club' };
const others: Customer[] = [1, 2, 3].map((i) => ({ waId: `4915100000${i}`, name: `Other ${i}` }));
const numberB: Customer = { waId: '5215512345678', name: 'Maria Lopez' }; // Maria again, on the second number
const ghost: Customer = { waId: '5215500000000' }; // only ever seen in a status: the thread holds a placeholder
const lonely: Customer = { waId: '5215500000001' }; // only a revoke of a message we never got: no last message

/** A wamid as Meta makes them: base64 with `=`, `+` and `/`. */
const ODD_WAMID = 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMEI+QzFEMkUzRjQ1/jY3ODkA==';
const FAILED_ERROR: DeliveryError = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
};

async function seed(db: Db) {
  // Maria's thread: arrives out of order (the earliest message by Meta's clock comes last).
  await store(
    db,
    batchOf({ customers: [maria], messages: [message('wamid.M-02', maria, at(2), { text: 'Hola! ¿Tienen envío a Monterrey?' })] }),
    batchOf({
      messages: [message('wamid.OUT-03', maria, at(3), { direction: 'outbound', text: 'Sí, enviamos a todo México' })],
    }),
    // Same second for sent and delivered, delivered reported first: history still reads sent → delivered → read.
    batchOf({ statuses: [status('wamid.OUT-03', maria, 'delivered', at(3.5))] }),
    batchOf({ statuses: [status('wamid.OUT-03', maria, 'sent', at(3.5)), status('wamid.OUT-03', maria, 'read', at(4))] }),
    batchOf({
      customers: [maria],
      messages: [message('wamid.M-05', maria, at(5), { text: 'Perfecto, gracias', replyToWamid: 'wamid.OUT-03' })],
    }),
    batchOf({ messages: [message(ODD_WAMID, maria, at(6), { type: 'image', text: 'foto del paquete', media: imageMedia() })] }),
    batchOf({ statuses: [status('wamid.OUT-07', maria, 'failed', at(7), { errors: [FAILED_ERROR] })] }),
    batchOf({ messages: [message('wamid.M-08', maria, at(8), { type: 'reaction', text: '👍', targetWamid: 'wamid.OUT-03' })] }),
    batchOf({
      messages: [message('wamid.M-09-edit', maria, at(9), { type: 'edit', text: 'Perfecto, ¡muchas gracias!', targetWamid: 'wamid.M-05' })],
    }),
    // Arrives last, but Meta says it was sent first.
    batchOf({ messages: [message('wamid.M-01', maria, at(1), { text: 'Buenos días' })] }),
  );

  // Other conversations on number A, each with one message; two share a last-message time exactly.
  await store(
    db,
    batchOf({ customers: [pedro], messages: [message('wamid.P-01', pedro, at(20), { text: 'Quiero el catálogo' })] }),
    batchOf({ customers: [bsuidOnly], messages: [message('wamid.U-01', bsuidOnly, at(30), { text: 'hi there' })] }),
    batchOf({ customers: [percentClub], messages: [message('wamid.C-01', percentClub, at(40), { text: 'membership question' })] }),
    ...others.map((c, i) =>
      batchOf({ customers: [c], messages: [message(`wamid.O-${i + 1}`, c, i === 2 ? at(15) : at(10 + i), { text: `note ${i + 1}` })] }),
    ),
    batchOf({ statuses: [status('wamid.G-01', ghost, 'sent', at(50))] }),
    batchOf({ messages: [message('wamid.L-01', lonely, at(60), { type: 'revoke', text: null, targetWamid: 'wamid.NEVER-SEEN' })] }),
  );

  // Maria on number B: a separate conversation.
  await store(
    db,
    batchOf({
      customers: [numberB],
      messages: [message('wamid.B-01', numberB, at(15), { phoneNumberId: NUMBER_B, text: 'por el otro número' })],
    }),
  );
}

function imageMedia() {
  return {
    id: '1234567890',
    mimeType: 'image/jpeg',
    sha256: 'abc=',
    caption: 'foto del paquete',
    filename: null,
    voice: false,
    animated: false,
    url: null,
  };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(dbKinds)('read API on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Db;
  let deps: ReadApiDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
    deps = { db, apiKey: API_KEY };
    await seed(db);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const getMessageJson = async (wamid: string) => {
    const res = await routes.message(request(`/api/messages/${encodeURIComponent(wamid)}`), deps, { id: wamid });
    expect(res.status).toBe(200);
    return body<GetMessageResponse>(res);
  };
  const list = async (query: string) => {
    const res = await routes.conversations(request(`/api/conversations${query}`), deps);
    expect(res.status).toBe(200);
    return body<GetConversationsResponse>(res);
  };
  const thread = async (id: string, query = '') => {
    const res = await routes.thread(request(`/api/conversations/${id}/messages${query}`), deps, { id });
    expect(res.status).toBe(200);
    return body<GetConversationMessagesResponse>(res);
  };
  const allConversations = async (query = '') => (await list(`?limit=200${query}`)).conversations;
  const conversationOf = async (name: string, number = NUMBER_A) =>
    (await allConversations()).find((c) => c.contact.name === name && c.businessPhoneNumberId === number)!;

  describe('auth', () => {
    it('answers 401 without a key, with a wrong key, and with a non-Bearer scheme', async () => {
      for (const req of [
        request('/api/conversations', null),
        request('/api/conversations', 'wrong-key-wrong-key-wrong'),
        request('/api/conversations', `${API_KEY}x`),
        new Request('http://ticks.test/api/conversations', { headers: { authorization: `Basic ${API_KEY}` } }),
      ]) {
        const res = await routes.conversations(req, deps);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        const json = await body<{ error: { code: string; message: string } }>(res);
        expect(json.error.code).toBe('unauthorized');
      }
      expect((await routes.message(request('/api/messages/wamid.M-01', null), deps, { id: 'wamid.M-01' })).status).toBe(401);
      expect((await routes.thread(request('/api/conversations/1/messages', 'nope'), deps, { id: '1' })).status).toBe(401);
    });

    it('refuses everyone when INBOX_API_KEY is unset (fail closed)', async () => {
      const unset = { db, apiKey: undefined };
      for (const key of [API_KEY, 'undefined', '']) {
        expect((await routes.conversations(request('/api/conversations', key), unset)).status).toBe(401);
      }
      expect((await routes.message(request('/api/messages/wamid.M-01'), unset, { id: 'wamid.M-01' })).status).toBe(401);
    });

    it('accepts the right key, whatever the case of "Bearer"', async () => {
      const req = new Request('http://ticks.test/api/conversations', { headers: { authorization: `bearer ${API_KEY}` } });
      expect((await routes.conversations(req, deps)).status).toBe(200);
    });

    it('checks the key before anything else (no 404 or 400 leaks to strangers)', async () => {
      expect((await routes.message(request('/api/messages/wamid.NOPE', null), deps, { id: 'wamid.NOPE' })).status).toBe(401);
      expect((await routes.conversations(request('/api/conversations?limit=abc', null), deps)).status).toBe(401);
    });
  });

  describe('GET /api/messages/{id}', () => {
    it('returns an inbound message with every field', async () => {
      const m = await getMessageJson('wamid.M-02');
      const conversation = await conversationOf('Maria Lopez');
      expect(m).toEqual({
        id: 'wamid.M-02',
        wamid: 'wamid.M-02',
        conversationId: conversation.id,
        businessPhoneNumberId: NUMBER_A,
        direction: 'inbound',
        type: 'text',
        subtype: null,
        text: 'Hola! ¿Tienen envío a Monterrey?',
        timestamp: at(2).toISOString(),
        contact: { waId: maria.waId, userId: null, name: 'Maria Lopez' },
        status: 'received',
        errors: [],
        replyToId: null,
        statusHistory: [],
        raw: { id: 'wamid.M-02', type: 'text' },
        content: { v: 1, type: 'text', body: 'Hola! ¿Tienen envío a Monterrey?' },
        placeholder: false,
        history: false,
        clientId: null,
        sentBy: null,
        media: null,
        mediaFile: null,
        targetId: null,
        forwarded: false,
        frequentlyForwarded: false,
        editedAt: null,
        deletedAt: null,
      } satisfies GetMessageResponse);
      expect(typeof m.conversationId).toBe('string');
    });

    it('orders status history by time, then sent < delivered < read', async () => {
      const m = await getMessageJson('wamid.OUT-03');
      expect(m.direction).toBe('outbound');
      expect(m.status).toBe('read');
      expect(m.statusHistory).toEqual([
        { status: 'sent', timestamp: at(3.5).toISOString() },
        { status: 'delivered', timestamp: at(3.5).toISOString() },
        { status: 'read', timestamp: at(4).toISOString() },
      ]);
    });

    it('shows a status-only message as a failed placeholder with its error', async () => {
      const m = await getMessageJson('wamid.OUT-07');
      expect(m).toMatchObject({ placeholder: true, direction: 'outbound', status: 'failed', raw: null, text: null });
      expect(m.errors).toEqual([FAILED_ERROR]);
      expect(m.statusHistory).toEqual([{ status: 'failed', timestamp: at(7).toISOString() }]);
    });

    it('keeps replies, reactions, media and edits', async () => {
      const reply = await getMessageJson('wamid.M-05');
      expect(reply.replyToId).toBe('wamid.OUT-03');
      expect(reply.text).toBe('Perfecto, ¡muchas gracias!');
      expect(reply.editedAt).toBe(at(9).toISOString());
      expect((await getMessageJson('wamid.M-08')).targetId).toBe('wamid.OUT-03');
      expect((await getMessageJson('wamid.M-09-edit')).type).toBe('edit');
      const image = await getMessageJson(ODD_WAMID);
      expect(image.id).toBe(ODD_WAMID);
      expect(image.media).toEqual(imageMedia());
    });

    it('knows a customer by BSUID only', async () => {
      expect((await getMessageJson('wamid.U-01')).contact).toEqual({ waId: null, userId: bsuidOnly.userId, name: 'Anon Buyer' });
    });

    it('answers 404 for an unknown wamid', async () => {
      const res = await routes.message(request('/api/messages/wamid.NOPE'), deps, { id: 'wamid.NOPE' });
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual({ error: { code: 'not_found', message: 'Message not found' } });
      expect((await routes.message(request('/api/messages/x'), deps, { id: 'x'.repeat(5000) })).status).toBe(404);
      expect((await routes.message(request('/api/messages/x'), deps, { id: 'wamid.\0' })).status).toBe(404);
    });

    it('finds a message by our id as well as by its wamid; one Meta has not named yet is known by our id', async () => {
      const byWamid = await getMessageJson('wamid.M-02');
      const [row] = await queryRows<{ id: string | number }>(db, sql`select id from messages where wamid = 'wamid.M-02'`);
      expect(await getMessageJson(String(row!.id))).toEqual(byWamid);

      const [unnamed] = await queryRows<{ id: string | number }>(
        db,
        sql`insert into messages (conversation_id, direction, type, text, sent_at, status)
            values (${byWamid.conversationId}, 'outbound', 'text', 'not sent yet', now(), 'pending') returning id`,
      );
      try {
        const m = await getMessageJson(String(unnamed!.id));
        expect(m).toMatchObject({ id: String(unnamed!.id), wamid: null, text: 'not sent yet', status: 'pending', statusHistory: [] });
        const missing = await routes.message(request('/api/messages/999999999'), deps, { id: '999999999' });
        expect(missing.status).toBe(404);
        expect((await routes.message(request('/api/messages/x'), deps, { id: '99999999999999999999' })).status).toBe(404);
      } finally {
        await db.execute(sql`delete from messages where id = ${Number(unnamed!.id)}`);
      }
    });
  });

  describe('GET /api/conversations', () => {
    it('lists conversations newest activity first, with contact, last message and unread count', async () => {
      const { conversations, nextCursor } = await list('');
      expect(nextCursor).toBeNull();
      expect(conversations).toHaveLength(10);
      expect(conversations.slice(0, 6).map((c) => c.contact.name)).toEqual([
        null,
        '100%_Club',
        'Anon Buyer',
        'Pedro Ramírez',
        'Maria Lopez',
        'Other 3',
      ]);
      // A message we only know from its status is the last message all the same.
      expect(conversations[0]).toMatchObject({
        contact: { waId: ghost.waId, userId: null, name: null },
        lastMessage: {
          id: 'wamid.G-01',
          type: 'placeholder',
          text: null,
          direction: 'outbound',
          status: 'sent',
          timestamp: at(50).toISOString(),
        },
        lastMessageAt: at(50).toISOString(),
        unreadCount: 0,
      });
      // No message at all (a revoke is not one): listed last.
      expect(conversations.at(-1)).toMatchObject({
        contact: { waId: lonely.waId },
        lastMessage: null,
        lastMessageAt: null,
        unreadCount: 0,
      });

      const mariaA = conversations.find((c) => c.contact.name === 'Maria Lopez' && c.businessPhoneNumberId === NUMBER_A)!;
      expect(mariaA).toEqual({
        id: expect.stringMatching(/^\d+$/),
        businessPhoneNumberId: NUMBER_A,
        displayPhoneNumber: '15551234567',
        contact: { waId: maria.waId, userId: null, name: 'Maria Lopez' },
        // The reaction at minute 8 is the newest message (edits don't count as messages).
        lastMessage: {
          id: 'wamid.M-08',
          type: 'reaction',
          text: '👍',
          direction: 'inbound',
          status: 'received',
          timestamp: at(8).toISOString(),
        },
        lastMessageAt: at(8).toISOString(),
        // M-01, M-02, M-05 and the image; not the reaction or the edit, not our own messages.
        unreadCount: 4,
        status: 'open',
        snoozedUntil: null,
        labels: [],
        assignee: null,
      });
      for (const c of conversations) {
        if (c.lastMessageAt !== null) expect(c.lastMessageAt).toMatch(ISO);
        expect(typeof c.unreadCount).toBe('number');
      }
    });

    it('pages with limit=3 through every conversation, no duplicates, no gaps, same order', async () => {
      const everything = (await allConversations()).map((c) => c.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: GetConversationsResponse = await list(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.conversations.length).toBeLessThanOrEqual(3);
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.nextCursor;
        if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(4);
      expect(seen).toEqual(everything);
      expect(new Set(seen).size).toBe(10);
    });

    it('orders ties on last message time by id, and pages across the tie and into conversations without messages', async () => {
      const everything = await allConversations();
      const tied = everything.filter((c) => c.lastMessageAt === at(15).toISOString());
      expect(tied).toHaveLength(2);
      expect(Number(tied[0]!.id)).toBeGreaterThan(Number(tied[1]!.id));
      // Every page size gives the same sequence.
      for (const limit of [1, 2, 4]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: GetConversationsResponse = await list(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...page.conversations.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(everything.map((c) => c.id));
      }
    });

    it('searches names, numbers, BSUIDs and message text, case-insensitively', async () => {
      const names = async (q: string) => (await allConversations(`&q=${encodeURIComponent(q)}`)).map((c) => c.contact.name).sort();
      expect(await names('maria')).toEqual(['Maria Lopez', 'Maria Lopez']);
      expect(await names('MONTERREY')).toEqual(['Maria Lopez']);
      expect(await names('catálogo')).toEqual(['Pedro Ramírez']);
      expect(await names('87654')).toEqual(['Pedro Ramírez']);
      expect(await names('+52 1 55 8765')).toEqual(['Pedro Ramírez']);
      expect(await names('us.1349120')).toEqual(['Anon Buyer']);
      expect(await names('nobody-matches-this')).toEqual([]);
      // Blank q is no filter.
      expect(await names('  ')).toHaveLength(10);
    });

    it('treats % and _ in q literally', async () => {
      const names = async (q: string) => (await allConversations(`&q=${encodeURIComponent(q)}`)).map((c) => c.contact.name);
      expect(await names('%')).toEqual(['100%_Club']);
      expect(await names('_')).toEqual(['100%_Club']);
      expect(await names('0%_c')).toEqual(['100%_Club']);
      expect(await names('\\')).toEqual([]);
    });

    it('filters by business number, and pages within it', async () => {
      const onB = await allConversations(`&businessPhoneNumberId=${NUMBER_B}`);
      expect(onB.map((c) => [c.contact.name, c.displayPhoneNumber])).toEqual([['Maria Lopez', '15557654321']]);
      const onA = await allConversations(`&businessPhoneNumberId=${NUMBER_A}`);
      expect(onA).toHaveLength(9);
      const page1 = await list(`?limit=5&businessPhoneNumberId=${NUMBER_A}`);
      const page2 = await list(`?limit=5&businessPhoneNumberId=${NUMBER_A}&cursor=${page1.nextCursor}`);
      expect([...page1.conversations, ...page2.conversations].map((c) => c.id)).toEqual(onA.map((c) => c.id));
      expect(page2.nextCursor).toBeNull();
      expect(await allConversations('&businessPhoneNumberId=000')).toEqual([]);
      expect((await allConversations(`&businessPhoneNumberId=${NUMBER_A}&q=maria`)).map((c) => c.businessPhoneNumberId)).toEqual([
        NUMBER_A,
      ]);
    });

    it('answers 400 naming the parameter for a bad limit or cursor', async () => {
      const cases: [string, string][] = [
        ['?limit=abc', 'limit'],
        ['?limit=0', 'limit'],
        ['?limit=201', 'limit'],
        ['?limit=1.5', 'limit'],
        ['?limit=', 'limit'],
        ['?q=a%00b', 'q'],
        [`?q=${'x'.repeat(201)}`, 'q'],
        ['?cursor=!!!', 'cursor'],
        ['?cursor=bm90IGpzb24', 'cursor'], // "not json"
        [`?cursor=${Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', '1'])).toString('base64url')}`, 'cursor'],
        [`?cursor=${Buffer.from(JSON.stringify([null, '1e3'])).toString('base64url')}`, 'cursor'],
        [`?cursor=${Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')}`, 'cursor'],
      ];
      for (const [query, param] of cases) {
        const res = await routes.conversations(request(`/api/conversations${query}`), deps);
        expect(res.status, query).toBe(400);
        const json = await body<{ error: { code: string; message: string } }>(res);
        expect(json.error.code).toBe('invalid_request');
        expect(json.error.message).toContain(param);
      }
    });
  });

  describe('GET /api/conversations/{id}/messages', () => {
    it("orders the thread by Meta's timestamp, not arrival, and leaves edits out", async () => {
      const { id } = await conversationOf('Maria Lopez');
      const { messages, nextCursor } = await thread(id);
      expect(nextCursor).toBeNull();
      expect(messages.map((m) => m.id)).toEqual([
        'wamid.M-01',
        'wamid.M-02',
        'wamid.OUT-03',
        'wamid.M-05',
        ODD_WAMID,
        'wamid.OUT-07',
        'wamid.M-08',
      ]);
      for (const m of messages) {
        expect(m.conversationId).toBe(id);
        expect(m.businessPhoneNumberId).toBe(NUMBER_A);
        expect(m.contact).toEqual({ waId: maria.waId, userId: null, name: 'Maria Lopez' });
        expect(m.timestamp).toMatch(ISO);
      }
      // The page carries the same shape as GET /api/messages/{id}, status history included, but not Meta's raw
      // item: that is for integrators asking for one message.
      const { raw, ...single } = await getMessageJson('wamid.OUT-03');
      expect(raw).toEqual({ id: 'wamid.OUT-03', type: 'text' });
      expect(messages[2]).toEqual(single);
      for (const m of messages) expect(m).not.toHaveProperty('raw');
      expect(messages[5]!.errors).toEqual([FAILED_ERROR]);
    });

    it('pages backwards with `before`: newest page first, each page ascending, no duplicates or gaps', async () => {
      const { id } = await conversationOf('Maria Lopez');
      const full = (await thread(id)).messages.map((m) => m.id);
      const first = await thread(id, '?limit=3');
      expect(first.messages.map((m) => m.id)).toEqual(full.slice(4));
      const second = await thread(id, `?limit=3&before=${first.nextCursor}`);
      expect(second.messages.map((m) => m.id)).toEqual(full.slice(1, 4));
      const third = await thread(id, `?limit=3&before=${second.nextCursor}`);
      expect(third.messages.map((m) => m.id)).toEqual(full.slice(0, 1));
      expect(third.nextCursor).toBeNull();
      // Exactly a page's worth left: no cursor to an empty page.
      const exact = await thread(id, `?limit=4&before=${first.nextCursor}`);
      expect(exact.messages.map((m) => m.id)).toEqual(full.slice(0, 4));
      expect(exact.nextCursor).toBeNull();
    });

    it('shows placeholders, hides revokes, and gives an empty page past the start', async () => {
      const conversations = await allConversations();
      const ghostConversation = conversations.find((c) => c.contact.waId === ghost.waId)!;
      const { messages } = await thread(ghostConversation.id);
      expect(messages.map((m) => [m.id, m.placeholder, m.status])).toEqual([['wamid.G-01', true, 'sent']]);
      expect(messages[0]!.statusHistory).toEqual([{ status: 'sent', timestamp: at(50).toISOString() }]);
      const before = Buffer.from(JSON.stringify(['2000-01-01T00:00:00.000000Z', '1'])).toString('base64url');
      expect(await thread(ghostConversation.id, `?before=${before}`)).toEqual({ messages: [], nextCursor: null });
      const lonelyConversation = conversations.find((c) => c.contact.waId === lonely.waId)!;
      expect(await thread(lonelyConversation.id)).toEqual({ messages: [], nextCursor: null });
    });

    it('answers 404 for an unknown or impossible conversation id', async () => {
      for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
        const res = await routes.thread(request(`/api/conversations/${id}/messages`), deps, { id });
        expect(res.status, id).toBe(404);
        expect((await body<{ error: { code: string } }>(res)).error.code).toBe('not_found');
      }
    });

    it('answers 400 for a bad limit or before', async () => {
      const { id } = await conversationOf('Maria Lopez');
      for (const [query, param] of [
        ['?limit=-3', 'limit'],
        ['?limit=500', 'limit'],
        ['?before=%%%', 'before'],
        [`?before=${Buffer.from(JSON.stringify([null, 'wamid.A'])).toString('base64url')}`, 'before'],
      ] as const) {
        const res = await routes.thread(request(`/api/conversations/${id}/messages${query}`), deps, { id });
        expect(res.status, query).toBe(400);
        expect((await body<{ error: { message: string } }>(res)).error.message).toContain(param);
      }
    });
  });
});

describe('API error mapping', () => {
  const quietly = async <T>(fn: () => Promise<T>) => {
    const level = log.level;
    log.level = 'silent';
    try {
      return await fn();
    } finally {
      log.level = level;
    }
  };

  it('answers 500 without internals for an unexpected error', async () => {
    const res = await quietly(() =>
      withApiErrors(async () => {
        throw new Error('relation "secret_table" does not exist');
      })(new Request('http://ticks.test/x')),
    );
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret_table');
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });

  it('answers 503 when the database cannot be reached', async () => {
    // Nothing listens on port 1: postgres.js fails to connect, drizzle wraps the error.
    const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeout: 2 });
    try {
      const res = await quietly(() => withApiErrors(getConversations)(request('/api/conversations'), { db: database.db, apiKey: API_KEY }));
      expect(res.status).toBe(503);
      expect((await body<{ error: { code: string } }>(res)).error.code).toBe('unavailable');
    } finally {
      await database.close();
    }
  });
});

// With 100k conversations, the list and the thread must walk their indexes, not sort the table.
describe.runIf(dbKinds.includes('postgres'))('query plans on PostgreSQL with 100k conversations', () => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    db = testDb.database.db;
    await db.execute(sql`insert into business_numbers (phone_number_id, display_phone_number) values ('n1', '1'), ('n2', '2')`);
    await db.execute(
      sql`insert into contacts (wa_id, name) select (5210000000000 + g)::text, 'Customer ' || g from generate_series(1, 100000) g`,
    );
    await db.execute(sql`
      insert into conversations (phone_number_id, contact_id, last_message_at, unread_count)
      select case when g % 2 = 0 then 'n1' else 'n2' end, g,
        case when g % 1000 = 0 then null else timestamptz '2026-01-01' + (g % 50000) * interval '1 second' end, 0
      from generate_series(1, 100000) g`);
    await db.execute(sql`
      insert into messages (wamid, conversation_id, direction, type, text, sent_at, status)
      select 'wamid.' || g, case when g <= 50000 then g else 1 end, 'inbound', 'text', 'hello ' || g,
        timestamptz '2026-01-01' + (g % 50000) * interval '1 second', 'received'
      from generate_series(1, 100000) g`);
    await db.execute(sql`update conversations c set last_message_id = m.id from messages m where m.wamid = 'wamid.' || c.id`);
    await db.execute(sql`analyze`);
  }, 120_000);
  afterAll(async () => {
    await testDb?.drop();
  });

  async function plan(query: { getSQL(): SQL }): Promise<string> {
    const rows = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${query.getSQL()}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const mid = { lastMessageAt: '2026-01-01T06:56:40.000000Z', id: 25000 };

  it.each<[string, Omit<ConversationListOptions, 'limit'>, string]>([
    ['first page', {}, 'conversations_activity_idx'],
    ['cursor page', { after: mid }, 'conversations_activity_idx'],
    ['first page of one number', { phoneNumberId: 'n1' }, 'conversations_number_activity_idx'],
    ['cursor page of one number', { phoneNumberId: 'n1', after: mid }, 'conversations_number_activity_idx'],
  ])('conversation list, %s: index scan, no sort', async (_name, options, index) => {
    const text = await plan(conversationListQuery(db, { limit: 51, ...options }));
    expect(text).toContain(`Index Scan using ${index} on conversations`);
    expect(text).not.toMatch(/Seq Scan on conversations|Sort/);
  });

  it('conversation list after the last timed row: the untimed rows by index too', async () => {
    const text = await plan(conversationListQuery(db, { limit: 51, after: mid }, 1));
    expect(text).toContain('conversations_activity_idx');
    expect(text).not.toMatch(/Seq Scan on conversations|Sort/);
  });

  it('thread page (newest, and before a cursor): index scan, no sort', async () => {
    for (const before of [undefined, { sentAt: '2026-01-01T00:00:05.000000Z', id: 5 }]) {
      const text = await plan(threadPageQuery(db, 1, before, 51, TARGET_REWRITING_MESSAGE_TYPES));
      expect(text).toContain('messages_thread_idx');
      expect(text).not.toMatch(/Seq Scan on messages|Sort/);
    }
  });
});
