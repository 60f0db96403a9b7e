import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { reserveSendSlots } from '@/db/queries/outbox';
import type { GetConversationResponse, GetMessageResponse } from '@/lib/contracts/inbox';
import { getConversation } from '@/lib/inbox/read-api';
import { withApiErrors } from '@/lib/http/errors';
import { fileStorage } from '@/lib/media/storage';
import { createMetrics } from '@/lib/observability/metrics';
import { postConversationMessage, postMessageRetry, type OutboxApiDeps } from '@/lib/outbox/outbox-api';
import { OutboxSender, type SendAttemptOutcome } from '@/lib/outbox/sender';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { maxInWindow } from '@/scripts/bench-send/analyse';
import { type FakeGraph, startFakeGraph } from '@/tools/fake-graph';
import { messagesBody, status, TEST_WABA_ID, textMessage } from '@/tools/meta-envelopes';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The outbox on both databases against the fake Graph API over HTTP: a message is committed before Meta is
// called, each is requested exactly once (two senders on one database included), retryable refusals are
// sent again, final ones fail with Meta's error, a request without an answer becomes `unconfirmed` and is
// never resent by itself until a status webhook carrying our id settles it; messages of one conversation go
// out in the order written; the 24-hour window is judged by Meta's timestamps.

const TOKEN = 'EAAG-outbox-test-token-0000000000';
const VERSION = 'v23.0';
const PHONE = '106540352242922';
const API_KEY = 'outbox-test-key-0123456789';
const MESSAGES_PATH = `/${VERSION}/${PHONE}/messages`;
const HOUR = 3600;

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});

