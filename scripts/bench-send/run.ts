// One run of the send benchmark: a scratch database, the fake Graph API in its own process, `next start`
// sending to it; conversations opened by signed webhooks; a warm-up on numbers of their own; then the
// measured posts, and what Meta received read back from the fake.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import postgres, { type Sql } from 'postgres';
import { connectFakeGraph } from '../../tools/fake-graph';
import { messagesPayload, postWebhook, textMessage, type BusinessNumber } from '../../tools/meta-envelopes';
import { type RunningServer, serverEnv, startServer } from '../../tools/server-harness';
import { onCleanup } from '../bench-ingest/cleanup';
import { BenchError, databaseUrl, sleep } from '../bench-ingest/util';
import { analyseSend, type Posted, type Received, type SendFigures } from './analyse';
import { type CpuSample, type CpuUse, cpuSample, cpuUse } from './cpu';
import { ceilingOf, type Options } from './options';

const TOKEN = `bench-send-token-${randomBytes(6).toString('hex')}`;
const API_KEY = serverEnv.INBOX_API_KEY;
const WARM_UP_CONVERSATIONS_PER_NUMBER = 5;

export interface RunFigures extends SendFigures {
  /** Messages whose stored wamid is not the one Meta answered with, or that are not `sent`. */
  storedMismatch: number;
  /** Per second: queued messages and the cores busy (sampled by this process). */
  samples: { second: number; queued: number; cpu: CpuUse | null }[];
  /** Cores busy from the first call until Meta had every message. */
  cpu: CpuUse | null;
  serverWarnings: number;
  serverTail: string;
}

interface Conversation {
  index: number;
  id: number;
  number: BusinessNumber;
  waId: string;
}

const measuredNumber = (b: number): BusinessNumber => ({
  phoneNumberId: `10900000000${String(b + 1).padStart(4, '0')}`,
  displayPhoneNumber: `1555010${String(b).padStart(4, '0')}`,
});
const warmUpNumber = (b: number): BusinessNumber => ({
  phoneNumberId: `10910000000${String(b + 1).padStart(4, '0')}`,
  displayPhoneNumber: `1555020${String(b).padStart(4, '0')}`,
});

