import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { SECURITY_HEADERS } from '@/lib/http/security-headers';
import { openWebhookLane, webhookLaneFor } from '@/lib/http/webhook-lane';
import { RawEventLog } from '@/lib/whatsapp/ingest';
import { signBody } from '@/lib/whatsapp/signature';
import { receiveNodeDelivery, type DeliveryOutcome, type WebhookDeps } from '@/lib/whatsapp/webhook';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { count, SECRET, silentLog } from '../helpers/pipeline';

// The webhook lane (`npm start`): Meta's POSTs answered from Node's own request, in front of Next. The
// route's behaviours (tests/integration/webhook-pipeline.test.ts) hold here too, over a real socket:
// hostile and broken bodies included.

const LIMIT = 64 * 1024;

/** A server as lib/http/production-server.ts is one: the lane when it takes the request, else a stand-in for Next. */
async function startLaneServer(deps: WebhookDeps): Promise<{ url: string; port: number; close(): Promise<void> }> {
  openWebhookLane((req, res) => receiveNodeDelivery(req, res, deps));
  const server = http.createServer((req, res) => {
    const lane = webhookLaneFor(req);
    if (lane) void lane(req, res);
    else res.writeHead(299, { 'x-served-by': 'next' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const body = (wamid: string, text = 'hello') => messagesBody({ messages: [textMessage(wamid, '4915', text, 1767000000)] });

/** Writes raw HTTP/1.1 on a socket and reads what comes back until the server closes it (or `ms` pass). */
function rawExchange(port: number, parts: (string | Buffer)[], options: { endAfter?: boolean; ms?: number } = {}) {
  return new Promise<{ text: string; closedByServer: boolean }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closedByServer = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer });
    }, options.ms ?? 3000);
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => (closedByServer = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer });
    });
    socket.on('error', () => {});
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
      if (options.endAfter) socket.end();
    });
  });
}

