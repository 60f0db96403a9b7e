import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getConversation,
  getConversations,
  type GetConversationResponse,
  type GetConversationsResponse,
  type ReadApiDeps,
} from '@/lib/inbox/read-api';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline } from '../helpers/pipeline';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';

// GET /api/conversations/{id}: the thread's header (customer, business number, unread count, last
// activity), the same shape as a row of the list, through the handler the route calls.

const API_KEY = 'test-inbox-api-key-0123456789';
const CUSTOMER = '5215512345678';
const T = 1767000000;

function request(path: string, key: string | null = API_KEY): Request {
  return new Request(`http://ticks.test${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
}

describe.each(dbKinds)('GET /api/conversations/{id} on %s', (kind) => {
  let testDb: TestDatabase;
  let deps: ReadApiDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    deps = { db: testDb.database.db, apiKey: API_KEY };
    const pipeline = createPipeline(testDb.database);
    const body = messagesBody({
      contacts: [{ profile: { name: 'Maria Lopez' }, wa_id: CUSTOMER }],
      messages: [textMessage('wamid.H-1', CUSTOMER, 'Hola', T), textMessage('wamid.H-2', CUSTOMER, '¿Sigue disponible?', T + 60)],
    });
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('answers 200 with the customer, the number, the unread count and the last activity: the list row itself', async () => {
    const list = (await (await getConversations(request('/api/conversations'), deps)).json()) as GetConversationsResponse;
    const row = list.conversations.find((c) => c.contact.waId === CUSTOMER)!;
    const res = await getConversation(request(`/api/conversations/${row.id}`), deps, { id: row.id });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^no-store(, no-transform)?$/);
    const conversation = (await res.json()) as GetConversationResponse;
    // The list row itself, plus what the composer needs: the 24-hour window from the customer's last message.
    const closesAt = new Date((T + 60 + 24 * 3600) * 1000).toISOString();
    expect(conversation).toEqual({
      ...row,
      contactId: expect.stringMatching(/^\d+$/),
      lastInboundAt: new Date((T + 60) * 1000).toISOString(),
      serviceWindow: { open: Date.now() < Date.parse(closesAt), closesAt },
      sendingEnabled: false,
    });
    expect(conversation).toMatchObject({
      businessPhoneNumberId: '106540352242922',
      displayPhoneNumber: '15551234567',
      contact: { waId: CUSTOMER, name: 'Maria Lopez' },
      unreadCount: 2,
      lastMessageAt: new Date((T + 60) * 1000).toISOString(),
      lastMessage: { id: 'wamid.H-2', text: '¿Sigue disponible?', direction: 'inbound' },
    });
  });

  it('answers 404 for an unknown or impossible id', async () => {
    for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
      const res = await getConversation(request(`/api/conversations/${id}`), deps, { id });
      expect(res.status, id).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('answers 401 without a key or with a wrong one, before looking anything up', async () => {
    for (const key of [null, 'wrong-key-wrong-key-wrong']) {
      for (const id of ['1', '999999']) {
        const res = await getConversation(request(`/api/conversations/${id}`, key), deps, { id });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });
});