export async function oneRun(options: Options, run: number, admin: Sql): Promise<RunFigures> {
  const dbName = `ticks_bench_send_${process.pid}_${run}`;
  const dbUrl = databaseUrl(options.adminUrl, dbName);
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.unsafe(`create database "${dbName}"`);
  const dropDb = onCleanup(`drop ${dbName}`, async () => void (await admin.unsafe(`drop database if exists "${dbName}" with (force)`)));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-bench-send-'));
  const removeDir = onCleanup('remove the data directory', async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  try {
    const fake = await startFakeGraphProcess(options.delayMs);
    const stopFake = onCleanup('stop the fake Graph API', fake.stop);
    try {
      const env = {
        DATABASE_URL: dbUrl,
        DATA_DIR: dataDir,
        WHATSAPP_ACCESS_TOKEN: TOKEN,
        WHATSAPP_GRAPH_URL: fake.url,
        WHATSAPP_GRAPH_VERSION: 'v23.0',
        WHATSAPP_SEND_MPS: String(options.mps),
      };
      let server: RunningServer | null = await startServer(env);
      const stopServer = async () => {
        const stopping = server;
        server = null;
        if (!stopping) return;
        const gone = await Promise.race([stopping.stop('SIGTERM'), sleep(15_000).then(() => 'timeout' as const)]);
        if (gone === 'timeout') await stopping.stop('SIGKILL');
      };
      const unregisterServer = onCleanup('stop the server', stopServer);
      const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
      const closeSql = onCleanup('close the bench connection', () => sql.end({ timeout: 2 }));
      const underTest = (s: RunningServer): ServerUnderTest => ({ url: s.url, pid: s.process.pid ?? -1, output: s.output });
      try {
        return await measure(options, underTest(server), fake, sql, {
          stop: stopServer,
          // Not waiting for the handshake: the outbox starts sending while the server starts.
          start: async () => {
            server = await startServer(env, { waitReady: false });
            return underTest(server);
          },
        });
      } finally {
        await closeSql();
        await unregisterServer();
      }
    } finally {
      await stopFake();
    }
  } finally {
    await removeDir();
    await dropDb();
  }
}

interface ServerUnderTest {
  url: string;
  pid: number;
  output: () => string;
}

async function measure(
  options: Options,
  first: ServerUnderTest,
  fake: FakeProcess,
  sql: Sql,
  control: { stop(): Promise<void>; start(): Promise<ServerUnderTest> },
): Promise<RunFigures> {
  let server = first;
  const { url } = first;
  const tag = randomBytes(3).toString('hex');
  process.stdout.write('  opening the conversations (signed webhooks)… ');
  const measured = Array.from({ length: options.conversations }, (_, c) => ({
    number: measuredNumber(c % options.numbers),
    waId: `49151${String(c).padStart(8, '0')}`,
  }));
  const warmUp = Array.from({ length: options.numbers * WARM_UP_CONVERSATIONS_PER_NUMBER }, (_, c) => ({
    number: warmUpNumber(c % options.numbers),
    waId: `49152${String(c).padStart(8, '0')}`,
  }));
  const conversations = await openConversations(url, sql, [...measured, ...warmUp], tag);
  console.log(`${conversations.length} open.`);
  const measuredConversations = conversations.slice(0, measured.length);
  const warmUpConversations = conversations.slice(measured.length);

  // A fresh server answers its first posts at half its pace while V8 compiles the hot paths: with 400
  // messages of warm-up the posts ramped from 173 to 300 a second over the first 11 s, and that ramp,
  // not the sender, cost the run 5% of the ceiling. 3000 (about 10 s) leave it at its steady pace.
  process.stdout.write(`  warming up (${options.warmUp} messages on numbers of their own)… `);
  await postMessages(url, warmUpConversations, options.warmUp, { rate: 0, concurrency: options.concurrency }, `warm-up ${tag}`);
  await waitSent(sql, 60_000);
  const graph = connectFakeGraph(fake.url);
  await graph.clearRequests();
  console.log('done.');

  let queued: QueuedMessage[] = [];
  if (options.queued) {
    process.stdout.write(`  stopping the server, queueing ${options.messages} messages by SQL… `);
    await control.stop();
    queued = await queueBySql(sql, measuredConversations, options.messages, tag);
    console.log('queued; starting the server again (its outbox sends them)… ');
  } else {
    const pace =
      options.rate === 0
        ? `as fast as ${options.concurrency} in flight allow`
        : `${options.rate}/s, at most ${options.concurrency} in flight`;
    process.stdout.write(`  posting ${options.messages} messages (${pace})… `);
  }
  const roots = { server: server.pid, fake: fake.pid };
  const samples: { second: number; queued: number; cpu: CpuUse | null }[] = [];
  const started = performance.now();
  let previous: CpuSample | null = cpuSample(roots);
  const firstSample = previous;
  let sampling = true;
  const sampler = (async () => {
    for (let second = 1; sampling; second++) {
      await sleep(Math.max(0, started + second * 1000 - performance.now()));
      const [row] = await sql<{ queued: number }[]>`select count(*)::int as queued from messages where outbox_state = 'queued'`;
      const now = cpuSample(roots);
      samples.push({ second: second - 1, queued: row?.queued ?? 0, cpu: cpuUse(previous, now) });
      previous = now;
    }
  })();
  let posted: Posted[];
  try {
    if (options.queued) {
      const startedAt = Date.now();
      server = await control.start();
      roots.server = server.pid;
      posted = queued.map((q) => ({ ...q, calledAt: startedAt, answeredAt: startedAt, status: 202 }));
    } else {
      posted = await postMessages(url, measuredConversations, options.messages, options, `bench ${tag}`);
      console.log('answered; waiting for the outbox… ');
    }
    await waitSent(sql, Math.max(60_000, ((options.messages / ceilingOf(options)) * 3 + 30) * 1000));
  } finally {
    sampling = false;
    await sampler.catch(() => {});
  }
  const cpu = cpuUse(firstSample, cpuSample(roots));

  const [requests, accepted] = await Promise.all([graph.requests(), graph.accepted()]);
  const received: Received[] = requests
    .filter((r) => r.method === 'POST' && /^\/[^/]+\/[^/]+\/messages$/.test(r.pathname))
    .map((r) => {
      const body = r.json as { biz_opaque_callback_data?: unknown } | undefined;
      return {
        phoneNumberId: decodeURIComponent(r.pathname.split('/')[2]!),
        callbackData: typeof body?.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : null,
        receivedAt: r.receivedAt,
      };
    });
  const analysed = analyseSend(posted, received, options.mps);
  // Queued by SQL: there were no API calls to time.
  const none = Number.NaN;
  const figures = options.queued
    ? { ...analysed, latencyP50: none, latencyP99: none, latencyMax: none, postP50: none, postP99: none, postedPerSec: none }
    : analysed;

  // What Meta answered is what was stored: each message `sent`, with the wamid Meta gave it.
  const wamidOf = new Map(accepted.map((a) => [String(a.body.biz_opaque_callback_data), a.wamid]));
  const ids = posted.filter((p) => p.id !== null).map((p) => Number(p.id));
  const stored = await sql<{ id: string; status: string; wamid: string | null }[]>`
    select id::text, status, wamid from messages where id = any(${sql.array(ids)}::bigint[])`;
  const storedMismatch =
    ids.length - stored.filter((m) => m.status === 'sent' && m.wamid !== null && wamidOf.get(`ticks:${m.id}`) === m.wamid).length;

  const output = server.output();
  const lines = output.split('\n').filter((l) => l.trimStart().startsWith('{'));
  return {
    ...figures,
    storedMismatch,
    samples,
    cpu,
    serverWarnings: lines.length,
    serverTail: lines.slice(-5).join('\n'),
  };
}

/** Signed webhooks from each customer (Meta's timestamp: now), so every conversation has an open window. */
async function openConversations(
  url: string,
  sql: Sql,
  customers: { number: BusinessNumber; waId: string }[],
  tag: string,
): Promise<Conversation[]> {
  const now = Math.floor(Date.now() / 1000);
  await inParallel(customers.length, 8, async (i) => {
    const { number, waId } = customers[i]!;
    const body = messagesPayload(
      {
        contacts: [{ profile: { name: `Bench customer ${i}` }, wa_id: waId }],
        messages: [textMessage(`wamid.bench-send.${tag}.${i}`, waId, 'Hello, I have a question', now)],
      },
      { number },
    );
    const res = await postWebhook(`${url}/api/webhook`, body, serverEnv.WHATSAPP_APP_SECRET);
    if (res.status !== 200) throw new BenchError(`the webhook answered ${res.status}`);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await sql<{ id: number; phone_number_id: string; wa_id: string }[]>`
      select v.id::int as id, v.phone_number_id, k.wa_id from conversations v join contacts k on k.id = v.contact_id
      where v.last_inbound_at is not null`;
    if (rows.length >= customers.length) {
      const byKey = new Map(rows.map((r) => [`${r.phone_number_id}/${r.wa_id}`, r.id]));
      return customers.map((c, index) => {
        const id = byKey.get(`${c.number.phoneNumberId}/${c.waId}`);
        if (id === undefined) throw new BenchError(`no conversation for ${c.waId} on ${c.number.phoneNumberId}`);
        return { index, id, number: c.number, waId: c.waId };
      });
    }
    if (Date.now() > deadline) throw new BenchError(`only ${rows.length} of ${customers.length} conversations were stored within 60 s`);
    await sleep(100);
  }
}

/**
 * Posts `count` text messages round-robin over `conversations` (message i to conversation i mod C), at
 * `rate` per second (0: unpaced) with at most `concurrency` calls in flight. A conversation's next
 * message is posted only once its previous one was answered, so the order it was written in is known.
 */
async function postMessages(
  url: string,
  conversations: Conversation[],
  count: number,
  { rate, concurrency }: { rate: number; concurrency: number },
  label: string,
): Promise<Posted[]> {
  const posted: Posted[] = [];
  const last = new Map<number, Promise<void>>();
  const slots = new Semaphore(concurrency);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    if (rate > 0) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
    }
    await slots.acquire();
    const conversation = conversations[i % conversations.length]!;
    const seq = Math.floor(i / conversations.length);
    const call = (last.get(conversation.index) ?? Promise.resolve())
      .then(async () => {
        const calledAt = Date.now();
        let status = 0;
        let id: string | null = null;
        try {
          const res = await postJson(agent, `${url}/api/conversations/${conversation.id}/messages`, {
            clientId: randomUUID(),
            type: 'text',
            text: `${label}: conversation ${conversation.index}, message ${seq}`,
          });
          status = res.status;
          const body = res.body as { id?: unknown } | null;
          if (status === 202 && typeof body?.id === 'string') id = body.id;
        } catch {
          // status 0: the call itself failed
        }
        posted.push({
          index: i,
          conversation: conversation.index,
          seq,
          phoneNumberId: conversation.number.phoneNumberId,
          calledAt,
          answeredAt: Date.now(),
          status,
          id,
        });
      })
      .finally(() => slots.release());
    last.set(conversation.index, call);
  }
  await Promise.all(last.values());
  agent.destroy();
  return posted.sort((a, b) => a.index - b.index);
}

