import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { CustomerSignals } from '@/lib/customer-signals/customer-signals';
import { postConversationTyping, type TypingApiDeps } from '@/lib/customer-signals/typing-api';
import { postConversationRead, type ReadApiDeps } from '@/lib/inbox/read-api';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { type FakeGraph, startFakeGraph } from '@/tools/fake-graph';
import { messagesBody, TEST_BUSINESS_NUMBER, textMessage } from '@/tools/meta-envelopes';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';

// Read receipts and the typing indicator on both databases against the fake Graph API: opening a
// conversation with unread messages marks its newest inbound message read on WhatsApp, once, in the
// background (not with the setting off, not when nothing was unread); typing shows the indicator on the
// newest inbound message at most every 20 s per conversation, and never outside the 24-hour window.

const TOKEN = 'EAAG-signals-test-token-0000000000';
const VERSION = 'v23.0';
const API_KEY = 'signals-test-key-0123456789';
const MESSAGES_PATH = `/${VERSION}/${TEST_BUSINESS_NUMBER.phoneNumberId}/messages`;

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});

describe.each(dbKinds)('read receipts and typing on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  const makeSignals = (readReceipts = true) =>
    new CustomerSignals(database.db, {
      graph: new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN }),
      readReceipts,
      log: silentLog,
    });

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
  });
  afterAll(async () => {
    await testDb?.drop();
  });
  beforeEach(() => {
    graph.clearRequests();
    graph.clearScripts();
  });

  let customers = 0;
  /** A conversation with the customer's messages, `agoSeconds` old each by Meta's clock, oldest first. */
  async function conversationWith(agoSeconds: number[]) {
    customers += 1;
    const waId = `49160${String(customers).padStart(8, '0')}`;
    const now = Math.floor(Date.now() / 1000);
    const wamids = agoSeconds.map((_, i) => `wamid.SIG-${kind}-${customers}-${i}-${randomUUID()}`);
    const pipeline = createPipeline(database);
    const items = agoSeconds.map((ago, i) => textMessage(wamids[i]!, waId, `message ${i}`, now - ago));
    expect((await pipeline.post(messagesBody({ messages: items }))).status).toBe(200);
    await pipeline.drain();
    const [row] = await queryRows<{ conversation_id: string | number }>(
      database.db,
      sql`select conversation_id from messages where wamid = ${wamids[0]!}`,
    );
    return { id: String(row!.conversation_id), wamids };
  }
  const sentBodies = () => graph.requests.filter((r) => r.pathname === MESSAGES_PATH).map((r) => r.json as Record<string, unknown>);

  function markRead(conversationId: string, signals: CustomerSignals) {
    const deps: ReadApiDeps = { db: database.db, apiKey: API_KEY, customerSignals: signals };
    return postConversationRead(
      new Request(`http://ticks.test/api/conversations/${conversationId}/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}` },
      }),
      deps,
      { id: conversationId },
    );
  }
  function typing(conversationId: string, signals: TypingApiDeps['signals'] | null) {
    return postConversationTyping(
      new Request(`http://ticks.test/api/conversations/${conversationId}/typing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}` },
      }),
      { db: database.db, apiKey: API_KEY, signals: signals as TypingApiDeps['signals'] },
      { id: conversationId },
    );
  }

  it('opening a conversation with unread messages marks the newest inbound one read, once', async () => {
    const signals = makeSignals();
    // Delivered out of order: the newest by Meta's time is the second.
    const { id, wamids } = await conversationWith([120, 30, 60]);
    expect((await markRead(id, signals)).status).toBe(200);
    await signals.settled();
    expect(sentBodies()).toEqual([{ messaging_product: 'whatsapp', status: 'read', message_id: wamids[1] }]);

    // Opened again: nothing unread, nothing sent.
    graph.clearRequests();
    expect((await markRead(id, signals)).status).toBe(200);
    await signals.settled();
    expect(sentBodies()).toEqual([]);

    // Unread again, but only by a message older than the one marked: it is not marked a second time.
    await database.db.execute(sql`update conversations set unread_count = 1 where id = ${Number(id)}`);
    expect((await markRead(id, signals)).status).toBe(200);
    await signals.settled();
    expect(sentBodies()).toEqual([]);
  });

  it("Meta's refusal never fails the agent's request", async () => {
    const signals = makeSignals();
    const { id } = await conversationWith([10]);
    graph.script(
      { path: MESSAGES_PATH },
      { kind: 'meta-error', status: 400, code: 131009, message: '(#131009) Parameter value is not valid' },
    );
    expect((await markRead(id, signals)).status).toBe(200);
    await signals.settled();
    expect(sentBodies()).toHaveLength(1);
  });

  it('with WHATSAPP_SEND_READ_RECEIPTS off, nothing is sent', async () => {
    const signals = makeSignals(false);
    const { id } = await conversationWith([10]);
    expect((await markRead(id, signals)).status).toBe(200);
    await signals.settled();
    expect(sentBodies()).toEqual([]);
  });

  it('typing: on the newest inbound message, at most every 20 s per conversation', async () => {
    const signals = makeSignals();
    const { id, wamids } = await conversationWith([90, 30]);
    const other = await conversationWith([5]);
    expect((await typing(id, signals)).status).toBe(204);
    expect((await typing(id, signals)).status).toBe(204);
    expect((await typing(other.id, signals)).status).toBe(204);
    await signals.settled();
    expect(sentBodies()).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: wamids[1], typing_indicator: { type: 'text' } },
      { messaging_product: 'whatsapp', status: 'read', message_id: other.wamids[0], typing_indicator: { type: 'text' } },
    ]);
    // 20 s later it may be shown again.
    expect(await signals.typing(Number(id), Date.now() + 21_000)).toBe('sent');
    await signals.settled();
    expect(sentBodies()).toHaveLength(3);
  });

  it('typing: nothing outside the 24-hour window; 404 for no conversation; 409 without a token', async () => {
    const signals = makeSignals();
    const closed = await conversationWith([25 * 3600]);
    expect((await typing(closed.id, signals)).status).toBe(204);
    await signals.settled();
    expect(sentBodies()).toEqual([]);
    expect((await typing('987654321', signals)).status).toBe(404);
    const disabled = new CustomerSignals(database.db, { graph: null, readReceipts: true, log: silentLog });
    const res = await typing(closed.id, disabled);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'sending_disabled' } });
  });
});
