import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { withApiErrors } from '@/lib/http/errors';
import { getConversationMessages, threadMessagesOf, type GetConversationMessagesResponse, type ReadApiDeps } from '@/lib/inbox/read-api';
import { CHANGES_CHANNEL, encodeChange, type ChangeNotice } from '@/lib/realtime/changes';
import { type EventsDeps, getEvents } from '@/lib/realtime/events-api';
import { ChangeHub } from '@/lib/realtime/hub';
import { OpenThreads } from '@/lib/realtime/open-threads';
import { EventStreamLimiter } from '@/lib/realtime/stream-limiter';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline } from '../helpers/pipeline';

// A thread open in a browser shows a new message from the live stream itself: the hub loads the changed
// messages of threads read lately on this instance and sends them along with the notice, exactly as the
// thread's own page would show them. Webhooks go in through the real pipeline; the stream is read as a
// browser reads it.

const KEY = 'thread-messages-test-key-0123456789';
/** How long the hub here waits for a load (2 s in the app). */
const TIMEOUT_MS = 1500;
const CUSTOMER_A = '15550001111';
const CUSTOMER_B = '15550002222';

interface Frame {
  event: string;
  data: unknown;
}

/** Reads a stream's frames as they come. */
function frames(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const parsed: Frame[] = [];
  let reading: Promise<void> | null = null;
  const readMore = () =>
    (reading ??= reader.read().then(({ value, done }) => {
      reading = null;
      if (done) throw new Error('stream ended');
      text += decoder.decode(value, { stream: true });
      let end = text.indexOf('\n\n');
      while (end >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) parsed.push({ event, data: JSON.parse(data) });
        end = text.indexOf('\n\n');
      }
    }));
  return {
    /** The next change notice that `accept` takes, skipping others; fails after `ms`. */
    async next(accept: (notice: ChangeNotice) => boolean, ms = 5000): Promise<ChangeNotice> {
      const deadline = Date.now() + ms;
      for (;;) {
        const at = parsed.findIndex((f) => f.event === 'change' && accept(f.data as ChangeNotice));
        if (at >= 0) return parsed.splice(0, at + 1).at(-1)!.data as ChangeNotice;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no such notice came');
        await Promise.race([readMore(), new Promise((r) => setTimeout(r, left))]);
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

describe.each(dbKinds)('messages sent along with change notices on %s', (kind) => {
  let testDb: TestDatabase;
  let hub: ChangeHub;
  let deps: ReadApiDeps;
  let pipeline: ReturnType<typeof createPipeline>;
  const open: { cancel(): Promise<void> }[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    deps = { db: testDb.database.db, apiKey: KEY, openThreads: new OpenThreads() };
    hub = await ChangeHub.start(testDb.database, { threadMessagesTimeoutMs: TIMEOUT_MS });
    hub.sendThreadMessagesWith((change) => threadMessagesOf(deps, change));
    pipeline = createPipeline(testDb.database);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.cancel()));
  });
  afterAll(async () => {
    await hub?.stop();
    await testDb?.drop();
  });

  const auth = { authorization: `Bearer ${KEY}` };
  async function stream() {
    // An API key needs no sessions (EventsDeps' auth).
    const events: EventsDeps = { ...deps, hub, streams: new EventStreamLimiter(10) } as EventsDeps;
    const res = await withApiErrors(getEvents)(new Request('http://ticks.test/api/events', { headers: auth }), events);
    expect(res.status).toBe(200);
    const s = frames(res.body!);
    open.push(s);
    return s;
  }
  /** What the thread's page shows: its newest page, read as the browser reads it (which marks it open). */
  async function readThread(conversationId: string): Promise<ApiMessage[]> {
    const res = await withApiErrors(getConversationMessages)(
      new Request(`http://ticks.test/api/conversations/${conversationId}/messages`, { headers: auth }),
      deps,
      { id: conversationId },
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as GetConversationMessagesResponse).messages;
  }
  async function receive(carried: Record<string, unknown>) {
    expect((await pipeline.post(messagesBody(carried))).status).toBe(200);
    await pipeline.drain();
  }
  const naming = (id: string) => (n: ChangeNotice) => n.messages.includes(id);

  it("sends an open thread's new message along, as its page shows it", async () => {
    const s = await stream();
    await receive({ messages: [textMessage('wamid.A1', CUSTOMER_A, 'first', 1767000000)] });
    const first = await s.next(naming('wamid.A1'));
    // Nobody has read this thread yet: the notice only names what changed.
    expect(first.threadMessages).toBeUndefined();
    const conversationId = String(first.conversations[0]);
    await readThread(conversationId);

    await receive({ messages: [textMessage('wamid.A2', CUSTOMER_A, 'second', 1767000060)] });
    const second = await s.next(naming('wamid.A2'));
    const page = await readThread(conversationId);
    expect(second.threadMessages).toEqual([page.find((m) => m.id === 'wamid.A2')]);
    expect(second.threadMessages?.[0]).toMatchObject({ text: 'second', conversationId, direction: 'inbound' });
  });

  it('leaves out threads nobody reads and what threads hide, and sends edited targets as they now read', async () => {
    const s = await stream();
    await receive({ messages: [textMessage('wamid.B1', CUSTOMER_B, 'hello', 1767000000)] });
    const conversationB = String((await s.next(naming('wamid.B1'))).conversations[0]);
    // B is not open: its next message goes without.
    await receive({ messages: [textMessage('wamid.B2', CUSTOMER_B, 'anyone?', 1767000030)] });
    expect((await s.next(naming('wamid.B2'))).threadMessages).toBeUndefined();

    await readThread(conversationB);
    const edit = {
      from: CUSTOMER_B,
      id: 'wamid.B3-edit',
      timestamp: '1767000100',
      type: 'edit',
      edit: { original_message_id: 'wamid.B1', message: { type: 'text', text: { body: 'hello there' } } },
    };
    await receive({ messages: [edit] });
    const notice = await s.next(naming('wamid.B1'));
    // The edit itself is not a message of the thread; the message it changed is, with its new text.
    expect(notice.threadMessages?.map((m) => [m.id, m.text])).toEqual([['wamid.B1', 'hello there']]);
    expect(notice.threadMessages?.[0]?.editedAt).not.toBeNull();
  });

  it("sends an outbound message's new status along, with its history", async () => {
    const s = await stream();
    await receive({ messages: [textMessage('wamid.C1', CUSTOMER_A, 'ping', 1767000200)] });
    const conversationId = String((await s.next(naming('wamid.C1'))).conversations[0]);
    await readThread(conversationId);
    // A message sent from another system: known from its statuses.
    await receive({ statuses: [status('wamid.C-OUT', 'delivered', 1767000300, CUSTOMER_A)] });
    const notice = await s.next(naming('wamid.C-OUT'));
    expect(notice.threadMessages).toHaveLength(1);
    expect(notice.threadMessages?.[0]).toMatchObject({ id: 'wamid.C-OUT', direction: 'outbound', status: 'delivered' });
    expect(notice.threadMessages?.[0]?.statusHistory.map((h) => h.status)).toEqual(['delivered']);
  });

  it("never holds up the server's own listeners, and keeps the streams' order when a load is slow", async () => {
    const s = await stream();
    const heardInside: string[] = [];
    const unsubscribe = hub.subscribe((n) => heardInside.push(...n.messages));
    // A load that never answers (a pool that is all taken): the notice goes on without it, in its turn.
    hub.sendThreadMessagesWith((change) => (change.messages.includes('slow') ? new Promise(() => {}) : threadMessagesOf(deps, change)));
    try {
      const notify = (ids: string[]) =>
        testDb.database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${encodeChange({ conversationIds: [1], messageIds: ids })})`);
      const started = Date.now();
      await notify(['slow']);
      await notify(['after-slow']);
      await expect.poll(() => heardInside, { timeout: TIMEOUT_MS / 2 }).toEqual(['slow', 'after-slow']);
      // The server's own listeners have both; the stream has neither: the slow load holds its line.
      expect(await s.next(() => true, 10).catch(() => null)).toBeNull();
      const first = await s.next((n) => n.messages.includes('slow') || n.messages.includes('after-slow'));
      expect(first.messages).toEqual(['slow']);
      expect(first.threadMessages).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect((await s.next(naming('after-slow'))).messages).toEqual(['after-slow']);
    } finally {
      unsubscribe();
      hub.sendThreadMessagesWith((change) => threadMessagesOf(deps, change));
    }
  });
});