describe.each(dbKinds)('the outbox on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let deps: OutboxApiDeps;
  let sender: OutboxSender;
  const outcomes: SendAttemptOutcome[] = [];
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-outbox-'));
  const storage = fileStorage(mediaDir);
  let notified = 0;

  const makeSender = (timeoutMs = 2_000, messagesPerSecond = 1000) =>
    new OutboxSender(database.db, {
      graph: new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN }),
      storage,
      log: silentLog,
      messagesPerSecond,
      requestTimeoutMs: timeoutMs,
      onOutcome: (o) => outcomes.push(o),
    });

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    deps = {
      db: database.db,
      apiKey: API_KEY,
      mediaDownloads: false,
      sendingEnabled: true,
      outbox: { enabled: true, notify: () => notified++ },
    };
    sender = makeSender();
  });
  afterAll(async () => {
    await testDb?.drop();
    fs.rmSync(mediaDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    graph.clearRequests();
    graph.clearScripts();
    graph.accepted.length = 0;
    outcomes.length = 0;
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  let customerSeq = 0;
  /** A conversation whose customer last wrote `agoSeconds` ago by Meta's clock (delivered just now). */
  async function conversationWithCustomer(agoSeconds = 60, customer: { waId?: string; userId?: string } = {}) {
    customerSeq += 1;
    const waId = customer.userId && !customer.waId ? undefined : (customer.waId ?? `49151${String(customerSeq).padStart(8, '0')}`);
    const wamid = `wamid.IN-${kind}-${customerSeq}-${randomUUID()}`;
    const item = { ...textMessage(wamid, waId ?? '', 'Hallo?', nowSeconds() - agoSeconds) } as Record<string, unknown>;
    if (!waId) {
      delete item.from;
      item.from_user_id = customer.userId;
    }
    const contacts = [
      {
        profile: { name: `Customer ${customerSeq}` },
        ...(waId ? { wa_id: waId } : {}),
        ...(customer.userId ? { user_id: customer.userId } : {}),
      },
    ];
    const pipeline = createPipeline(database);
    expect((await pipeline.post(messagesBody({ contacts, messages: [item] }))).status).toBe(200);
    await pipeline.drain();
    const [row] = await queryRows<{ conversation_id: string | number }>(
      database.db,
      sql`select conversation_id from messages where wamid = ${wamid}`,
    );
    return { id: String(row!.conversation_id), waId, inboundWamid: wamid };
  }

  function post(conversationId: string, body: Record<string, unknown>, d: OutboxApiDeps = deps) {
    const req = new Request(`http://ticks.test/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return withApiErrors(postConversationMessage)(req, d, { id: conversationId });
  }
  function postRetry(messageId: string) {
    const req = new Request(`http://ticks.test/api/messages/${messageId}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return withApiErrors(postMessageRetry)(req, deps, { id: messageId });
  }
  async function send(conversationId: string, text: string, extra: Record<string, unknown> = {}): Promise<GetMessageResponse> {
    const res = await post(conversationId, { clientId: randomUUID(), type: 'text', text, ...extra });
    expect(res.status, await res.clone().text()).toBe(202);
    return (await res.json()) as GetMessageResponse;
  }
  async function row(id: string) {
    const [r] = await queryRows<{
      status: string;
      wamid: string | null;
      outbox_state: string | null;
      errors: unknown;
      send_attempts: number;
    }>(database.db, sql`select status, wamid, outbox_state, errors, send_attempts from messages where id = ${Number(id)}`);
    return r!;
  }
  const bodyOf = (r: { json?: unknown }) => (r.json ?? {}) as Record<string, unknown>;
  const requestsFor = (id: string) =>
    graph.requests.filter((r) => r.path === MESSAGES_PATH && bodyOf(r).biz_opaque_callback_data === `ticks:${id}`);

  it('commits a text message before calling Meta, then sends it once with our id and the customer’s number', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'Hola, ¿en qué puedo ayudarle? https://example.com/faq');
    expect(message).toMatchObject({
      direction: 'outbound',
      type: 'text',
      status: 'pending',
      wamid: null,
      text: expect.stringContaining('Hola'),
    });
    expect(message.id).toMatch(/^\d+$/);
    expect(message.sentBy).toEqual({ id: 'api-key', name: 'INBOX_API_KEY' });
    expect(message.content).toEqual({ v: 1, type: 'text', body: 'Hola, ¿en qué puedo ayudarle? https://example.com/faq' });
    // Committed, and not one request yet: the sender has not run.
    expect(graph.requests).toHaveLength(0);
    expect(await row(message.id)).toMatchObject({ status: 'pending', outbox_state: 'queued' });

    expect(await sender.sendDue()).toBe(1);
    const [request] = requestsFor(message.id);
    expect(request!.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `+${conversation.waId}`,
      type: 'text',
      text: { body: 'Hola, ¿en qué puedo ayudarle? https://example.com/faq', preview_url: true },
      biz_opaque_callback_data: `ticks:${message.id}`,
    });
    const wamid = graph.accepted.at(-1)!.wamid;
    expect(await row(message.id)).toMatchObject({ status: 'sent', wamid, outbox_state: null, send_attempts: 1 });
    // Nothing more to send: exactly one request.
    expect(await sender.sendDue()).toBe(0);
    expect(requestsFor(message.id)).toHaveLength(1);
  });

  it('the same clientId twice is one message and one request', async () => {
    const conversation = await conversationWithCustomer();
    const body = { clientId: randomUUID(), type: 'text', text: 'Only once' };
    const [a, b] = await Promise.all([post(conversation.id, body), post(conversation.id, body)]);
    const [first, second] = [(await a.json()) as GetMessageResponse, (await b.json()) as GetMessageResponse];
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(second.id).toBe(first.id);
    await sender.sendDue();
    const again = await post(conversation.id, body);
    expect(((await again.json()) as GetMessageResponse).id).toBe(first.id);
    await sender.sendDue();
    expect(requestsFor(first.id)).toHaveLength(1);
    // Used in another conversation: refused.
    const other = await conversationWithCustomer();
    expect((await post(other.id, body)).status).toBe(409);
  });

  it('refuses free-form messages outside the 24-hour window by Meta’s timestamp, before calling Meta', async () => {
    // Delivered now, but written 25 hours ago by Meta's clock.
    const conversation = await conversationWithCustomer(25 * HOUR);
    const body = { clientId: randomUUID(), type: 'text', text: 'Too late' };
    const res = await post(conversation.id, body);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'window_closed',
      message: expect.stringContaining('only an approved template'),
    });
    // Nothing was kept (the message is written, then rolled back under the lock), so its clientId made
    // nothing: the same post again is refused again, and the conversation's newest message is still theirs.
    expect((await post(conversation.id, body)).status).toBe(409);
    const kept = await queryRows<{ n: string | number; last_is_inbound: boolean }>(
      database.db,
      sql`select (select count(*) from messages where conversation_id = ${Number(conversation.id)} and direction = 'outbound') as n,
            (select m.direction = 'inbound' from conversations v join messages m on m.id = v.last_message_id
             where v.id = ${Number(conversation.id)}) as last_is_inbound`,
    );
    expect(kept[0]).toMatchObject({ last_is_inbound: true });
    expect(Number(kept[0]!.n)).toBe(0);
    await sender.sendDue();
    expect(graph.requests).toHaveLength(0);
    const res2 = await withApiErrors(getConversation)(
      new Request(`http://ticks.test/api/conversations/${conversation.id}`, { headers: { authorization: `Bearer ${API_KEY}` } }),
      deps,
      { id: conversation.id },
    );
    const detail = (await res2.json()) as GetConversationResponse;
    expect(detail.serviceWindow.open).toBe(false);
    expect(new Date(detail.serviceWindow.closesAt!).getTime()).toBeLessThan(Date.now());
    // Our own messages never reopen it; the customer's next message does.
    const open = await conversationWithCustomer(23 * HOUR);
    await send(open.id, 'Still open');
  });

  it('says sending is off without an access token', async () => {
    const conversation = await conversationWithCustomer();
    const res = await post(
      conversation.id,
      { clientId: randomUUID(), type: 'text', text: 'x' },
      { ...deps, outbox: { enabled: false, notify() {} } },
    );
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('sending_disabled');
  });

  it('answers 400 naming the field for bad input, 404 for an unknown conversation', async () => {
    const conversation = await conversationWithCustomer();
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await post(conversation.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
    };
    await bad({ clientId: 'not-a-uuid', type: 'text', text: 'x' }, 'clientId');
    await bad({ clientId: randomUUID(), type: 'text', text: '   ' }, 'text');
    await bad({ clientId: randomUUID(), type: 'text', text: 'x'.repeat(4097) }, 'text');
    await bad({ clientId: randomUUID(), type: 'text', text: 'x', replyToId: 'wamid.NOT-HERE' }, 'replyToId');
    await bad({ clientId: randomUUID(), type: 'reaction', messageId: 'wamid.NOT-HERE', emoji: '👍' }, 'messageId');
    await bad({ clientId: randomUUID(), type: 'media', uploadId: 'nope' }, 'uploadId');
    expect((await post('999999999', { clientId: randomUUID(), type: 'text', text: 'x' })).status).toBe(404);
    // A reply or a reaction into a conversation that is not there: 404 too, not a 400 about the message.
    const quoted = { clientId: randomUUID(), type: 'text', text: 'x', replyToId: conversation.inboundWamid };
    expect((await post('999999999', quoted)).status).toBe(404);
    const reaction = { clientId: randomUUID(), type: 'reaction', messageId: conversation.inboundWamid, emoji: '👍' };
    expect((await post('999999999', reaction)).status).toBe(404);
    expect(graph.requests).toHaveLength(0);
  });

  it('quotes and reacts to a message of the thread by its wamid', async () => {
    const conversation = await conversationWithCustomer();
    const reply = await send(conversation.id, 'Claro', { replyToId: conversation.inboundWamid });
    expect(reply.replyToId).toBe(conversation.inboundWamid);
    const reactionRes = await post(conversation.id, {
      clientId: randomUUID(),
      type: 'reaction',
      messageId: conversation.inboundWamid,
      emoji: '👍',
    });
    expect(reactionRes.status).toBe(202);
    const reaction = (await reactionRes.json()) as GetMessageResponse;
    expect(reaction).toMatchObject({ type: 'reaction', targetId: conversation.inboundWamid });
    await sender.sendDue();
    await sender.sendDue();
    expect(requestsFor(reply.id)[0]!.json).toMatchObject({ context: { message_id: conversation.inboundWamid } });
    expect(requestsFor(reaction.id)[0]!.json).toMatchObject({
      type: 'reaction',
      reaction: { message_id: conversation.inboundWamid, emoji: '👍' },
    });
  });

  it('sends again after a retryable refusal (throughput), and fails at once on a final one with Meta’s error', async () => {
    const conversation = await conversationWithCustomer();
    const retried = await send(conversation.id, 'First');
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'meta-error', status: 400, code: 130429 });
    await sender.sendDue();
    expect(outcomes.at(-1)).toMatchObject({ result: 'retrying', reason: 'throughput' });
    expect(await row(retried.id)).toMatchObject({ status: 'pending', outbox_state: 'queued', wamid: null });
    await database.db.execute(sql`update messages set next_send_at = now() where id = ${Number(retried.id)}`);
    await sender.sendDue();
    expect(await row(retried.id)).toMatchObject({ status: 'sent', outbox_state: null });
    expect(requestsFor(retried.id)).toHaveLength(2);

    const refused = await send(conversation.id, 'Second');
    graph.script(
      { method: 'POST', path: MESSAGES_PATH },
      { kind: 'meta-error', status: 400, code: 131026, details: 'Receiver is incapable of receiving this message' },
    );
    await sender.sendDue();
    const failed = await row(refused.id);
    expect(failed).toMatchObject({ status: 'failed', outbox_state: null, wamid: null });
    expect(failed.errors).toEqual([expect.objectContaining({ code: 131026, details: 'Receiver is incapable of receiving this message' })]);
    await sender.sendDue();
    expect(requestsFor(refused.id)).toHaveLength(1);

    // An agent's retry sends it again.
    const res = await postRetry(refused.id);
    expect(res.status).toBe(202);
    expect(((await res.json()) as GetMessageResponse).status).toBe('pending');
    await sender.sendDue();
    expect(await row(refused.id)).toMatchObject({ status: 'sent' });
    expect(requestsFor(refused.id)).toHaveLength(2);

    // What an operator's dashboard counts: every attempt by result and reason.
    const metrics = createMetrics(database.db, silentLog);
    for (const outcome of outcomes) metrics.observeSend(outcome);
    const text = await metrics.render();
    expect(text).toContain('ticks_outbox_sends_total{result="retrying",reason="throughput"} 1');
    expect(text).toContain('ticks_outbox_sends_total{result="failed",reason="meta_error"} 1');
    expect(text).toContain('ticks_outbox_sends_total{result="sent",reason=""} 2');
  });

  it('never resends a request that got no answer: unconfirmed, until a status webhook with our id settles it', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'Are you there?');
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'hang' });
    const impatient = makeSender(300);
    await impatient.sendDue();
    expect(outcomes.at(-1)).toMatchObject({ result: 'unconfirmed', reason: 'no_answer' });
    expect(await row(message.id)).toMatchObject({ status: 'unconfirmed', outbox_state: null, wamid: null });
    await sender.sendDue();
    expect(requestsFor(message.id)).toHaveLength(1);

    // Meta did send it: its status webhook carries our id.
    const wamid = `wamid.SETTLED-${randomUUID()}`;
    const pipeline = createPipeline(database);
    const statusBody = messagesBody({
      statuses: [status(wamid, 'delivered', nowSeconds(), conversation.waId, { biz_opaque_callback_data: `ticks:${message.id}` })],
    });
    expect((await pipeline.post(statusBody)).status).toBe(200);
    await pipeline.drain();
    expect(await row(message.id)).toMatchObject({ status: 'delivered', wamid });
    const [{ n }] = (await queryRows<{ n: string | number }>(
      database.db,
      sql`select count(*) as n from messages where wamid = ${wamid}`,
    )) as [{ n: string | number }];
    expect(Number(n)).toBe(1);
  });

  it('a sender that died mid-request leaves the message unconfirmed: the next one does not send it', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'Crash test');
    // As a killed instance leaves it: leased, one attempt started, the lease run out.
    await database.db.execute(sql`
      update messages set send_lease_until = now() - interval '1 second', send_attempts = 1 where id = ${Number(message.id)}`);
    await sender.sendDue();
    expect(await row(message.id)).toMatchObject({ status: 'unconfirmed' });
    expect(requestsFor(message.id)).toHaveLength(0);
  });

  it('applies a status that came before Meta’s answer', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'Race');
    const wamid = `wamid.RACE-${randomUUID()}`;
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'accept', wamid, delayMs: 500 });
    const sending = sender.sendDue();
    // Meta's "sent" and "delivered" arrive while our request waits for its answer, one without our id.
    await new Promise((r) => setTimeout(r, 150));
    const pipeline = createPipeline(database);
    await pipeline.post(messagesBody({ statuses: [status(wamid, 'sent', nowSeconds(), conversation.waId)] }));
    await pipeline.post(
      messagesBody({
        statuses: [status(wamid, 'delivered', nowSeconds(), conversation.waId, { biz_opaque_callback_data: `ticks:${message.id}` })],
      }),
    );
    await pipeline.drain();
    await sending;
    expect(await row(message.id)).toMatchObject({ status: 'delivered', wamid, outbox_state: null });
    const rows = await queryRows<{ id: string | number }>(database.db, sql`select id from messages where wamid = ${wamid}`);
    expect(rows.map((r) => String(r.id))).toEqual([message.id]);
  });

  it('a status without our id that came before Meta’s answer makes a placeholder, which gives way to the message', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'Race without our id');
    const wamid = `wamid.RACE-PLAIN-${randomUUID()}`;
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'accept', wamid, delayMs: 500 });
    const sending = sender.sendDue();
    await new Promise((r) => setTimeout(r, 150));
    const pipeline = createPipeline(database);
    await pipeline.post(messagesBody({ statuses: [status(wamid, 'delivered', nowSeconds(), conversation.waId)] }));
    await pipeline.drain();
    await sending;
    expect(await row(message.id)).toMatchObject({ status: 'delivered', wamid, outbox_state: null });
    const rows = await queryRows<{ id: string | number }>(database.db, sql`select id from messages where wamid = ${wamid}`);
    expect(rows.map((r) => String(r.id))).toEqual([message.id]);
    const [last] = await queryRows<{ last_message_id: string | number }>(
      database.db,
      sql`select last_message_id from conversations where id = ${Number(conversation.id)}`,
    );
    expect(String(last!.last_message_id)).toBe(message.id);
  });

  it('sends a conversation’s messages in the order written, one at a time; other conversations alongside', async () => {
    const a = await conversationWithCustomer();
    const b = await conversationWithCustomer();
    const written: GetMessageResponse[] = [];
    for (const text of ['one', 'two', 'three']) written.push(await send(a.id, text));
    const other = await send(b.id, 'elsewhere');
    graph.scriptAlways({ method: 'POST', path: MESSAGES_PATH }, { kind: 'accept', delayMs: 100 });
    const running = makeSender().start();
    try {
      await expect.poll(async () => (await row(written.at(-1)!.id)).status, { timeout: 10_000 }).toBe('sent');
      await expect.poll(async () => (await row(other.id)).status, { timeout: 10_000 }).toBe('sent');
    } finally {
      await running.stop();
    }
    const toA = graph.requests.filter((r) => r.path === MESSAGES_PATH && bodyOf(r).to === `+${a.waId}`);
    expect(toA.map((r) => (r.json as { text: { body: string } }).text.body)).toEqual(['one', 'two', 'three']);
    // Each left after the previous one's answer (100 ms later).
    for (let i = 1; i < toA.length; i++) expect(toA[i]!.receivedAt - toA[i - 1]!.receivedAt).toBeGreaterThanOrEqual(90);
  });

  it('messages posted while the sender runs, all at once, go out in the order they were stored; none is left behind', async () => {
    const conversation = await conversationWithCustomer();
    graph.scriptAlways({ method: 'POST', path: MESSAGES_PATH }, { kind: 'accept', delayMs: 30 });
    const running = makeSender().start();
    let ids: string[] = [];
    try {
      const posted = await Promise.all(Array.from({ length: 12 }, (_, i) => send(conversation.id, `burst ${i}`)));
      ids = posted.map((m) => m.id).sort((a, b) => Number(a) - Number(b));
      for (const id of ids) await expect.poll(async () => (await row(id)).status, { timeout: 15_000 }).toBe('sent');
    } finally {
      await running.stop();
    }
    const order = graph.requests
      .filter((r) => r.path === MESSAGES_PATH && bodyOf(r).to === `+${conversation.waId}`)
      .map((r) => String(bodyOf(r).biz_opaque_callback_data).replace('ticks:', ''));
    expect(order).toEqual(ids);
  });

  it('after a failure the conversation’s next message goes; a retried message waits for the one in line, then keeps its place', async () => {
    const conversation = await conversationWithCustomer();
    const first = await send(conversation.id, 'will fail');
    const second = await send(conversation.id, 'next in line');
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'meta-error', status: 400, code: 131026 });
    await sender.sendDue();
    expect(await row(first.id)).toMatchObject({ status: 'failed' });
    expect(await row(second.id)).toMatchObject({ status: 'pending' });
    await send(conversation.id, 'third');
    const retry = await postRetry(first.id);
    expect(retry.status).toBe(202);
    for (let i = 0; i < 5; i++) await sender.sendDue();
    const order = graph.requests
      .filter((r) => r.path === MESSAGES_PATH && bodyOf(r).to === `+${conversation.waId}`)
      .map((r) => (bodyOf(r).text as { body: string }).body);
    // The queue is the order written: the retried message is older than 'third', and never overtakes 'next in line'.
    expect(order).toEqual(['will fail', 'next in line', 'will fail', 'third']);
  });

  it('refuses to retry a free-form message once the window has closed, and leaves it failed', async () => {
    const conversation = await conversationWithCustomer();
    const message = await send(conversation.id, 'will fail');
    graph.script({ method: 'POST', path: MESSAGES_PATH }, { kind: 'meta-error', status: 400, code: 131026 });
    await sender.sendDue();
    expect(await row(message.id)).toMatchObject({ status: 'failed' });
    // The customer's last message is 25 hours old now.
    await database.db.execute(
      sql`update conversations set last_inbound_at = now() - interval '25 hours' where id = ${Number(conversation.id)}`,
    );
    const retry = await postRetry(message.id);
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe('window_closed');
    expect(await row(message.id)).toMatchObject({ status: 'failed', outbox_state: null });
    await sender.sendDue();
    expect(requestsFor(message.id)).toHaveLength(1);
  });

  it('never makes more than WHATSAPP_SEND_MPS requests to a number in any second, even after the event loop was busy', async () => {
    const MPS = 20;
    const conversations = [];
    for (let i = 0; i < 30; i++) conversations.push(await conversationWithCustomer());
    const ids: string[] = [];
    for (const c of conversations) ids.push((await send(c.id, 'paced')).id);
    const running = makeSender(2_000, MPS).start();
    // Twice the whole process stops for 300 ms (a long render, a big JSON body): every send timer due
    // meanwhile fires at once when it ends, and those requests must not leave together.
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {}
    };
    const stalls = [setTimeout(() => busy(300), 250), setTimeout(() => busy(300), 900)];
    try {
      for (const id of ids) await expect.poll(async () => (await row(id)).status, { timeout: 20_000 }).toBe('sent');
    } finally {
      stalls.forEach(clearTimeout);
      await running.stop();
    }
    const most = maxInWindow(
      ids.map((id) => requestsFor(id)[0]!.receivedAt).sort((a, b) => a - b),
      1000,
    );
    // The fake stamps each request in this same process: a pause between a request's write and its stamp
    // (a collection) can move one into the next second, so one over is let pass. Without the sender's
    // second look after each wait, 25 went in one second.
    expect(most).toBeLessThanOrEqual(MPS + 1);
  });

  it('reserves send slots for several numbers in one statement, each number’s after the ones it gave before', async () => {
    const [a, b] = [`slots-a-${randomUUID()}`, `slots-b-${randomUUID()}`];
    const before = Date.now();
    const first = await reserveSendSlots(
      database.db,
      [
        { phoneNumberId: b, count: 3 },
        { phoneNumberId: a, count: 1 },
      ],
      100,
    );
    // A number seen for the first time may go now.
    for (const n of [a, b]) expect(Math.abs(first.get(n)!.getTime() - before)).toBeLessThan(1_000);
    const again = await reserveSendSlots(
      database.db,
      [
        { phoneNumberId: a, count: 2 },
        { phoneNumberId: b, count: 1 },
      ],
      100,
    );
    // Next: after the slots reserved before (b had three of 100 ms, a one).
    expect(again.get(b)!.getTime() - first.get(b)!.getTime()).toBe(300);
    expect(again.get(a)!.getTime() - first.get(a)!.getTime()).toBe(100);
    expect(await reserveSendSlots(database.db, [], 100)).toEqual(new Map());
  });

  it('two senders on one database send each message exactly once', async () => {
    const conversations = [];
    for (let i = 0; i < 4; i++) conversations.push(await conversationWithCustomer());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) for (const c of conversations) ids.push((await send(c.id, `msg ${i}`)).id);
    graph.scriptAlways({ method: 'POST', path: MESSAGES_PATH }, { kind: 'accept', delayMs: 20 });
    const senders = [makeSender().start(), makeSender().start()];
    try {
      for (const id of ids) await expect.poll(async () => (await row(id)).status, { timeout: 20_000 }).toBe('sent');
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
    }
    for (const id of ids) expect(requestsFor(id), id).toHaveLength(1);
  });

  it('sends to a customer known only by their business-scoped user id', async () => {
    const userId = `US.${Date.now()}${customerSeq}`;
    const conversation = await conversationWithCustomer(60, { userId });
    const message = await send(conversation.id, 'Hi there');
    await sender.sendDue();
    const json = requestsFor(message.id)[0]!.json as Record<string, unknown>;
    expect(json.recipient).toBe(userId);
    expect(json).not.toHaveProperty('to');
  });

  async function storeTemplate(name: string, status: string, parameterFormat: 'POSITIONAL' | 'NAMED', components: unknown[]) {
    await database.db.execute(sql`
      insert into message_templates (id, waba_id, name, language, category, status, parameter_format, components)
      values (${`tpl-${kind}-${name}`}, ${TEST_WABA_ID}, ${name}, 'en_US', 'UTILITY', ${status}, ${parameterFormat}, ${JSON.stringify(components)}::jsonb)
      on conflict (id) do update set status = excluded.status, components = excluded.components`);
  }
  async function storeFile(bytes: Buffer, kind: string, mimeType: string, filename: string) {
    const tmp = storage.tempPath();
    fs.writeFileSync(tmp, bytes);
    const key = await storage.put(tmp, createHash('sha256').update(bytes).digest('hex'));
    const uploadId = randomUUID();
    await database.db.execute(sql`
      insert into uploads (id, kind, mime_type, filename, size, storage_key) values (${uploadId}, ${kind}, ${mimeType}, ${filename}, ${bytes.length}, ${key})`);
    return uploadId;
  }

  it('sends an approved template outside the window, filled in, and shows it as its text', async () => {
    await storeTemplate('order_update', 'APPROVED', 'POSITIONAL', [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hi {{1}}, your order ships {{2}}.' },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}' }] },
    ]);
    const conversation = await conversationWithCustomer(30 * HOUR);
    const res = await post(conversation.id, {
      clientId: randomUUID(),
      type: 'template',
      template: {
        name: 'order_update',
        language: 'en_US',
        parameters: ['Maria', 'tomorrow'],
        headerParameters: ['A-7'],
        buttonParameters: { 0: 'A-7' },
      },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const message = (await res.json()) as GetMessageResponse;
    expect(message).toMatchObject({ type: 'template', text: 'Hi Maria, your order ships tomorrow.', status: 'pending' });
    expect(message.content).toMatchObject({
      type: 'template',
      header: { format: 'text', text: 'Order A-7' },
      footer: 'Reply STOP to opt out',
    });
    await sender.sendDue();
    expect(requestsFor(message.id)[0]!.json).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'A-7' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Maria' },
              { type: 'text', text: 'tomorrow' },
            ],
          },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-7' }] },
        ],
      },
    });
    expect(await row(message.id)).toMatchObject({ status: 'sent' });
  });

  it('sends named template variables with their names, and an image header uploaded first', async () => {
    await storeTemplate('welcome_named', 'APPROVED', 'NAMED', [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Hola {{first_name}}, tu cita es el {{date}}.' },
    ]);
    const conversation = await conversationWithCustomer();
    const headerUploadId = await storeFile(Buffer.from('\x89PNG\r\n\x1a\nheader'), 'image', 'image/png', 'banner.png');
    const res = await post(conversation.id, {
      clientId: randomUUID(),
      type: 'template',
      template: { name: 'welcome_named', language: 'en_US', parameters: { date: 'lunes', first_name: 'Ana' }, headerUploadId },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const message = (await res.json()) as GetMessageResponse;
    expect(message).toMatchObject({ text: 'Hola Ana, tu cita es el lunes.', mediaFile: { state: 'downloaded' } });
    await sender.sendDue();
    const upload = [...graph.uploads.values()].at(-1)!;
    const json = requestsFor(message.id)[0]!.json as { template: { components: unknown[] } };
    expect(json.template.components).toEqual([
      { type: 'header', parameters: [{ type: 'image', image: { id: upload.id } }] },
      {
        type: 'body',
        parameters: expect.arrayContaining([
          { type: 'text', parameter_name: 'first_name', text: 'Ana' },
          { type: 'text', parameter_name: 'date', text: 'lunes' },
        ]),
      },
    ]);
  });

  it('refuses an unknown or unapproved template, and a missing variable, naming it', async () => {
    await storeTemplate('paused_one', 'PAUSED', 'POSITIONAL', [{ type: 'BODY', text: 'Hi {{1}}' }]);
    await storeTemplate('needs_two', 'APPROVED', 'POSITIONAL', [{ type: 'BODY', text: 'Hi {{1}}, see you {{2}}' }]);
    const conversation = await conversationWithCustomer();
    const refuse = async (template: Record<string, unknown>, words: string) => {
      const res = await post(conversation.id, { clientId: randomUUID(), type: 'template', template: { language: 'en_US', ...template } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(words);
    };
    await refuse({ name: 'no_such_template' }, 'no template "no_such_template"');
    await refuse({ name: 'paused_one', parameters: ['x'] }, 'PAUSED');
    await refuse({ name: 'needs_two', parameters: ['Ana'] }, '{{2}}');
    await sender.sendDue();
    expect(graph.requests).toHaveLength(0);
  });

  it('uploads an attached file to Meta, then sends it by media id with its caption', async () => {
    const conversation = await conversationWithCustomer();
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n-fake-png-bytes');
    const uploadId = await storeFile(bytes, 'image', 'image/png', 'photo.png');
    const res = await post(conversation.id, { clientId: randomUUID(), type: 'media', uploadId, caption: 'La factura' });
    expect(res.status).toBe(202);
    const message = (await res.json()) as GetMessageResponse;
    expect(message).toMatchObject({ type: 'image', text: 'La factura', mediaFile: { state: 'downloaded', size: bytes.length } });
    await sender.sendDue();
    const upload = [...graph.uploads.values()].at(-1)!;
    expect(upload.bytes.equals(bytes)).toBe(true);
    expect(requestsFor(message.id)[0]!.json).toMatchObject({ type: 'image', image: { id: upload.id, caption: 'La factura' } });
    expect(await row(message.id)).toMatchObject({ status: 'sent' });
  });
});
