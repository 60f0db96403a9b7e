import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '@/db/client';
import { requeueFailedEvents } from '@/db/queries/webhook-events';
import { CHANGES_CHANNEL, decodeChange } from '@/lib/realtime/changes';
import { signBody } from '@/lib/whatsapp/signature';
import { receiveDelivery, type DeliveryOutcome } from '@/lib/whatsapp/webhook';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { startTcpProxy } from '../../tools/tcp-proxy';
import {
  SECRET,
  SECRET_NEXT,
  count,
  createPipeline,
  fixturesDir,
  messageRow,
  readPayload,
  samplePayloadFiles,
  silentLog,
} from '../helpers/pipeline';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';

describe.each(dbKinds)('webhook pipeline on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let pipeline: ReturnType<typeof createPipeline>;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
  });
  afterAll(async () => {
    await test.drop();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    pipeline = createPipeline(database);
  });

  describe('signature', () => {
    const body = () => readPayload('text.json');

    it('accepts the exact bytes signed with the app secret', async () => {
      expect((await pipeline.post(body())).status).toBe(200);
      expect(await count(database, 'webhook_events')).toBe(1);
    });

    it.each([
      ['missing', null],
      ['malformed', 'sha256=xyz'],
      ['without prefix', signBody(readPayload('text.json'), SECRET).slice(7)],
      ['too short (length mismatch)', signBody(readPayload('text.json'), SECRET).slice(0, 40)],
      ['wrong', `sha256=${'0'.repeat(64)}`],
      ['hex with a bad character', `${signBody(readPayload('text.json'), SECRET).slice(0, 70)}g`],
    ])('answers 401 and stores nothing when the signature is %s', async (_label, signature) => {
      expect((await pipeline.post(body(), { signature })).status).toBe(401);
      expect(await count(database, 'webhook_events')).toBe(0);
    });

    it.each([
      ['missing', null, {}, 'signature_missing'],
      ['malformed', 'sha256=not-hex', {}, 'signature_malformed'],
      ['unverifiable (no app secret)', `sha256=${'0'.repeat(64)}`, { appSecrets: [] }, 'no_app_secret'],
    ] as const)('refuses a body whose signature is %s at once, without reading it', async (_label, signature, config, reason) => {
      // 3.5 MB offered in 64 KB chunks, only as fast as the handler pulls them.
      let pulled = 0;
      const chunk = new Uint8Array(64 * 1024).fill(32);
      const body = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            if (pulled >= 3.5 * 1024 * 1024) return c.close();
            pulled += chunk.byteLength;
            c.enqueue(chunk);
          },
        },
        { highWaterMark: 0 },
      );
      const req = new Request('http://localhost/api/webhook', {
        method: 'POST',
        body,
        duplex: 'half',
        headers: signature === null ? {} : { 'x-hub-signature-256': signature },
      } as RequestInit);
      const outcomes: DeliveryOutcome[] = [];
      const res = await receiveDelivery(req, {
        config: { ...pipeline.config, ...config },
        rawEvents: pipeline.rawEvents,
        log: silentLog,
        onOutcome: (o) => outcomes.push(o),
      });
      expect(res.status).toBe(401);
      expect(outcomes).toEqual([{ outcome: 'rejected', status: 401, reason }]);
      expect(pulled).toBe(0);
    });

    it('rejects a body signed with another secret', async () => {
      expect((await pipeline.post(body(), { secret: 'someone-elses-secret' })).status).toBe(401);
    });

    it('rejects a signature over the re-serialized JSON (the spec snippet bug)', async () => {
      const raw = body();
      const reserialized = JSON.stringify(JSON.parse(raw.toString()));
      expect(reserialized).not.toBe(raw.toString());
      expect((await pipeline.post(raw, { signature: signBody(reserialized, SECRET) })).status).toBe(401);
    });

    it('accepts either secret while one is being rotated', async () => {
      const rotating = createPipeline(database, { config: { appSecrets: [SECRET, SECRET_NEXT] } });
      expect((await rotating.post(body(), { secret: SECRET_NEXT })).status).toBe(200);
      expect((await rotating.post(readPayload('image.json'), { secret: SECRET })).status).toBe(200);
    });
  });

  describe('bad bodies', () => {
    it.each([
      ['not JSON', '{"object":'],
      ['empty', ''],
      ['a JSON array', '[1,2]'],
      ['a JSON string', '"hello"'],
      ['no entry', '{"object":"whatsapp_business_account"}'],
      ['entry not an array', '{"object":"whatsapp_business_account","entry":{}}'],
      ['object not a string', '{"object":5,"entry":[]}'],
    ])('answers 400 to a signed body that is %s, and stores nothing', async (_label, body) => {
      expect((await pipeline.post(body)).status).toBe(400);
      expect(await count(database, 'webhook_events')).toBe(0);
    });

    it('answers 413 to a body over the limit, declared or streamed', async () => {
      const small = createPipeline(database, { config: { maxBodyBytes: 1024 } });
      const big = messagesBody({ messages: [textMessage('wamid.BIG', '1', 'x'.repeat(2000))] });
      expect((await small.post(big)).status).toBe(413);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(512).fill(32));
          c.close();
        },
      });
      const req = new Request('http://localhost/api/webhook', {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      } as RequestInit);
      const { receiveDelivery } = await import('@/lib/whatsapp/webhook');
      expect((await receiveDelivery(req, { config: small.config, rawEvents: small.rawEvents, log: silentLog })).status).toBe(413);
      expect(await count(database, 'webhook_events')).toBe(0);
    });

    it('stores a well-formed body for another object or with unknown fields, and answers 200', async () => {
      expect((await pipeline.post('{"object":"page","entry":[{"id":"1","changes":[]}]}')).status).toBe(200);
      const unknown = messagesBody({ brand_new_array: [{ x: 1 }] });
      expect((await pipeline.post(unknown)).status).toBe(200);
      const weird =
        '{"object":"whatsapp_business_account","entry":[null,5,{"changes":"no"},{"changes":[null,{"field":"messages","value":null}]}]}';
      expect((await pipeline.post(weird)).status).toBe(200);
      await pipeline.drain();
      expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(3);
      expect(await count(database, 'messages')).toBe(0);
    });
  });

  describe('normalizing', () => {
    it('stores every sample, with contacts, conversations and statuses', async () => {
      for (const file of samplePayloadFiles()) expect((await pipeline.post(readPayload(file))).status, file).toBe(200);
      await pipeline.drain();
      expect(await count(database, 'webhook_events', sql`where state <> 'processed'`)).toBe(0);

      const text = await messageRow(database, 'wamid.SAMPLE-TEXT-0001');
      expect(text).toMatchObject({ direction: 'inbound', type: 'text', text: 'Hola! ¿Tienen envío a Monterrey?', status: 'received' });
      expect(new Date(text!.sent_at as string).toISOString()).toBe('2025-12-29T09:20:00.000Z');

      const out = await messageRow(database, 'wamid.SAMPLE-OUT-0102');
      expect(out).toMatchObject({ direction: 'outbound', status: 'read', placeholder: true });
      const failed = await messageRow(database, 'wamid.SAMPLE-OUT-0103');
      expect(failed).toMatchObject({ status: 'failed' });
      expect(failed!.errors).toEqual([expect.objectContaining({ code: 131047, title: 'Re-engagement message' })]);

      const reply = await messageRow(database, 'wamid.SAMPLE-REPLY-0006');
      expect(reply).toMatchObject({ reply_to_wamid: 'wamid.SAMPLE-OUT-0102' });
      expect(await messageRow(database, 'wamid.SAMPLE-BTN-0003')).toMatchObject({ type: 'interactive', text: '✅ Confirm' });
      expect(await messageRow(database, 'wamid.SAMPLE-BATCH-0008')).toMatchObject({ text: 'Danke, bis bald' });

      // Maria wrote three inbound messages (text, image, batch) to one number: one conversation, 3 unread.
      const [maria] = await queryRows<{ unread_count: number; name: string; last_message_wamid: string }>(
        database.db,
        sql`select c.unread_count, k.name, (select wamid from messages where id = c.last_message_id) as last_message_wamid from conversations c join contacts k on k.id = c.contact_id where k.wa_id = '5215512345678'`,
      );
      expect(maria).toMatchObject({ unread_count: 3, name: 'Maria Lopez', last_message_wamid: 'wamid.SAMPLE-OUT-0103' });
      expect(await count(database, 'status_events')).toBe(4);
      expect(await count(database, 'account_events', sql`where field = 'message_template_status_update'`)).toBe(1);
    });

    it('orders a thread by Meta timestamp, not arrival', async () => {
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.LATE', '111', 'second', 1767000100)] }));
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.EARLY', '111', 'first', 1767000000)] }));
      await pipeline.drain();
      const rows = await queryRows<{ wamid: string }>(database.db, sql`select wamid from messages order by sent_at, wamid`);
      expect(rows.map((r) => r.wamid)).toEqual(['wamid.EARLY', 'wamid.LATE']);
      const [conv] = await queryRows<{ last_message_wamid: string }>(
        database.db,
        sql`select (select wamid from messages where id = c.last_message_id) as last_message_wamid from conversations c`,
      );
      expect(conv!.last_message_wamid).toBe('wamid.LATE');
    });

    it('keeps unsafe characters out of text and jsonb, and the raw bytes as they came', async () => {
      const body = messagesBody({ messages: [textMessage('wamid.NUL', '111', 'PLACEHOLDER')] }).replace(
        'PLACEHOLDER',
        'a\\u0000b\\ud800c\\udfffd',
      );
      expect((await pipeline.post(body)).status).toBe(200);
      await pipeline.drain();
      expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(1);
      const row = await messageRow(database, 'wamid.NUL');
      expect(row!.text).toBe('a\uFFFDb\uFFFDc\uFFFDd');
      const [raw] = await queryRows<{ body: Uint8Array }>(database.db, sql`select body from webhook_events`);
      expect(Buffer.from(raw!.body).toString()).toBe(body);
    });
  });

  describe('account events', () => {
    it('stores template and account updates, once even when re-sent in another envelope', async () => {
      const body = readPayload('template_status_update.json');
      await pipeline.post(body);
      await pipeline.post(JSON.stringify(JSON.parse(body.toString())));
      await pipeline.drain();
      expect(await count(database, 'webhook_events')).toBe(2);
      const rows = await queryRows<{ field: string; event_type: string; waba_id: string }>(
        database.db,
        sql`select field, event_type, waba_id from account_events`,
      );
      expect(rows).toEqual([{ field: 'message_template_status_update', event_type: 'APPROVED', waba_id: '102290129340398' }]);
    });

    it('keeps value-level errors and items it cannot read, next to the good ones', async () => {
      const body = messagesBody({
        errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong' }],
        messages: [
          { from: '111', timestamp: '1767000000', type: 'text', text: { body: 'no id' } },
          textMessage('wamid.GOOD', '111', 'fine'),
        ],
      });
      await pipeline.post(body);
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.GOOD')).toBeDefined();
      const fields = await queryRows<{ field: string }>(database.db, sql`select field from account_events order by field`);
      expect(fields.map((f) => f.field)).toEqual(['errors', 'invalid_item']);
    });
  });

  it('stores mutated real bodies without a 5xx or a failed event', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const junk: unknown[] = [
      null,
      0,
      -1,
      1e308,
      '',
      'x',
      '\u0000',
      '\ud800',
      true,
      [],
      {},
      [null],
      { id: 5 },
      '__proto__',
      'x'.repeat(5000),
    ];
    const mutate = (v: unknown, depth: number): unknown => {
      if (depth > 0 && random() < 0.06) return junk[Math.floor(random() * junk.length)];
      if (Array.isArray(v)) return v.map((x) => mutate(x, depth + 1));
      if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, c]) => [random() < 0.02 ? 'renamed' : k, mutate(c, depth + 1)]));
      return v;
    };
    const files = fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const original = JSON.parse(fs.readFileSync(path.join(fixturesDir, files[i % files.length]!), 'utf8'));
      codes.push((await pipeline.post(JSON.stringify(mutate(original, 0)))).status);
    }
    // 400 only where the mutation broke the envelope itself (`object` or `entry`).
    expect(codes.filter((c) => c !== 200 && c !== 400)).toEqual([]);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThan(150);
    await pipeline.drain();
    const failed = await queryRows<{ last_error: string }>(
      database.db,
      sql`select last_error from webhook_events where state <> 'processed'`,
    );
    expect(failed).toEqual([]);
  });

  it('stores the messages of a body whose extra fields nest absurdly deep', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const body = messagesBody({
      messages: [{ ...textMessage('wamid.DEEP-1', '111', 'a'), extra: 'DEEP' }, textMessage('wamid.DEEP-2', '111', 'b')],
      statuses: [status('wamid.DEEP-OUT', 'sent', 1767000000, '111', { pricing: 'DEEP' })],
    }).replaceAll('"DEEP"', deep);
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();
    expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(1);
    expect((await messageRow(database, 'wamid.DEEP-1'))!.text).toBe('a');
    expect((await messageRow(database, 'wamid.DEEP-2'))!.text).toBe('b');
    expect((await messageRow(database, 'wamid.DEEP-OUT'))!.status).toBe('sent');
  });

  it('falls back to the time received for timestamps Meta could not have meant', async () => {
    for (const [i, ts] of ['1e20', '-5', 'soon', '99999999999999', ''].entries()) {
      await pipeline.post(messagesBody({ messages: [{ ...textMessage(`wamid.TS-${i}`, '111', 'x'), timestamp: ts }] }));
    }
    await pipeline.drain();
    expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(5);
    const rows = await queryRows<{ sent_at: string }>(database.db, sql`select sent_at from messages`);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(Math.abs(new Date(r.sent_at).getTime() - Date.now())).toBeLessThan(60_000);
  });

  describe('duplicates', () => {
    it('recognizes an identical body delivered again and processes it once', async () => {
      const body = readPayload('text.json');
      expect((await pipeline.post(body)).status).toBe(200);
      await pipeline.drain();
      expect((await pipeline.post(body)).status).toBe(200);
      expect((await pipeline.post(body)).status).toBe(200);
      await pipeline.drain();
      expect(await count(database, 'webhook_events')).toBe(1);
      expect(await count(database, 'messages')).toBe(1);
      const [conv] = await queryRows<{ unread_count: number }>(database.db, sql`select unread_count from conversations`);
      expect(conv!.unread_count).toBe(1);
    });

    it('treats a message id seen before as a no-op, whatever envelope it comes in', async () => {
      const msg = textMessage('wamid.TWICE', '111', 'original');
      await pipeline.post(messagesBody({ messages: [msg] }));
      await pipeline.post(
        messagesBody({ messages: [msg, textMessage('wamid.OTHER', '111', 'other')], contacts: [{ wa_id: '111', profile: { name: 'A' } }] }),
      );
      await pipeline.post(messagesBody({ messages: [{ ...msg, text: { body: 'changed' } }] }));
      await pipeline.drain();
      expect(await count(database, 'messages')).toBe(2);
      expect((await messageRow(database, 'wamid.TWICE'))!.text).toBe('original');
      const [conv] = await queryRows<{ unread_count: number }>(database.db, sql`select unread_count from conversations`);
      expect(conv!.unread_count).toBe(2);
    });

    it('stores a message once when it repeats inside one batch', async () => {
      const msg = textMessage('wamid.SAMEBATCH', '111', 'hi');
      await pipeline.post(messagesBody({ messages: [msg, msg] }));
      await pipeline.drain();
      expect(await count(database, 'messages')).toBe(1);
    });
  });

  describe('statuses', () => {
    const orders = [
      ['sent', 'delivered', 'read'],
      ['read', 'delivered', 'sent'],
      ['delivered', 'read', 'sent'],
      ['sent', 'read', 'delivered'],
      ['read', 'sent', 'delivered'],
      ['delivered', 'sent', 'read'],
    ];
    const times: Record<string, number> = { sent: 1767000010, delivered: 1767000012, read: 1767000020 };

    it.each(orders.map((o) => [o.join(' → '), o] as const))('end at read whatever the order: %s', async (_label, order) => {
      for (const s of order) await pipeline.post(messagesBody({ statuses: [status('wamid.OUT', s, times[s]!)] }));
      // Both in separate batches and all in one: the final state is the same.
      await pipeline.drain();
      const row = await messageRow(database, 'wamid.OUT');
      expect(row).toMatchObject({ status: 'read', direction: 'outbound', placeholder: true });
      expect(await count(database, 'status_events')).toBe(3);
    });

    it('moves forward across batches and never back', async () => {
      await pipeline.post(messagesBody({ statuses: [status('wamid.FWD', 'read', 1767000020)] }));
      await pipeline.drain();
      await pipeline.post(messagesBody({ statuses: [status('wamid.FWD', 'delivered', 1767000012)] }));
      await pipeline.post(messagesBody({ statuses: [status('wamid.FWD', 'sent', 1767000010)] }));
      await pipeline.drain();
      expect((await messageRow(database, 'wamid.FWD'))!.status).toBe('read');
    });

    it.each([
      ['separate batches', false],
      ['one batch', true],
    ])('a played voice message ends at played, whatever the order (%s)', async (_label, together) => {
      const order = [
        status('wamid.VOICE', 'delivered', 1767000012),
        status('wamid.VOICE', 'played', 1767000030),
        status('wamid.VOICE', 'read', 1767000020),
      ];
      if (together) await pipeline.post(messagesBody({ statuses: order }));
      else for (const s of order) await pipeline.post(messagesBody({ statuses: [s] }));
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.VOICE')).toMatchObject({ status: 'played', status_rank: 4 });
      const history = await queryRows<{ status: string }>(
        database.db,
        sql`select status from status_events where wamid = 'wamid.VOICE' order by occurred_at`,
      );
      expect(history.map((h) => h.status)).toEqual(['delivered', 'read', 'played']);
      // The funnel: read at the first of read and played.
      const [timing] = await queryRows<{ read_at: Date | string; delivered_at: Date | string }>(
        database.db,
        sql`select read_at, delivered_at from delivery_timings where wamid = 'wamid.VOICE'`,
      );
      expect(new Date(timing!.read_at).getTime()).toBe(1767000020_000);
    });

    it('counts a voice message played without a read status as read', async () => {
      await pipeline.post(
        messagesBody({ statuses: [status('wamid.HEARD', 'sent', 1767000010), status('wamid.HEARD', 'played', 1767000040)] }),
      );
      await pipeline.drain();
      expect((await messageRow(database, 'wamid.HEARD'))!.status).toBe('played');
      const [timing] = await queryRows<{ read_at: Date | string }>(
        database.db,
        sql`select read_at from delivery_timings where wamid = 'wamid.HEARD'`,
      );
      expect(new Date(timing!.read_at).getTime()).toBe(1767000040_000);
      // A late read does not take it back.
      await pipeline.post(messagesBody({ statuses: [status('wamid.HEARD', 'read', 1767000035)] }));
      await pipeline.drain();
      expect((await messageRow(database, 'wamid.HEARD'))!.status).toBe('played');
    });

    it('keeps a status it does not know in the history without moving the tick', async () => {
      await pipeline.post(messagesBody({ statuses: [status('wamid.ODD', 'delivered', 1767000012)] }));
      await pipeline.drain();
      const before = await messageRow(database, 'wamid.ODD');
      await pipeline.post(
        messagesBody({ statuses: [status('wamid.ODD', 'frobnicated', 1767000050), status('wamid.ODD', 'deleted', 1767000060)] }),
      );
      await pipeline.drain();
      const after = await messageRow(database, 'wamid.ODD');
      expect(after).toMatchObject({ status: 'delivered', status_rank: 2 });
      expect(after!.status_at).toEqual(before!.status_at);
      const history = await queryRows<{ status: string }>(
        database.db,
        sql`select status from status_events where wamid = 'wamid.ODD' order by occurred_at`,
      );
      expect(history.map((h) => h.status)).toEqual(['delivered', 'frobnicated', 'deleted']);
      expect(await count(database, 'webhook_events', sql`where state <> 'processed'`)).toBe(0);
      // Only an unknown value so far: a placeholder line, still pending.
      await pipeline.post(messagesBody({ statuses: [status('wamid.ONLY-ODD', 'frobnicated', 1767000070)] }));
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.ONLY-ODD')).toMatchObject({ status: 'pending', placeholder: true });
    });

    it('failed stays failed when played comes after it, and overrides an earlier played', async () => {
      await pipeline.post(
        messagesBody({
          statuses: [status('wamid.F1', 'failed', 1767000010, undefined, { errors: [{ code: 131026, title: 'Message undeliverable' }] })],
        }),
      );
      await pipeline.drain();
      await pipeline.post(messagesBody({ statuses: [status('wamid.F1', 'played', 1767000030)] }));
      await pipeline.post(messagesBody({ statuses: [status('wamid.F2', 'played', 1767000030)] }));
      await pipeline.drain();
      await pipeline.post(messagesBody({ statuses: [status('wamid.F2', 'failed', 1767000040)] }));
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.F1')).toMatchObject({ status: 'failed', status_rank: 5 });
      expect((await messageRow(database, 'wamid.F1'))!.errors).toMatchObject([{ code: 131026 }]);
      expect(await messageRow(database, 'wamid.F2')).toMatchObject({ status: 'failed', status_rank: 5 });
    });

    it('keeps the errors of a failed status, and failed stays failed', async () => {
      await pipeline.post(readPayload('status_failed.json'));
      await pipeline.drain();
      await pipeline.post(messagesBody({ statuses: [status('wamid.SAMPLE-OUT-0103', 'sent', 1767080000, '5215512345678')] }));
      await pipeline.drain();
      const row = await messageRow(database, 'wamid.SAMPLE-OUT-0103');
      expect(row!.status).toBe('failed');
      expect(row!.errors).toEqual([
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      ]);
    });

    it('fills in a placeholder when the message itself arrives later, keeping its status', async () => {
      await pipeline.post(messagesBody({ statuses: [status('wamid.ECHO', 'delivered', 1767000012, '4915112345678')] }));
      await pipeline.drain();
      const echo = {
        from: '15551234567',
        to: '4915112345678',
        id: 'wamid.ECHO',
        timestamp: '1767000010',
        type: 'text',
        text: { body: 'Your order shipped' },
      };
      await pipeline.post(
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: '102290129340398',
              changes: [
                {
                  field: 'smb_message_echoes',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '15551234567', phone_number_id: '106540352242922' },
                    message_echoes: [echo],
                  },
                },
              ],
            },
          ],
        }),
      );
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.ECHO')).toMatchObject({
        placeholder: false,
        status: 'delivered',
        text: 'Your order shipped',
        direction: 'outbound',
        type: 'text',
      });
      expect(await count(database, 'conversations')).toBe(1);
    });
    it('applies a status that came before its message, even with no recipient to make a placeholder for', async () => {
      const bare = { id: 'wamid.LATER', status: 'delivered', timestamp: '1767000012' };
      await pipeline.post(messagesBody({ statuses: [bare] }));
      await pipeline.drain();
      expect(await count(database, 'status_events')).toBe(1);
      const echo = {
        from: '15551234567',
        to: '4915112345678',
        id: 'wamid.LATER',
        timestamp: '1767000010',
        type: 'text',
        text: { body: 'later' },
      };
      await pipeline.post(
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: '1',
              changes: [
                { field: 'smb_message_echoes', value: { metadata: { phone_number_id: '106540352242922' }, message_echoes: [echo] } },
              ],
            },
          ],
        }),
      );
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.LATER')).toMatchObject({ status: 'delivered', direction: 'outbound', text: 'later' });
    });

    it('stores a 3 MB body of 10,000 statuses whole', async () => {
      const statuses = Array.from({ length: 10_000 }, (_, i) =>
        status(`wamid.BULK-${i}`, 'delivered', 1767000000 + i, `49${i % 50}`, {
          pricing: { billable: true, category: 'utility', pricing_model: 'PMP' },
        }),
      );
      const body = messagesBody({ statuses });
      expect(body.length).toBeGreaterThan(1_500_000);
      expect((await pipeline.post(body)).status).toBe(200);
      await pipeline.drain();
      expect(await count(database, 'status_events')).toBe(10_000);
      expect(await count(database, 'messages', sql`where status = 'delivered' and placeholder`)).toBe(10_000);
      expect(await count(database, 'conversations')).toBe(50);
    });
  });

  describe('history (the Business app chat history shared at onboarding)', () => {
    const customer = '4915112345678';
    const historyBody = (messages: unknown[]) =>
      messagesBody(
        { history: [{ metadata: { phase: 0, chunk_order: 1, progress: 100 }, threads: [{ id: customer, messages }] }] },
        { field: 'history' },
      );
    const conversation = async () =>
      (
        await queryRows<{ status: string; unread_count: number; last_inbound_at: unknown; last_message_at: unknown }>(
          database.db,
          sql`select status, unread_count, last_inbound_at, last_message_at from conversations`,
        )
      )[0];

    it('stores past messages in their thread at their own time, never unread, never opening the window', async () => {
      await pipeline.post(
        historyBody([
          textMessage('wamid.H-IN', customer, 'Do you ship to Köln?', 1766000000),
          { ...textMessage('wamid.H-OUT', '15551234567', 'We do.', 1766000060), to: customer, history_context: { status: 'READ' } },
        ]),
      );
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.H-IN')).toMatchObject({ history: true, direction: 'inbound', status: 'received' });
      expect(await messageRow(database, 'wamid.H-OUT')).toMatchObject({ history: true, direction: 'outbound', status: 'read' });
      // Only the history brought it: it waits in Resolved, not on top of the Open tab.
      expect(await conversation()).toMatchObject({ status: 'resolved', unread_count: 0, last_inbound_at: null });
      expect(new Date((await conversation())!.last_message_at as string).toISOString()).toBe(new Date(1766000060_000).toISOString());
    });

    it('reopens nothing, and a live message after it counts as ever', async () => {
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.LIVE-1', customer, 'hello', 1767000000)] }));
      await pipeline.drain();
      await database.db.execute(sql`update conversations set status = 'resolved', unread_count = 0`);
      await pipeline.post(historyBody([textMessage('wamid.H-OLD', customer, 'months ago', 1760000000)]));
      await pipeline.drain();
      expect(await conversation()).toMatchObject({ status: 'resolved', unread_count: 0 });
      expect(new Date((await conversation())!.last_message_at as string).toISOString()).toBe(new Date(1767000000_000).toISOString());

      await pipeline.post(messagesBody({ messages: [textMessage('wamid.LIVE-2', customer, 'again', 1767000100)] }));
      await pipeline.drain();
      expect(await conversation()).toMatchObject({ status: 'open', unread_count: 1 });
    });

    it('takes the media id of a message first shared without it, once, and fetches the file', async () => {
      const image = (id?: string) => ({
        from: customer,
        id: 'wamid.H-IMG',
        timestamp: '1766000000',
        type: 'image',
        image: { mime_type: 'image/jpeg', ...(id ? { id } : {}) },
      });
      await pipeline.post(historyBody([image()]));
      await pipeline.drain();
      expect(await count(database, 'media_items')).toBe(0);
      await pipeline.post(historyBody([image('1375940025318823')]));
      await pipeline.post(historyBody([image('1375940025318823')]));
      await pipeline.drain();
      expect(await count(database, 'messages')).toBe(1);
      expect(await count(database, 'media_items')).toBe(1);
      expect(await messageRow(database, 'wamid.H-IMG')).toMatchObject({ history: true, media: { id: '1375940025318823' } });
      // Counted once in the message charts, however often it came.
      const [stats] = await queryRows<{ n: number }>(database.db, sql`select coalesce(sum(count), 0)::int as n from message_stats_hourly`);
      expect(stats!.n).toBe(1);
    });
  });

  describe('customers', () => {
    it('joins a BSUID-only customer with their phone number once both are seen together', async () => {
      const bsuidOnly = {
        from_user_id: 'US.1234567890',
        id: 'wamid.B1',
        timestamp: '1767000000',
        type: 'text',
        text: { body: 'hi, no number' },
      };
      await pipeline.post(messagesBody({ messages: [bsuidOnly], contacts: [{ user_id: 'US.1234567890', profile: { name: 'Ana' } }] }));
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.P1', '5511999999999', 'by phone', 1767000050)] }));
      await pipeline.drain();
      expect(await count(database, 'contacts')).toBe(2);
      expect(await count(database, 'conversations')).toBe(2);

      const both = {
        from: '5511999999999',
        from_user_id: 'US.1234567890',
        id: 'wamid.BOTH',
        timestamp: '1767000100',
        type: 'text',
        text: { body: 'both' },
      };
      await pipeline.post(
        messagesBody({ messages: [both], contacts: [{ wa_id: '5511999999999', user_id: 'US.1234567890', profile: { name: 'Ana' } }] }),
      );
      await pipeline.drain();
      expect(await count(database, 'contacts')).toBe(1);
      expect(await count(database, 'conversations')).toBe(1);
      const [conv] = await queryRows<{ unread_count: number; last_message_wamid: string; wa_id: string; user_id: string }>(
        database.db,
        sql`select c.unread_count, (select wamid from messages where id = c.last_message_id) as last_message_wamid, k.wa_id, k.user_id from conversations c join contacts k on k.id = c.contact_id`,
      );
      expect(conv).toEqual({ unread_count: 3, last_message_wamid: 'wamid.BOTH', wa_id: '5511999999999', user_id: 'US.1234567890' });
      expect(await count(database, 'messages', sql`where conversation_id = (select id from conversations)`)).toBe(3);
    });

    it('keeps one conversation per business number', async () => {
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.N1', '111', 'to A')] }, { phoneNumberId: 'PN-A' }));
      await pipeline.post(
        messagesBody({ messages: [textMessage('wamid.N2', '111', 'to B')] }, { phoneNumberId: 'PN-B', display: '15550000000' }),
      );
      await pipeline.drain();
      expect(await count(database, 'contacts')).toBe(1);
      expect(await count(database, 'conversations')).toBe(2);
      expect(await count(database, 'business_numbers')).toBe(2);
    });
  });

  describe('edits and revokes', () => {
    it('applies an edit and a revoke, even when they arrive before the original', async () => {
      const edit = {
        from: '111',
        id: 'wamid.EDIT1',
        timestamp: '1767000100',
        type: 'edit',
        edit: { original_message_id: 'wamid.ORIG', message: { type: 'text', text: { body: 'fixed typo' } } },
      };
      await pipeline.post(messagesBody({ messages: [edit] }));
      await pipeline.drain();
      await pipeline.post(messagesBody({ messages: [textMessage('wamid.ORIG', '111', 'fixd typo', 1767000000)] }));
      await pipeline.drain();
      const orig = await messageRow(database, 'wamid.ORIG');
      expect(orig).toMatchObject({ text: 'fixed typo' });
      expect(orig!.edited_at).not.toBeNull();
      expect(JSON.stringify(orig!.raw)).toContain('fixd typo');

      const revoke = {
        from: '111',
        id: 'wamid.REV1',
        timestamp: '1767000200',
        type: 'revoke',
        revoke: { original_message_id: 'wamid.ORIG' },
      };
      await pipeline.post(messagesBody({ messages: [revoke] }));
      await pipeline.drain();
      expect((await messageRow(database, 'wamid.ORIG'))!.deleted_at).not.toBeNull();
      const [conv] = await queryRows<{ unread_count: number; last_message_wamid: string }>(
        database.db,
        sql`select unread_count, (select wamid from messages where id = c.last_message_id) as last_message_wamid from conversations c`,
      );
      expect(conv).toEqual({ unread_count: 1, last_message_wamid: 'wamid.ORIG' });
    });
  });

  describe('failures and recovery', () => {
    it('retries an event that fails to store, then keeps it as failed without holding back its batch', async () => {
      // A wamid too large for a btree index: storing it fails in the database, not in our code.
      const poison = messagesBody({ messages: [textMessage(`wamid.${randomBytes(6000).toString('hex')}`, '111', 'x')] });
      await pipeline.post(poison);
      await pipeline.post(readPayload('text.json'));
      await pipeline.drain();
      expect(await messageRow(database, 'wamid.SAMPLE-TEXT-0001')).toBeDefined();
      const [event] = await queryRows<{ state: string; attempts: number; last_error: string }>(
        database.db,
        sql`select state, attempts, last_error from webhook_events where state <> 'processed'`,
      );
      expect(event).toMatchObject({ state: 'failed', attempts: 5 });
      expect(event!.last_error).toMatch(/index/i);
      expect(await requeueFailedEvents(database.db, { attempts: 4 })).toHaveLength(1);
      expect(await count(database, 'webhook_events', sql`where state = 'pending'`)).toBe(1);
      // The operator's retry is one attempt: failing again is final at once, not after another backoff schedule.
      await pipeline.drain();
      expect(await count(database, 'webhook_events', sql`where state = 'failed' and failed_at is not null`)).toBe(1);
      const stats = await queryRows<{ kind: string; n: string }>(
        database.db,
        sql`select kind, sum(count)::text as n from webhook_stats_hourly group by kind order by kind`,
      );
      expect(stats).toEqual([
        { kind: 'failed', n: '2' },
        { kind: 'processed', n: '1' },
        { kind: 'received', n: '2' },
      ]);
    });

    it('recovers an event committed but never processed (a crash between ack and normalize)', async () => {
      await pipeline.post(readPayload('text.json'));
      // The crash: a processor claims the event and dies mid-transaction.
      await expect(
        database.db.transaction(async (tx) => {
          await tx.execute(sql`select id from webhook_events for update`);
          throw new Error('killed');
        }),
      ).rejects.toThrow('killed');
      expect(await count(database, 'messages')).toBe(0);
      const restarted = createPipeline(database);
      expect(await restarted.drain()).toBe(1);
      expect(await messageRow(database, 'wamid.SAMPLE-TEXT-0001')).toBeDefined();
    });

    it('answers 503 when the database is unavailable', async () => {
      const down =
        kind === 'postgres'
          ? await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeout: 1 })
          : await openDatabase({});
      if (kind === 'pglite') await down.close();
      const broken = createPipeline(down, { timeoutMs: 3000 });
      const started = Date.now();
      expect((await broken.post(readPayload('text.json'))).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(4000);
      if (kind === 'postgres') await down.close();
      expect(await count(database, 'webhook_events')).toBe(0);
    });

    it('logs an outage without the bodies it could not store', async () => {
      // drizzle's error message lists the query's parameters: here the raw bodies of the whole batch.
      const marker = `SECRET-MARKER-${randomBytes(6).toString('hex')}`;
      const lines: string[] = [];
      const capture = pino(
        { level: 'trace' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            lines.push(chunk.toString('utf8'));
            done();
          },
        }),
      );
      const proxy =
        kind === 'postgres'
          ? await startTcpProxy({ host: new URL(test.url!).hostname, port: Number(new URL(test.url!).port || 5432) })
          : null;
      const viaProxy = new URL(test.url ?? 'postgres://unused');
      if (proxy) viaProxy.port = String(proxy.port);
      const down = proxy ? await openDatabase({ url: viaProxy.toString(), poolMax: 2 }) : await openDatabase({});
      try {
        const flaky = createPipeline(down, { timeoutMs: 10_000 });
        const post = (body: string) =>
          receiveDelivery(
            new Request('http://localhost/api/webhook', {
              method: 'POST',
              body,
              headers: { 'x-hub-signature-256': signBody(body, SECRET) },
            }),
            { config: flaky.config, rawEvents: flaky.rawEvents, log: capture },
          );
        if (proxy) {
          // A connection that worked, then is cut: the outage as it happens, not a server that never answered.
          expect((await post(messagesBody({ messages: [textMessage('wamid.BEFORE-OUTAGE', '4951', 'before')] }))).status).toBe(200);
          proxy.cut();
        } else {
          await down.close();
        }
        const secret = messagesBody({ messages: [textMessage('wamid.OUTAGE-MARKER', '4951', `card number ${marker}`)] });
        expect((await post(secret)).status).toBe(503);
        const logged = lines.join('');
        expect(logged).toContain('webhook not stored');
        expect(logged).not.toContain('no commit within');
        expect(logged).not.toContain(marker);
        // drizzle prints a bytea parameter as its bytes, comma-separated.
        expect(logged).not.toContain(Array.from(Buffer.from(marker)).join(','));
        expect(logged).not.toContain('params:');
      } finally {
        proxy?.restore();
        // postgres.js gives the cut connection its 5 s to end.
        if (proxy) await down.close().catch(() => {});
        proxy?.cut();
        await proxy?.close();
      }
    });

    it.runIf(kind === 'postgres')('answers 503 when the write times out, and the retry is not processed twice', async () => {
      const slow = createPipeline(database, { timeoutMs: 300 });
      const blocker = await openDatabase({ url: test.url! });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const lock = blocker.db.transaction(async (tx) => {
        await tx.execute(sql`lock table webhook_events in access exclusive mode`);
        await held;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect((await slow.post(readPayload('text.json'))).status).toBe(503);
      release();
      await lock;
      await blocker.close();
      // The write went through after all; Meta's retry is recognized.
      await new Promise((r) => setTimeout(r, 200));
      expect((await slow.post(readPayload('text.json'))).status).toBe(200);
      await slow.drain();
      expect(await count(database, 'webhook_events')).toBe(1);
      expect(await count(database, 'messages')).toBe(1);
    });

    it.runIf(kind === 'postgres')('batches in flight at once come out as one after the other would: edits, statuses, counts', async () => {
      // Batches of 4, three in flight: four originals in one batch and their edits in another (or the
      // other way round), a message's statuses in the batches around them, stored side by side.
      const sideBySide = createPipeline(database, { processor: { batchSize: 4 } });
      const posts: string[] = [];
      for (let group = 0; group < 6; group++) {
        const ks = [0, 1, 2, 3].map((i) => group * 4 + i);
        const originals = ks.map((k) =>
          messagesBody({ messages: [textMessage(`wamid.ORIG-${k}`, `49${k % 5}`, `draft ${k}`, 1767000000 + k)] }),
        );
        const edits = ks.map((k) =>
          messagesBody({
            messages: [
              {
                from: `49${k % 5}`,
                id: `wamid.EDIT-${k}`,
                timestamp: String(1767000100 + k),
                type: 'edit',
                edit: { original_message_id: `wamid.ORIG-${k}`, message: { type: 'text', text: { body: `final ${k}` } } },
              },
            ],
          }),
        );
        const ticks = (s: string, i: number) =>
          ks.map((k) => messagesBody({ statuses: [status(`wamid.OUT-${k}`, s, 1767000000 + k + i, `49${k % 5}`)] }));
        const [sent, delivered, read] = [ticks('sent', 0), ticks('delivered', 1), ticks('read', 2)];
        posts.push(...(group % 2 ? [...originals, ...edits] : [...edits, ...originals]), ...read, ...sent, ...delivered);
      }
      for (const body of posts) expect((await sideBySide.post(body)).status).toBe(200);
      expect(await sideBySide.drain()).toBe(posts.length);

      const texts = await queryRows<{ wamid: string; text: string }>(
        database.db,
        sql`select wamid, text from messages where wamid like 'wamid.ORIG-%' order by wamid`,
      );
      expect(texts).toHaveLength(24);
      for (const t of texts) expect(t.text).toBe(`final ${t.wamid.slice('wamid.ORIG-'.length)}`);
      expect(await count(database, 'messages', sql`where wamid like 'wamid.OUT-%' and status = 'read'`)).toBe(24);
      const [sum] = await queryRows<{ unread: string | number }>(database.db, sql`select sum(unread_count) as unread from conversations`);
      expect(Number(sum!.unread)).toBe(24);
      const [delivery] = await queryRows<{ n: string | number }>(database.db, sql`select sum(count) as n from delivery_stats_hourly`);
      expect(Number(delivery!.n)).toBe(72);
      expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(posts.length);
    });

    it.runIf(kind === 'postgres')('shares the work between two instances without doing anything twice', async () => {
      const other = await openDatabase({ url: test.url!, poolMax: 4 });
      const a = createPipeline(database, { processor: { batchSize: 20 } });
      const b = createPipeline(other, { processor: { batchSize: 20 } });
      const posts = [];
      for (let i = 0; i < 200; i++) {
        const body = messagesBody({
          messages: [textMessage(`wamid.MULTI-${i}`, `49${i % 17}`, `m${i}`, 1767000000 + i)],
          statuses: [status(`wamid.OUT-${i % 13}`, ['sent', 'delivered', 'read'][i % 3]!, 1767000000 + i, `49${i % 17}`)],
        });
        posts.push((i % 2 ? a : b).post(body));
      }
      expect((await Promise.all(posts)).every((r) => r.status === 200)).toBe(true);
      await Promise.all([a.drain(), b.drain()]);
      await other.close();
      expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(200);
      expect(await count(database, 'messages', sql`where wamid like 'wamid.MULTI-%'`)).toBe(200);
      const [sum] = await queryRows<{ total: string | number }>(database.db, sql`select sum(unread_count) as total from conversations`);
      expect(Number(sum!.total)).toBe(200);
      expect(await count(database, 'contacts')).toBe(17);
    });
  });

  it('notifies listeners of what changed, after commit', async () => {
    const notices: string[] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (p) => notices.push(p));
    await pipeline.post(readPayload('text.json'));
    await pipeline.drain();
    await new Promise((r) => setTimeout(r, 200));
    await unlisten();
    const [conv] = await queryRows<{ id: string | number }>(database.db, sql`select id from conversations`);
    const notice = decodeChange(notices[0]!);
    expect(notice).toEqual({
      conversations: [Number(conv!.id)],
      messages: ['wamid.SAMPLE-TEXT-0001'],
      topics: ['messages'],
      partial: false,
    });
  });

  it('says when a batch queued media downloads, so only then the downloaders look', async () => {
    const notices: string[] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (p) => notices.push(p));
    await pipeline.post(readPayload('image.json'));
    await pipeline.drain();
    await expect.poll(() => notices.length).toBeGreaterThan(0);
    await unlisten();
    expect(decodeChange(notices[0]!)?.topics).toEqual(['messages', 'downloads']);
    expect(await count(database, 'media_items')).toBe(1);
  });
});
