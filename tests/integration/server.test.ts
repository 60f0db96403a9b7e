import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_SECRETS } from '@/lib/env';
import { signBody } from '@/lib/whatsapp/signature';
import { createPostgresDatabase, dbKinds } from '../helpers/db';
import { sharedDir } from '../helpers/shared-dir';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';
import { ensureBuild, serverEnv, startServer, type RunningServer, stopAllServers } from '../../tools/server-harness';
import { startFakeGraph } from '../../tools/fake-graph';
import { startTcpProxy } from '../../tools/tcp-proxy';

// The production server as users run it: `next start`, signals, kill -9, two instances on one database.

const contractCheck = path.join(sharedDir(), 'tools/contract-check.mjs');

beforeAll(() => ensureBuild(), 300_000);
// A server that outlived a failed test must not take the next test down with it.
afterEach(() => stopAllServers(), 30_000);
// Whole restarts under load: a busy 2-core machine can take minutes where an idle one takes seconds.
vi.setConfig({ testTimeout: 240_000 });

const post = (server: RunningServer, body: string) =>
  fetch(`${server.url}/api/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, serverEnv.WHATSAPP_APP_SECRET) },
  }).then(
    (r) => r.status,
    () => 0,
  );

/** An open GET /api/events on `server` (as an integration with the API key), collecting what arrives. */
function liveText(server: RunningServer): { text(): string; close(): void } {
  const abort = new AbortController();
  let text = '';
  void fetch(`${server.url}/api/events`, { headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` }, signal: abort.signal })
    .then(async (res) => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
    })
    .catch(() => {});
  return { text: () => text, close: () => abort.abort() };
}

const getMessage = (server: RunningServer, wamid: string) =>
  fetch(`${server.url}/api/messages/${encodeURIComponent(wamid)}`, {
    headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` },
  }).then((r) => r.status);

/** POSTs a webhook that declares `declared` bytes but sends only `sent`; the status, or 0 if none came within 10 s. */
function statusOfPartialUpload(server: RunningServer, declared: number, sent: number, signature?: string): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': declared };
    if (signature) headers['x-hub-signature-256'] = signature;
    const req = http.request(`${server.url}/api/webhook`, { method: 'POST', headers });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(0);
    }, 10_000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => {});
    req.write(Buffer.alloc(sent, 'x'));
  });
}

/**
 * POSTs a signed body the server refuses before reading it all, and resolves to the status it answered. The
 * server answers and closes while the client is still sending: the close may reach the client as a reset
 * that discards the answer already on its way (TCP drops unread data on RST). That is a refusal too, but
 * not the one this asserts, so a reset before any answer is tried again (at most 5 times; 0 if always so).
 */
async function statusOfRefusedBody(server: RunningServer, body: string): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const status = await new Promise<number>((resolve) => {
      const bytes = Buffer.from(body);
      const req = http.request(`${server.url}/api/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': bytes.length,
          'x-hub-signature-256': signBody(bytes, serverEnv.WHATSAPP_APP_SECRET),
        },
      });
      req.on('response', (res) => {
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end(bytes);
    });
    if (status !== 0) return status;
  }
  return 0;
}