describe.each(dbKinds)('webhook lane on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let outcomes: DeliveryOutcome[];
  let accepted: number;
  let server: Awaited<ReturnType<typeof startLaneServer>>;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
  });
  afterAll(async () => {
    await test.drop();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    outcomes = [];
    accepted = 0;
    server = await startLaneServer({
      config: { appSecrets: [SECRET], verifyToken: 'verify-me', maxBodyBytes: LIMIT },
      rawEvents: new RawEventLog(database.db, { timeoutMs: 5000 }),
      log: silentLog,
      onAccepted: () => accepted++,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const post = (bytes: string, headers: Record<string, string> = { 'x-hub-signature-256': signBody(bytes, SECRET) }) =>
    fetch(`${server.url}/api/webhook`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json', ...headers } });

  it('commits a signed body before its 200, once however often Meta sends it, with the security headers', async () => {
    const first = await post(body('wamid.LANE-1'));
    expect(first.status).toBe(200);
    expect(await count(database, 'webhook_events')).toBe(1);
    for (const { key, value } of SECURITY_HEADERS) expect(first.headers.get(key)).toBe(value);
    expect(await first.text()).toBe('');
    expect((await post(body('wamid.LANE-1'))).status).toBe(200);
    expect(await count(database, 'webhook_events')).toBe(1);
    expect(outcomes.map((o) => o.outcome)).toEqual(['accepted', 'duplicate']);
    expect(accepted).toBe(1);
  });

  it('verifies the exact bytes: 401 for a signature over anything else, and stores nothing', async () => {
    // Meta's bodies are not in JSON.stringify's form (it escapes non-ASCII, for one).
    const raw = body('wamid.LANE-2', 'olá').replace('á', '\\u00e1');
    const reserialized = JSON.stringify(JSON.parse(raw));
    expect(reserialized).not.toBe(raw);
    expect((await post(raw, { 'x-hub-signature-256': signBody(reserialized, SECRET) })).status).toBe(401);
    expect((await post(raw, { 'x-hub-signature-256': signBody(raw, 'someone-elses-secret') })).status).toBe(401);
    expect((await post(raw, {})).status).toBe(401);
    expect(await count(database, 'webhook_events')).toBe(0);
    expect(outcomes).toEqual([
      { outcome: 'rejected', status: 401, reason: 'signature_mismatch' },
      { outcome: 'rejected', status: 401, reason: 'signature_mismatch' },
      { outcome: 'rejected', status: 401, reason: 'signature_missing' },
    ]);
  });

  it.each([
    ['not JSON', '{"object":', 'not_json'],
    ['empty', '', 'not_json'],
    ['not an envelope', '[1,2]', 'not_envelope'],
  ])('answers 400 to a signed body that is %s', async (_label, bytes, reason) => {
    expect((await post(bytes)).status).toBe(400);
    expect(outcomes).toEqual([{ outcome: 'rejected', status: 400, reason }]);
    expect(await count(database, 'webhook_events')).toBe(0);
  });

  it('refuses a body over the limit, declared or streamed, without reading it to its end', async () => {
    const big = body('wamid.LANE-BIG', 'x'.repeat(LIMIT));
    const declared = await post(big);
    expect(declared.status).toBe(413);
    // Chunked, with no length to go by: refused at the chunk that crosses the limit, the connection
    // closed rather than read on (the client here would send 10 MB).
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const streamed = await rawExchange(server.port, [
      `POST /api/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`,
      ...Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])),
    ]);
    expect(streamed.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(streamed.text.toLowerCase()).toContain('connection: close');
    expect(streamed.closedByServer).toBe(true);
    expect(outcomes.map((o) => (o.outcome === 'rejected' ? o.reason : o.outcome))).toEqual(['too_large', 'too_large']);
    expect(await count(database, 'webhook_events')).toBe(0);
  });

  it('stores nothing from a body broken off half-way, and goes on serving', async () => {
    const bytes = body('wamid.LANE-HALF');
    const half = await rawExchange(
      server.port,
      [
        `POST /api/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(bytes)}\r\nX-Hub-Signature-256: ${signBody(bytes, SECRET)}\r\n\r\n`,
        bytes.slice(0, 40),
      ],
      { endAfter: true },
    );
    expect(half.text).not.toMatch(/^HTTP\/1\.1 200/);
    await expect.poll(() => outcomes.length).toBe(1);
    expect(outcomes).toEqual([{ outcome: 'rejected', status: 400, reason: 'unreadable' }]);
    expect((await post(bytes)).status).toBe(200);
    expect(await count(database, 'webhook_events')).toBe(1);
  });

  it('answers 503 when the body cannot be committed, so Meta retries', async () => {
    await server.close();
    const other = await createTestDatabase(kind);
    await other.drop();
    server = await startLaneServer({
      config: { appSecrets: [SECRET], verifyToken: 'verify-me', maxBodyBytes: LIMIT },
      rawEvents: new RawEventLog(other.database.db, { timeoutMs: 2000 }),
      log: silentLog,
      onOutcome: (o) => outcomes.push(o),
    });
    const res = await post(body('wamid.LANE-DOWN'));
    expect(res.status).toBe(503);
    for (const { key, value } of SECURITY_HEADERS) expect(res.headers.get(key)).toBe(value);
    expect(outcomes).toEqual([{ outcome: 'unavailable', status: 503 }]);
  });

  it('takes only POST /api/webhook (with or without a query); the rest goes to Next', async () => {
    const bytes = body('wamid.LANE-ROUTE');
    const signed = { 'x-hub-signature-256': signBody(bytes, SECRET) };
    expect((await fetch(`${server.url}/api/webhook?from=meta`, { method: 'POST', body: bytes, headers: signed })).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1'],
      ['POST', '/api/webhooks'],
      ['POST', '/api/webhook/'],
      ['PUT', '/api/webhook'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, ...(method === 'GET' ? {} : { body: bytes, headers: signed }) });
      expect(res.headers.get('x-served-by'), `${method} ${path}`).toBe('next');
    }
    expect(await count(database, 'webhook_events')).toBe(1);
  });
});