/**
 * One API call with node:http on kept-alive connections, as an integrator's client would make it. Not
 * fetch: on this 2-core machine the load generator shares the CPU with the server it measures, and
 * fetch costs it several times the CPU per call. It asks for gzip as fetch does, so the server's work is the same.
 */
function postJson(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'content-type': 'application/json',
          'content-length': payload.length,
          'accept-encoding': 'gzip',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            const raw = Buffer.concat(chunks);
            parsed = JSON.parse((res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8'));
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type QueuedMessage = Omit<Posted, 'calledAt' | 'answeredAt' | 'status'>;

/**
 * The diagnosis mode (--queued): `count` messages put in the outbox by one statement while the server is
 * stopped, each a copy of a message the API wrote in the warm-up (so the row is the API's own shape), in
 * the same round-robin order as the posts: the outbox alone, from a full queue.
 */
async function queueBySql(sql: Sql, conversations: Conversation[], count: number, tag: string): Promise<QueuedMessage[]> {
  const ids = conversations.map((c) => c.id);
  const rows = await sql<{ id: string; n: number }[]>`
    with template as (
      select type, subtype, content, sent_by_user_id, sent_by_api_key_id, sent_by_name from messages
      where client_id is not null and type = 'text' order by id limit 1),
    plan as (
      select g as n, (${sql.array(ids)}::bigint[])[g % ${ids.length} + 1] as conversation_id,
        ${`queued ${tag}: message `} || g as text
      from generate_series(0, ${count - 1}) g)
    insert into messages (conversation_id, direction, type, subtype, text, sent_at, status, content, client_id,
      sent_by_user_id, sent_by_api_key_id, sent_by_name, outbox_state, next_send_at)
    select p.conversation_id, 'outbound', t.type, t.subtype, p.text, now(), 'pending', jsonb_set(t.content, '{body}', to_jsonb(p.text)),
      gen_random_uuid()::text, t.sent_by_user_id, t.sent_by_api_key_id, t.sent_by_name, 'queued',
      -- As the outbox queues them (db/queries/outbox.ts): only each conversation's first is due; the rest wait their turn.
      case when p.n < ${ids.length} then now() end
    from plan p cross join template t order by p.n
    returning id::text, substring(text from '[0-9]+$')::int as n`;
  if (rows.length !== count) throw new BenchError(`queued ${rows.length} of ${count} messages (no warm-up message to copy?)`);
  // A conversation's messages must be numbered in their order: the outbox sends each conversation's by id.
  const byN = rows.sort((a, b) => a.n - b.n);
  for (let n = ids.length; n < count; n++) {
    if (Number(byN[n]!.id) < Number(byN[n - ids.length]!.id)) throw new BenchError('the queued messages were not numbered in order');
  }
  return byN.map((r) => {
    const conversation = conversations[r.n % conversations.length]!;
    return {
      index: r.n,
      conversation: conversation.index,
      seq: Math.floor(r.n / conversations.length),
      phoneNumberId: conversation.number.phoneNumberId,
      id: r.id,
    };
  });
}

/** Until the outbox holds nothing queued; fails after `timeoutMs`. */
async function waitSent(sql: Sql, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<{ queued: number }[]>`select count(*)::int as queued from messages where outbox_state = 'queued'`;
    if ((row?.queued ?? 0) === 0) return;
    if (Date.now() > deadline) throw new BenchError(`${row?.queued} messages still queued after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(100);
  }
}

interface FakeProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** scripts/fake-graph-server.ts in its own process (one node process: tsx as a loader), answering sends after `delayMs`. */
async function startFakeGraphProcess(delayMs: number): Promise<FakeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/fake-graph-server.ts', '--token', TOKEN, '--files', '0', '--send-delay-ms', String(delayMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new BenchError(`the fake Graph API exited (${code}) before listening`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function inParallel(count: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