async function waitFor(check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.each(dbKinds)('the production server on %s', (kind) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let dbUrl = '';

  beforeAll(async () => {
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      dbUrl = pg.url;
      env = { DATABASE_URL: pg.url };
      cleanup = pg.drop;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-server-'));
      env = { DATA_DIR: dir };
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => cleanup?.());

  it.runIf(fs.existsSync(contractCheck))('passes the webhook and read-API contract check', async () => {
    const server = await startServer(env);
    try {
      const result = spawnSync(process.execPath, [contractCheck, server.url], {
        env: { ...process.env, ...serverEnv },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stdout).toContain('contract: 31 passed, 0 failed');
      expect(result.status).toBe(0);
      // A path Next cannot decode is the caller's mistake: 400, not Next's bare 500.
      for (const p of ['/api/messages/wamid.%E0%A4%A', '/api/conversations/%ZZ/messages', '/conversations/%E0%A4%A']) {
        const res = await fetch(`${server.url}${p}`, {
          headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` },
          redirect: 'manual',
        });
        expect(res.status, p).toBe(400);
      }
      // An upload past the 10 MB a proxy would buffer arrives whole (the proxy leaves /api/uploads alone).
      const big = new Uint8Array(12 * 1024 * 1024).fill(0x20);
      big.set(new TextEncoder().encode('%PDF-1.4\n'));
      const form = new FormData();
      form.append('file', new Blob([big], { type: 'application/pdf' }), 'big-contract.pdf');
      const upload = await fetch(`${server.url}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` },
        body: form,
      });
      expect(upload.status, await upload.clone().text()).toBe(201);
      expect(await upload.json()).toMatchObject({ kind: 'document', size: big.length, filename: 'big-contract.pdf' });
      // A large answer is gzipped for a client that takes gzip; one under 1 KB goes as it is (gzip would
      // cost more than it saves).
      const asGzipTaker = (p: string) =>
        fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}`, 'accept-encoding': 'gzip' } });
      const large = await asGzipTaker('/api/openapi.json');
      expect(large.headers.get('content-encoding')).toBe('gzip');
      expect(((await large.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      const small = await asGzipTaker('/api/messages/wamid.NOT-THERE');
      expect(small.status).toBe(404);
      expect(small.headers.get('content-encoding')).toBeNull();
      expect(((await small.json()) as { error: { code: string } }).error.code).toBe('not_found');
      // LOG_LEVEL reaches every route's logger (LOG_LEVEL=warn here: no line per accepted webhook).
      expect(server.output()).not.toContain('"msg":"webhook accepted"');
      expect(server.output()).toContain('"msg":"webhook rejected"');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('loses nothing acknowledged when killed mid-stream, and finishes the work on restart', async () => {
    let server = await startServer(env);
    const accepted: string[] = [];
    let killed = false;
    const total = 400;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const wamid = `wamid.KILL-${kind}-${i}`;
        const status = await post(server, messagesBody({ messages: [textMessage(wamid, `4930${i % 23}`, `kill ${i}`, 1767000000 + i)] }));
        if (status === 200) accepted.push(wamid);
        if (accepted.length >= 150 && !killed) {
          killed = true;
          server.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await server.exited;
    expect(accepted.length).toBeGreaterThanOrEqual(150);

    server = await startServer(env);
    try {
      const all = await waitFor(async () => (await getMessage(server, accepted.at(-1)!)) === 200);
      expect(all).toBe(true);
      const statuses = await Promise.all(accepted.map((w) => getMessage(server, w)));
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      if (kind === 'postgres') {
        const sql = postgres(dbUrl, { max: 1 });
        const [row] =
          await sql`select count(*)::int as n, count(distinct wamid)::int as d from messages where wamid like ${`wamid.KILL-${kind}-%`}`;
        await sql.end();
        expect(row!.n).toBe(row!.d);
        expect(row!.n).toBeGreaterThanOrEqual(accepted.length);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it.runIf(kind === 'pglite')('takes a body of nearly 4 MiB and refuses a larger one with 413', async () => {
    const server = await startServer(env);
    try {
      const statuses = (n: number, tag: string) =>
        Array.from({ length: n }, (_, i) => ({
          id: `wamid.BIG-${tag}-${i}`,
          status: 'sent',
          timestamp: '1767000000',
          recipient_id: '4960',
          padding: 'x'.repeat(300),
        }));
      const nearly = messagesBody({ statuses: statuses(9_800, 'A') });
      const over = messagesBody({ statuses: statuses(13_000, 'B') });
      expect(nearly.length).toBeGreaterThan(3_900_000);
      expect(nearly.length).toBeLessThan(4 * 1024 * 1024);
      expect(over.length).toBeGreaterThan(4 * 1024 * 1024);
      expect(await post(server, nearly)).toBe(200);
      expect(await statusOfRefusedBody(server, over)).toBe(413);
      expect(await waitFor(async () => (await getMessage(server, 'wamid.BIG-A-9799')) === 200)).toBe(true);
      expect(await getMessage(server, 'wamid.BIG-B-0')).toBe(404);
      // Unsigned (or signed in a shape that cannot verify): refused before the body is read. The client
      // announces 3.5 MB and sends 64 KB: the 401 must come without waiting for the rest.
      for (const signature of [undefined, 'sha256=not-hex', 'sha1=abc']) {
        expect(await statusOfPartialUpload(server, 3_500_000, 64 * 1024, signature)).toBe(401);
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it.runIf(kind === 'pglite')('stops at start-up with a message naming a missing or malformed variable', async () => {
    const server = await startServer({ ...env, WHATSAPP_APP_SECRET: ' , ', INBOX_API_KEY: 'short' }, { waitReady: false });
    await fetch(`${server.url}/api/webhook`).catch(() => {});
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/WHATSAPP_APP_SECRET: at least one secret is required/);
    expect(server.output()).toMatch(/INBOX_API_KEY: must be at least 16 characters/);
  });

  it.runIf(kind === 'pglite')('refuses to start in production with a published example secret, naming it', async () => {
    const server = await startServer({ ...env, INBOX_API_KEY: EXAMPLE_SECRETS.INBOX_API_KEY }, { waitReady: false });
    await fetch(`${server.url}/api/webhook`).catch(() => {});
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/INBOX_API_KEY: is the published example value/);
  });

  // A developer's own .env files (`npm run dev` writes .env, with ADMIN_EMAIL) must not reach the
  // servers tests start: here one names another first admin, and a sign-in limit of one a minute.
  const devEnvFile = path.join(process.cwd(), '.env.production.local');
  it.runIf(kind === 'pglite' && !fs.existsSync(devEnvFile))("is not steered by the developer's .env files", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-server-'));
    fs.writeFileSync(
      devEnvFile,
      'ADMIN_EMAIL=someone-else@ticks.test\nADMIN_PASSWORD=someone-elses-password\nSIGN_IN_ATTEMPTS_PER_MINUTE=1\n',
    );
    const admin = { email: 'own-admin@ticks.test', password: 'own-admin-password-1' };
    let server: RunningServer | undefined;
    try {
      server = await startServer({ DATA_DIR: dir, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password });
      const signIn = (body: object) =>
        fetch(`${server!.url}/api/auth/sign-in/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: server!.url },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      expect(await signIn({ email: 'someone-else@ticks.test', password: 'someone-elses-password' })).toBe(401);
      expect(await signIn(admin)).toBe(200);
    } finally {
      fs.rmSync(devEnvFile, { force: true });
      if (server) expect(await server.stop()).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(kind === 'pglite')('sets security headers on every response, and HSTS only when APP_URL is https', async () => {
    const paths = ['/login', '/', '/api/health', '/api/conversations', '/api/webhook'];
    const headersOf = async (server: RunningServer) =>
      Promise.all(paths.map(async (p) => [p, (await fetch(`${server.url}${p}`, { redirect: 'manual' })).headers] as const));
    const plain = await startServer(env);
    try {
      for (const [p, headers] of await headersOf(plain)) {
        expect(headers.get('x-content-type-options'), p).toBe('nosniff');
        expect(headers.get('cross-origin-opener-policy'), p).toBe('same-origin');
        expect(headers.get('permissions-policy'), p).toMatch(/camera=\(\)/);
        expect(headers.get('strict-transport-security'), p).toBeNull();
      }
    } finally {
      expect(await plain.stop()).toBe(0);
    }
    const https = await startServer({ ...env, APP_URL: 'https://inbox.ticks.test' });
    try {
      for (const [p, headers] of await headersOf(https)) {
        if (p === '/api/webhook') continue; // Meta is no browser; the webhook skips the proxy
        expect(headers.get('strict-transport-security'), p).toMatch(/max-age=\d{7,}/);
      }
    } finally {
      expect(await https.stop()).toBe(0);
    }
  });

  it.runIf(kind === 'pglite')('refuses to open an embedded database another server holds', async () => {
    const first = await startServer(env);
    try {
      const second = await startServer(env, { waitReady: false });
      // It must not serve: the first request starts the app, which fails and exits.
      await fetch(`${second.url}/api/webhook`).catch(() => {});
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/in use by process/);
      expect(await post(first, messagesBody({ messages: [textMessage('wamid.STILL-FINE', '1', 'ok')] }))).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it.runIf(kind === 'postgres')('runs two instances on one database: both migrate and share the work', async () => {
    const fresh = await createPostgresDatabase();
    const [a, b] = await Promise.all([startServer({ DATABASE_URL: fresh.url }), startServer({ DATABASE_URL: fresh.url })]);
    // A browser on each instance: both must hear of every change, whichever instance processed it.
    const streams = [a, b].map((server) => liveText(server));
    try {
      for (const stream of streams) expect(await waitFor(async () => stream.text().includes('event: ready'))).toBe(true);
      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          post(i % 2 ? a : b, messagesBody({ messages: [textMessage(`wamid.TWO-${i}`, `4940${i % 7}`, `two ${i}`, 1767000000 + i)] })),
        ),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      const sql = postgres(fresh.url, { max: 1 });
      const done = await waitFor(
        async () => (await sql`select count(*)::int as n from webhook_events where state <> 'processed'`)[0]!.n === 0,
      );
      const [row] = await sql`select count(*)::int as n, (select sum(unread_count)::int from conversations) as unread from messages`;
      await sql.end();
      expect(done).toBe(true);
      expect(row).toEqual({ n: 200, unread: 200 });
      for (const stream of streams) {
        expect(
          await waitFor(async () => Array.from({ length: 200 }, (_, i) => `wamid.TWO-${i}`).every((w) => stream.text().includes(`"${w}"`))),
        ).toBe(true);
      }
    } finally {
      for (const stream of streams) stream.close();
      await Promise.all([a.stop(), b.stop()]);
      await fresh.drop();
    }
  });

  it('answers an error of the app’s long-lived parts with its own status in a route (Next bundles each layer apart)', async () => {
    // The typing route calls the app's CustomerSignals, made by the instrumentation's copy of its module;
    // its "no such conversation" was a 500 in `next start` and a 404 in every in-process test
    // (lib/bundle-identity.ts).
    const graph = await startFakeGraph({ token: 'server-test-typing-token', version: 'v23.0' });
    const server = await startServer({ ...env, WHATSAPP_ACCESS_TOKEN: 'server-test-typing-token', WHATSAPP_GRAPH_URL: graph.url });
    try {
      const res = await fetch(`${server.url}/api/conversations/987654321/typing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` },
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      expect(await server.stop()).toBe(0);
      await graph.close();
    }
  });

  it('never resends a message whose request was in flight when the server was killed; a status with our id settles it', async () => {
    const token = 'server-test-send-token';
    const graph = await startFakeGraph({ token, version: 'v23.0' });
    const sendEnv = { ...env, WHATSAPP_ACCESS_TOKEN: token, WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_GRAPH_VERSION: 'v23.0' };
    const api = (server: RunningServer, url: string, body?: unknown) =>
      fetch(`${server.url}${url}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const customer = `4917${Date.now() % 10_000_000}`;
    const sendsOf = (id: string) =>
      graph.requests.filter(
        (r) =>
          r.method === 'POST' &&
          r.path.endsWith('/messages') &&
          (r.json as { biz_opaque_callback_data?: string } | undefined)?.biz_opaque_callback_data === `ticks:${id}`,
      );
    // Meta reads the first send and never answers: its outcome is unknown when the server dies.
    graph.script({ method: 'POST', json: { to: `+${customer}`, text: { body: 'Before the crash' } } }, { kind: 'hang' });
    let server = await startServer(sendEnv);
    try {
      const inbound = `wamid.SEND-KILL-${kind}-${customer}`;
      const now = Math.floor(Date.now() / 1000);
      expect(await post(server, messagesBody({ messages: [textMessage(inbound, customer, 'Hello?', now)] }))).toBe(200);
      let conversationId = 0;
      expect(
        await waitFor(async () => {
          const res = await api(server, `/api/messages/${encodeURIComponent(inbound)}`);
          if (res.ok) conversationId = ((await res.json()) as { conversationId: number }).conversationId;
          return res.ok;
        }),
      ).toBe(true);
      const write = async (text: string) => {
        const res = await api(server, `/api/conversations/${conversationId}/messages`, {
          clientId: crypto.randomUUID(),
          type: 'text',
          text,
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      };

      const first = await write('Before the crash');
      expect(await waitFor(async () => sendsOf(first).length === 1)).toBe(true);
      server.process.kill('SIGKILL');
      await server.exited;

      server = await startServer(sendEnv);
      const second = await write('After the restart');
      // The first one's fate is unknown, so it is not sent again, and the conversation's next waits behind it.
      await new Promise((r) => setTimeout(r, 3000));
      expect(sendsOf(first)).toHaveLength(1);
      expect(sendsOf(second)).toHaveLength(0);

      // Meta had it after all: its status names it by our id.
      const wamid = `wamid.SEND-KILL-OUT-${kind}-${customer}`;
      const delivered = status(wamid, 'delivered', now + 5, customer, { biz_opaque_callback_data: `ticks:${first}` });
      expect(await post(server, messagesBody({ statuses: [delivered] }))).toBe(200);
      const message = async (id: string) => (await (await api(server, `/api/messages/${id}`)).json()) as { status: string; wamid: string };
      expect(await waitFor(async () => (await message(first)).status === 'delivered')).toBe(true);
      expect((await message(first)).wamid).toBe(wamid);
      // Settled: the next message goes, and the first was asked of Meta once in all.
      expect(await waitFor(async () => (await message(second)).status === 'sent')).toBe(true);
      expect(sendsOf(first)).toHaveLength(1);
      expect(sendsOf(second)).toHaveLength(1);
      // Counted where /api/metrics is served, wherever the sender runs (its own thread on PostgreSQL).
      const metrics = await (await api(server, '/api/metrics')).text();
      expect(metrics).toContain('ticks_outbox_sends_total{result="sent",reason=""} 1\n');
    } finally {
      expect(await server.stop()).toBe(0);
      await graph.close();
    }
  });

  it('downloads media after a restart that killed the server mid-download', async () => {
    const graph = await startFakeGraph({ token: 'server-test-graph-token', version: 'v23.0' });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const mediaEnv = { ...env, WHATSAPP_ACCESS_TOKEN: 'server-test-graph-token', WHATSAPP_GRAPH_URL: graph.url, MEDIA_TIMEOUT_MS: '1500' };
    const wamid = `wamid.MEDIA-RESTART-${kind}`;
    // The file's server stalls: the download is in flight when the app is killed.
    graph.add({ id: `m-restart-${kind}`, body: png, mimeType: 'image/png', behaviour: 'hang' });
    let server = await startServer(mediaEnv);
    try {
      const body = messagesBody({
        messages: [
          { from: '4952', id: wamid, timestamp: '1767000000', type: 'image', image: { id: `m-restart-${kind}`, mime_type: 'image/png' } },
        ],
      });
      expect(await post(server, body)).toBe(200);
      expect(await waitFor(async () => graph.requests.some((r) => r.path.startsWith(`/files/m-restart-${kind}`)))).toBe(true);
      server.process.kill('SIGKILL');
      await server.exited;
      // Meanwhile the file became available; the new process finds the job in the database.
      graph.add({ id: `m-restart-${kind}`, body: png, mimeType: 'image/png' });
      server = await startServer(mediaEnv);
      const media = () =>
        fetch(`${server.url}/api/media/${encodeURIComponent(wamid)}`, { headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` } });
      expect(await waitFor(async () => (await media()).status === 200, 30_000)).toBe(true);
      const res = await media();
      expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
      expect(res.headers.get('content-type')).toBe('image/png');
    } finally {
      expect(await server.stop()).toBe(0);
      await graph.close();
    }
  });

  it('counts webhooks and processed events in /api/metrics (the processor thread included), one log line per request', async () => {
    // A database of its own: events left by the other tests here would be processed too, and counted.
    const fresh = kind === 'postgres' ? await createPostgresDatabase() : null;
    const dir = kind === 'pglite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-metrics-')) : null;
    const server = await startServer({ ...(fresh ? { DATABASE_URL: fresh.url } : { DATA_DIR: dir! }), LOG_LEVEL: 'info' });
    try {
      const body = (i: number) => messagesBody({ messages: [textMessage(`wamid.METRICS-${i}`, '4951', `metrics ${i}`, 1767000000 + i)] });
      expect(await post(server, body(1))).toBe(200);
      expect(await post(server, body(2))).toBe(200);
      expect(await post(server, body(2))).toBe(200);
      const forged = await fetch(`${server.url}/api/webhook`, {
        method: 'POST',
        body: body(3),
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body(3), 'not-the-app-secret') },
      });
      expect(forged.status).toBe(401);
      expect(await waitFor(async () => (await getMessage(server, 'wamid.METRICS-2')) === 200)).toBe(true);
      const scrape = () =>
        fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` } }).then((r) => r.text());
      const value = (text: string, series: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${series} `))
            ?.split(' ')[1],
        );
      let text = '';
      const processed = async () => {
        text = await scrape();
        return value(text, 'ticks_events_processed_total') === 2;
      };
      expect(await waitFor(processed)).toBe(true);
      expect(value(text, 'ticks_webhook_requests_total{outcome="accepted",reason=""}')).toBe(2);
      expect(value(text, 'ticks_webhook_requests_total{outcome="duplicate",reason=""}')).toBe(1);
      expect(value(text, 'ticks_webhook_requests_total{outcome="rejected",reason="signature_mismatch"}')).toBe(1);
      expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"msg":"webhook '))
        .map((l) => JSON.parse(l) as { outcome: string; ms: number });
      expect(lines.map((l) => l.outcome).sort()).toEqual(['accepted', 'accepted', 'duplicate', 'rejected']);
      expect(server.output()).not.toContain('metrics 1');
    } finally {
      expect(await server.stop()).toBe(0);
      await fresh?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(kind === 'postgres')(
    'answers a webhook the same through the lane (npm start) and through Next’s route (next start)',
    async () => {
      // Two instances on one database, as behind a load balancer: one of each.
      const lane = await startServer(env);
      const route = await startServer(env, { via: 'next start' });
      try {
        const body = messagesBody({ messages: [textMessage(`wamid.BOTH-WAYS-${Date.now()}`, '4952', 'both ways', 1767000000)] });
        const send = (server: RunningServer, bytes: string, signature = signBody(bytes, serverEnv.WHATSAPP_APP_SECRET)) =>
          fetch(`${server.url}/api/webhook`, {
            method: 'POST',
            body: bytes,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          });
        const answers = async (server: RunningServer) => {
          const seen = [];
          for (const res of [
            await send(server, body),
            await send(server, body),
            await send(server, body, signBody(body, 'not-the-app-secret')),
            await send(server, '{"object":'),
            await send(server, '{"object":"whatsapp_business_account"}'),
          ]) {
            const headers = ['x-content-type-options', 'cross-origin-opener-policy', 'referrer-policy', 'permissions-policy'].map((h) =>
              res.headers.get(h),
            );
            seen.push({ status: res.status, headers, body: await res.text() });
          }
          return seen;
        };
        const viaLane = await answers(lane);
        // The same body again through the other instance: recognised as stored.
        const viaRoute = await answers(route);
        expect(viaLane.map((a) => a.status)).toEqual([200, 200, 401, 400, 400]);
        expect(viaRoute).toEqual(viaLane);
        expect(viaLane[0]!.headers.every((h) => h !== null)).toBe(true);
        // The lane answered (an empty answer of known length; Next's route streams its empty body).
        expect((await send(lane, body)).headers.get('content-length')).toBe('0');
        const metrics = await fetch(`${lane.url}/api/metrics`, { headers: { authorization: `Bearer ${serverEnv.INBOX_API_KEY}` } }).then(
          (r) => r.text(),
        );
        expect(metrics).toMatch(/^ticks_webhook_requests_total\{outcome="accepted",reason=""\} 1$/m);
        expect(metrics).toMatch(/^ticks_webhook_requests_total\{outcome="rejected",reason="not_json"\} 1$/m);
      } finally {
        expect(await lane.stop()).toBe(0);
        expect(await route.stop()).toBe(0);
      }
    },
  );

  it.runIf(kind === 'postgres')('answers 503 while the database is down, and catches up when it is back', async () => {
    // A database of its own: the first admin is created only where nobody has an account yet.
    const own = await createPostgresDatabase();
    const target = new URL(own.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(own.url);
    viaProxy.port = String(proxy.port);
    const admin = { email: 'outage@ticks.test', password: 'outage-password-1' };
    const server = await startServer({
      DATABASE_URL: viaProxy.toString(),
      WEBHOOK_DB_TIMEOUT_MS: '1500',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    });
    const body = (i: number) => messagesBody({ messages: [textMessage(`wamid.OUTAGE-${i}`, '4950', `outage ${i}`, 1767000000 + i)] });
    try {
      expect(await post(server, body(1))).toBe(200);
      const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify(admin),
      });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const asBrowser = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      const health = () => fetch(`${server.url}/api/health`).then((r) => r.status);
      expect(await health()).toBe(200);
      proxy.cut();
      // A load balancer's health check sees the outage within seconds.
      const checking = Date.now();
      expect(await health()).toBe(503);
      expect(Date.now() - checking).toBeLessThan(5000);
      // A signed-in browser during the outage: "try again" (503), not "you are signed out" (401).
      expect((await asBrowser('/api/conversations')).status).toBe(503);
      // Pages fail to render (the browser then shows app/error.tsx's "try again"), but nothing crashes.
      expect((await asBrowser('/')).status).toBeGreaterThanOrEqual(500);
      const started = Date.now();
      expect(await post(server, body(2))).toBe(503);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(await getMessage(server, 'wamid.OUTAGE-1')).toBe(503);
      proxy.restore();
      // Meta retries the 503: once the database is back the retry lands, and the server never died.
      expect(await waitFor(async () => (await post(server, body(2))) === 200)).toBe(true);
      expect(await waitFor(async () => (await getMessage(server, 'wamid.OUTAGE-2')) === 200)).toBe(true);
      expect(await getMessage(server, 'wamid.OUTAGE-1')).toBe(200);
      expect(await waitFor(async () => (await health()) === 200)).toBe(true);
      // The session outlived the outage.
      expect((await asBrowser('/api/conversations')).status).toBe(200);
      expect(server.process.exitCode).toBeNull();
    } finally {
      proxy.restore();
      expect(await server.stop()).toBe(0);
      await proxy.close();
      await own.drop();
    }
  });
});
