// `npm run bench:ingest [-- --requests 20000 --connections 64 --port 3150 --skip-build --runs 3]`
//
// Measures the webhook the way Meta loads it, against a production build on PostgreSQL, and prints
// side by side: (a) Next's per-request floor (the GET handshake), (b) how fast signed POST bodies are
// acknowledged, (c) how fast they are normalized end to end, and (d) whether anything was lost.
// It prints figures and never fails on them (exit 1 only when the benchmark itself cannot run).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { mixedBenchBody } from '../tools/simulated-traffic';
import { signBody } from '@/lib/whatsapp/signature';
import { intOption, UsageError } from './cli-options';

const USAGE = `Usage: npm run bench:ingest [-- options]

Builds Ticks, starts it on a fresh PostgreSQL database, and measures the webhook: GET handshake
rate (Next's floor), POST acknowledgements, end-to-end normalization, and lost messages.

Options:
  --requests N       Signed POST bodies in the measured phase (default 20000).
  --connections C    Requests in flight (default 64).
  --port P           Port for the server (default 3150).
  --runs R           Repeat on fresh databases and print medians (default 1).
  --handshake-seconds S   Length of the GET phase (default 10).
  --skip-build       Reuse the existing .next build instead of running \`npm run build\`.
  -h, --help         Show this help.

Environment:
  BENCH_DATABASE_URL  Admin connection used to create and drop the bench databases
                      (default postgres://postgres@127.0.0.1:5432/test).`;

// --- autocannon (no type declarations ship with it) ---------------------------------------------

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AcOptions {
  url: string;
  connections: number;
  pipelining?: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  method?: string;
  requests?: AcRequest[];
}
interface AcResult {
  latency: { p50: number; p99: number; average: number; max: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AcOptions) => Promise<AcResult>;

// --- Options ------------------------------------------------------------------------------------

/** An expected failure (port taken, server would not start): its message says it all, no stack needed. */
class BenchError extends Error {}

interface Options {
  requests: number;
  connections: number;
  port: number;
  runs: number;
  handshakeSeconds: number;
  skipBuild: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      connections: { type: 'string' },
      port: { type: 'string' },
      runs: { type: 'string' },
      'handshake-seconds': { type: 'string' },
      'skip-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const options: Options = {
    requests: intOption('requests', values.requests, 20_000, 1, 10_000_000),
    connections: intOption('connections', values.connections, 64, 1, 10_000),
    port: intOption('port', values.port, 3150, 1, 65_535),
    runs: intOption('runs', values.runs, 1, 1, 99),
    handshakeSeconds: intOption('handshake-seconds', values['handshake-seconds'], 10, 1, 600),
    skipBuild: values['skip-build'] === true,
    adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
  if (options.connections > options.requests) throw new UsageError('--connections cannot be larger than --requests');
  return options;
}

// --- Clean-up that always runs ------------------------------------------------------------------

const cleanups: Array<{ name: string; run: () => Promise<void> }> = [];
let cleaningUp: Promise<void> | null = null;

function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  const entry = { name, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
    await run();
  };
}

function cleanUpAll(): Promise<void> {
  cleaningUp ??= (async () => {
    while (cleanups.length > 0) {
      const entry = cleanups.pop()!;
      try {
        await entry.run();
      } catch (err) {
        console.error(`clean-up "${entry.name}" failed: ${errorText(err)}`);
      }
    }
  })();
  return cleaningUp;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the server and dropping the bench database…`);
    void cleanUpAll().finally(() => process.exit(130));
  });
}
// Queries and requests still in flight fail once clean-up has closed their connections: that is expected.
process.on('unhandledRejection', (err) => {
  if (cleaningUp) return;
  console.error(`\nbench:ingest failed: ${errorText(err)}`);
  void cleanUpAll().finally(() => process.exit(1));
});

// --- Small helpers ------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '–');

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = '/' + name;
  return url.toString();
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

function runCommand(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// --- CPU accounting from /proc (Linux only; figures are simply absent elsewhere) -----------------

const CLOCK_TICKS = 100;

interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  self: number;
  machineBusy: number;
}

function readProcStat(pid: string): { comm: string; pgrp: number; seconds: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return { comm, pgrp: Number(fields[2]), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

function cpuSnapshot(serverGroup: number | undefined): CpuSnapshot | null {
  try {
    let server = 0;
    let pg = 0;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const s = readProcStat(pid);
      if (!s) continue;
      if (serverGroup !== undefined && s.pgrp === serverGroup) server += s.seconds;
      else if (s.comm === 'postgres') pg += s.seconds;
    }
    const cpuLine = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpuLine[3] ?? 0) + (cpuLine[4] ?? 0);
    const total = cpuLine.slice(0, 8).reduce((a, b) => a + b, 0);
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      server,
      postgres: pg,
      self: (usage.user + usage.system) / 1e6,
      machineBusy: (total - idle) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

/** Cores busy on average between two snapshots. */
interface CpuUse {
  server: number;
  postgres: number;
  client: number;
  machine: number;
}

function cpuUse(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuUse | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return null;
  return {
    server: (b.server - a.server) / seconds,
    postgres: (b.postgres - a.postgres) / seconds,
    client: (b.self - a.self) / seconds,
    machine: (b.machineBusy - a.machineBusy) / seconds,
  };
}

// --- The server under test ----------------------------------------------------------------------

const SECRET = 'bench-app-secret-' + randomBytes(8).toString('hex');
const VERIFY_TOKEN = 'bench-verify-token';
const INBOX_API_KEY = 'bench-inbox-api-key-' + randomBytes(8).toString('hex');

interface Server {
  child: ChildProcess;
  pid: number;
  logTail: string[];
  logLines(): number;
  stop(): Promise<void>;
}

async function startServer(dbUrl: string, port: number): Promise<Server> {
  if (!(await portIsFree(port))) throw new BenchError(`port ${port} is in use: pass another --port`);
  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port)], {
    cwd: process.cwd(),
    // Its own process group, so the whole server (and anything it forks) is stopped together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      INBOX_API_KEY,
      LOG_LEVEL: 'warn',
      NEXT_MANUAL_SIG_HANDLE: '1',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start next');
  const logTail: string[] = [];
  let logLines = 0;
  // Count what the app logs at warn and above (LOG_LEVEL=warn: every JSON line), and anything on stderr;
  // Next's start-up banner on stdout is kept for the tail but not counted.
  const keep = (counted: boolean) => (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (!line.trim()) continue;
      if (!counted && !line.trimStart().startsWith('{')) {
        logTail.push(line);
        if (logTail.length > 40) logTail.shift();
        continue;
      }
      logLines++;
      logTail.push(line);
      if (logTail.length > 40) logTail.shift();
    }
  };
  child.stdout!.on('data', keep(false));
  child.stderr!.on('data', keep(true));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const gone = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([exit, sleep(2_000)]);
    }
  };
  const server: Server = { child, pid, logTail, logLines: () => logLines, stop };

  // Ready when the handshake answers (instrumentation has opened the database and migrated by then).
  const deadline = Date.now() + 90_000;
  const probe = `http://127.0.0.1:${port}/api/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=ready`;
  for (;;) {
    if (exited) {
      throw new BenchError(`the server exited during start-up:\n${logTail.join('\n')}`);
    }
    try {
      const res = await fetch(probe, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      if (res.status === 200 && text === 'ready') return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new BenchError(`the server did not answer the handshake within 90 s:\n${logTail.join('\n')}`);
    }
    await sleep(200);
  }
}

// --- Phases -------------------------------------------------------------------------------------

interface Prepared {
  body: Buffer;
  signature: string;
  kind: 'message' | 'status';
  wamids: string[];
}

function prepareBodies(count: number, runId: string): Prepared[] {
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const b = mixedBenchBody(i, { runId });
    const body = Buffer.from(b.body);
    out.push({ body, signature: signBody(body, SECRET), kind: b.kind, wamids: b.wamids });
  }
  return out;
}

interface HandshakeFigures {
  rps: number;
  p50: number;
  p99: number;
  non200: number;
  cpu: CpuUse | null;
}

async function handshakePhase(port: number, connections: number, seconds: number, serverPid: number): Promise<HandshakeFigures> {
  const before = cpuSnapshot(serverPid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    connections,
    duration: seconds,
  });
  const after = cpuSnapshot(serverPid);
  const ok = result.statusCodeStats?.['200']?.count ?? 0;
  const total = Object.values(result.statusCodeStats ?? {}).reduce((a, s) => a + s.count, 0);
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non200: total - ok + result.errors + result.timeouts,
    cpu: cpuUse(before, after),
  };
}

interface PostFigures {
  sent: number;
  accepted: number;
  acceptedPerSec: number;
  p50: number;
  p99: number;
  max: number;
  statusCounts: Map<number, number>;
  errors: number;
  timeouts: number;
  ackSeconds: number;
  /** Per body index: the HTTP status it got (0 = none). */
  outcome: Uint16Array;
}

/** Posts `count` of the prepared bodies (each once) with `connections` in flight. */
async function postPhase(
  port: number,
  connections: number,
  bodies: Prepared[],
  count: number,
  progress: { lastResponseAt: number } = { lastResponseAt: 0 },
): Promise<PostFigures & { startedAt: number }> {
  let next = 0;
  const outcome = new Uint16Array(bodies.length);
  const statusCounts = new Map<number, number>();
  const startedAt = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/webhook`,
    connections,
    amount: count,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest(req, context) {
          // Each body once; the pool holds a few spares for requests autocannon rebuilds after a reconnect.
          const index = next < bodies.length ? next++ : bodies.length - 1;
          context.index = index;
          const b = bodies[index]!;
          return {
            ...req,
            method: 'POST',
            path: '/api/webhook',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
            body: b.body,
          };
        },
        onResponse(status, _body, context) {
          progress.lastResponseAt = performance.now();
          const index = context.index;
          if (typeof index === 'number') outcome[index] = status;
          statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  const accepted = statusCounts.get(200) ?? 0;
  const ackSeconds = ((progress.lastResponseAt || performance.now()) - startedAt) / 1000;
  return {
    startedAt,
    sent: next,
    accepted,
    acceptedPerSec: accepted / ackSeconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    ackSeconds,
    outcome,
  };
}

type Sql = ReturnType<typeof postgres>;

/** The backlog, and the newest event id (ids come from a sequence: committed ≈ maxId − baseId). */
async function backlog(sql: Sql): Promise<{ pending: number; maxId: number }> {
  const [row] = await sql<{ pending: number; max_id: number }[]>`
    select (select count(*) from webhook_events where state = 'pending')::int as pending,
           (select coalesce(max(id), 0) from webhook_events)::int as max_id`;
  return { pending: row?.pending ?? 0, maxId: row?.max_id ?? 0 };
}

interface Drained {
  /** When everything acknowledged was seen normalized (null: gave up). */
  at: number | null;
  maxPending: number;
  /** The first poll after the last acknowledgement: how much had been normalized by then, and when. */
  afterAck: { at: number; processed: number } | null;
}

/**
 * Polls the backlog every 100 ms until it is empty after the last acknowledgement. `lastAck()` is null
 * while requests are still being sent, then the time of the last response: the first poll that started
 * after it and saw nothing pending marks the moment everything acknowledged had been normalized.
 */
async function waitDrained(sql: Sql, baseId: number, lastAck: () => number | null, timeoutMs: number): Promise<Drained> {
  const deadline = performance.now() + timeoutMs;
  const samples: Array<{ start: number; end: number; pending: number; processed: number }> = [];
  let maxPending = 0;
  for (;;) {
    const start = performance.now();
    const { pending, maxId } = await backlog(sql);
    const end = performance.now();
    maxPending = Math.max(maxPending, pending);
    samples.push({ start, end, pending, processed: Math.max(0, maxId - baseId - pending) });
    const floor = lastAck();
    if (floor !== null) {
      const first = samples.find((x) => x.start > floor);
      const afterAck = first ? { at: first.end, processed: first.processed } : null;
      const hit = samples.find((x) => x.start > floor && x.pending === 0);
      if (hit) return { at: hit.end, maxPending, afterAck };
      if (end > deadline) return { at: null, maxPending, afterAck };
    } else if (end > deadline) {
      return { at: null, maxPending, afterAck: null };
    }
    await sleep(100);
  }
}

// --- One run ------------------------------------------------------------------------------------

interface RunFigures {
  handshake: HandshakeFigures;
  post: PostFigures;
  e2e: {
    seconds: number | null;
    eventsPerSec: number;
    processed: number;
    failed: number;
    pendingLeft: number;
    maxPending: number;
    /** Normalized while the acknowledgements were still going on. */
    processedDuringAcks: number;
    /** Normalization rate once the HTTP load had stopped. */
    drainPerSec: number;
  };
  check: {
    expectedMessages: number;
    storedMessages: number;
    duplicateRows: number;
    lost: number;
    notAcceptedButStored: number;
    expectedStatuses: number;
    storedStatuses: number;
    outboundExpected: number;
    outboundFinalOk: number;
    conversations: number;
  };
  cpuPost: CpuUse | null;
  cpuDrain: CpuUse | null;
  serverLogLines: number;
  serverLogTail: string[];
}

async function oneRun(options: Options, run: number, admin: Sql): Promise<RunFigures> {
  const dbName = options.runs === 1 ? `ticks_bench_${process.pid}` : `ticks_bench_${process.pid}_${run}`;
  const dbUrl = databaseUrl(options.adminUrl, dbName);
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  await admin.unsafe(`create database "${dbName}"`);
  const dropDb = onCleanup(`drop ${dbName}`, async () => {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
  });
  try {
    process.stdout.write(`run ${run}: database ${dbName}, starting the server on :${options.port}… `);
    const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
    const closeSql = onCleanup('close the bench connection', () => sql.end({ timeout: 2 }));
    let stopServer: () => Promise<void> = async () => {};
    try {
      const server = await startServer(dbUrl, options.port);
      // Registered last, so an interruption stops the server first, then closes connections, then drops.
      stopServer = onCleanup('stop the server', server.stop);
      console.log('ready.');
      const runId = randomBytes(4).toString('hex');
      const warmRunId = randomBytes(4).toString('hex');
      const warmCount = Math.min(2_000, Math.max(options.connections * 4, Math.floor(options.requests / 10)));
      const warmBodies = prepareBodies(warmCount, warmRunId);
      const bodies = prepareBodies(options.requests + options.connections * 2, runId);

      // Warm-up: JIT the GET and POST paths and fill the pools, then let the processor catch up.
      process.stdout.write('  warming up… ');
      await autocannon({
        url: `http://127.0.0.1:${options.port}/api/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
        connections: options.connections,
        duration: 2,
      });
      await postPhase(options.port, Math.min(options.connections, warmCount), warmBodies, warmCount);
      await waitDrained(sql, 0, () => -Infinity, 120_000);
      const [base] = await sql<{ id: number }[]>`select coalesce(max(id), 0)::int as id from webhook_events`;
      const baseId = base?.id ?? 0;
      console.log(`done (${warmCount} bodies).`);

      process.stdout.write(`  (a) GET handshake for ${options.handshakeSeconds} s… `);
      const handshakeBefore = await handshakePhase(options.port, options.connections, options.handshakeSeconds, server.pid);
      console.log(`${fmt(handshakeBefore.rps)} req/s`);

      process.stdout.write(`  (b) POST ${fmt(options.requests)} bodies… `);
      const cpuStart = cpuSnapshot(server.pid);
      const progress = { lastResponseAt: 0, done: false };
      const drained = waitDrained(sql, baseId, () => (progress.done ? progress.lastResponseAt : null), 300_000 + options.requests * 10);
      // Awaited below; until then a failure (connection closed by an interruption) must not go unhandled.
      drained.catch(() => {});
      const post = await postPhase(options.port, options.connections, bodies, options.requests, progress);
      const cpuAcked = cpuSnapshot(server.pid);
      progress.done = true;
      console.log(`${fmt(post.acceptedPerSec)} accepted/s`);
      process.stdout.write('  (c) waiting until every event is normalized… ');
      const { at: drainedAt, maxPending, afterAck } = await drained;
      const cpuDrained = cpuSnapshot(server.pid);
      const [states] = await sql<{ processed: number; failed: number; pending: number }[]>`
        select count(*) filter (where state = 'processed')::int as processed,
               count(*) filter (where state = 'failed')::int as failed,
               count(*) filter (where state = 'pending')::int as pending
        from webhook_events where id > ${baseId}`;
      const processed = states?.processed ?? 0;
      const e2eSeconds = drainedAt === null ? null : (drainedAt - post.startedAt) / 1000;
      console.log(e2eSeconds === null ? 'gave up waiting.' : `${fmt(e2eSeconds, 1)} s.`);

      // The machine's speed drifts over a run: measure the floor again after the POSTs, and use the mean.
      process.stdout.write(`  (a) GET handshake again for ${options.handshakeSeconds} s… `);
      const handshakeAfter = await handshakePhase(options.port, options.connections, options.handshakeSeconds, server.pid);
      const handshake: HandshakeFigures = {
        ...handshakeBefore,
        rps: (handshakeBefore.rps + handshakeAfter.rps) / 2,
        p50: (handshakeBefore.p50 + handshakeAfter.p50) / 2,
        p99: (handshakeBefore.p99 + handshakeAfter.p99) / 2,
        non200: handshakeBefore.non200 + handshakeAfter.non200,
      };
      console.log(`${fmt(handshakeAfter.rps)} req/s (mean of both: ${fmt(handshake.rps)})`);

      // (d) Correctness: what was acknowledged must be stored, once.
      const acceptedMessages: string[] = [];
      const notAcceptedMessages: string[] = [];
      const finalStatus = new Map<string, number>();
      let expectedStatuses = 0;
      const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3 };
      for (let i = 0; i < post.sent; i++) {
        const b = bodies[i]!;
        const ok = post.outcome[i] === 200;
        if (b.kind === 'message') (ok ? acceptedMessages : notAcceptedMessages).push(...b.wamids);
        else if (ok) {
          expectedStatuses++;
          const status = /"status":"(\w+)"/.exec(b.body.toString())?.[1] ?? '';
          for (const w of b.wamids) finalStatus.set(w, Math.max(finalStatus.get(w) ?? 0, RANK[status] ?? 0));
        }
      }
      const [msg] = await sql<{ rows: number; distinct: number }[]>`
        select count(*)::int as rows, count(distinct wamid)::int as distinct
        from messages where wamid = any(${sql.array(acceptedMessages)}) and direction = 'inbound' and not placeholder`;
      const [stray] = await sql<{ n: number }[]>`
        select count(*)::int as n from messages where wamid = any(${sql.array(notAcceptedMessages)})`;
      const outbound = [...finalStatus.keys()];
      const [st] = await sql<{ n: number }[]>`
        select count(*)::int as n from status_events where wamid = any(${sql.array(outbound)})`;
      const outRows = await sql<{ wamid: string; status: string }[]>`
        select wamid, status from messages where wamid = any(${sql.array(outbound)})`;
      const RANK_NAME = ['', 'sent', 'delivered', 'read'];
      const outboundFinalOk = outRows.filter((r) => RANK_NAME[finalStatus.get(r.wamid) ?? 0] === r.status).length;
      const [conv] = await sql<{ n: number }[]>`select count(*)::int as n from conversations`;
      console.log('  (d) checked.');

      return {
        handshake,
        post,
        e2e: {
          seconds: e2eSeconds,
          eventsPerSec: e2eSeconds === null ? Number.NaN : processed / e2eSeconds,
          processed,
          failed: states?.failed ?? 0,
          pendingLeft: states?.pending ?? 0,
          maxPending,
          processedDuringAcks: afterAck?.processed ?? Number.NaN,
          // Only meaningful when a backlog was left at the last ack.
          drainPerSec:
            drainedAt === null || !afterAck || drainedAt <= afterAck.at || processed <= afterAck.processed
              ? Number.NaN
              : (processed - afterAck.processed) / ((drainedAt - afterAck.at) / 1000),
        },
        check: {
          expectedMessages: acceptedMessages.length,
          storedMessages: msg?.distinct ?? 0,
          duplicateRows: (msg?.rows ?? 0) - (msg?.distinct ?? 0),
          lost: acceptedMessages.length - (msg?.distinct ?? 0),
          notAcceptedButStored: stray?.n ?? 0,
          expectedStatuses,
          storedStatuses: st?.n ?? 0,
          outboundExpected: outbound.length,
          outboundFinalOk,
          conversations: conv?.n ?? 0,
        },
        cpuPost: cpuUse(cpuStart, cpuAcked),
        cpuDrain: cpuUse(cpuAcked, cpuDrained),
        serverLogLines: server.logLines(),
        serverLogTail: [...server.logTail],
      };
    } finally {
      await stopServer();
      await closeSql();
    }
  } finally {
    await dropDb();
  }
}

// --- Report -------------------------------------------------------------------------------------

function report(options: Options, runs: RunFigures[], pgVersion: string, avgBytes: number, mix: { messages: number; statuses: number }) {
  const cpu = os.cpus();
  console.log('\n════════ Ticks ingest benchmark ════════');
  console.log(
    `Node ${process.version} · ${os.platform()} ${os.arch()} · ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}) · PostgreSQL ${pgVersion}`,
  );
  console.log(
    `${fmt(options.requests)} POST bodies (${fmt(mix.messages)} text messages from 500 customers, ${fmt(mix.statuses)} statuses; ` +
      `avg ${fmt(avgBytes)} B), ${options.connections} in flight; GET phase ${options.handshakeSeconds} s; ${runs.length} run${runs.length === 1 ? '' : 's'}\n`,
  );

  const cols = runs.map((_, i) => `run ${i + 1}`);
  if (runs.length > 1) cols.push('median');
  const row = (label: string, values: number[], show: (n: number) => string) => {
    const cells = values.map(show);
    if (runs.length > 1) cells.push(show(median(values)));
    console.log(label.padEnd(46) + cells.map((c) => c.padStart(12)).join(''));
  };
  console.log(''.padEnd(46) + cols.map((c) => c.padStart(12)).join(''));
  const ms = (n: number) => `${fmt(n)} ms`;
  console.log('(a) GET handshake, mean of before and after the POSTs');
  row('                             req/s', runs.map((r) => r.handshake.rps), (n) => fmt(n));
  row('                             p50', runs.map((r) => r.handshake.p50), ms);
  row('                             p99', runs.map((r) => r.handshake.p99), ms);
  row('(b) POST                accepted/s', runs.map((r) => r.post.acceptedPerSec), (n) => fmt(n));
  row('                  vs handshake', runs.map((r) => r.post.acceptedPerSec / r.handshake.rps), pct);
  row('                             p50 ack', runs.map((r) => r.post.p50), ms);
  row('                             p99 ack', runs.map((r) => r.post.p99), ms);
  row('                             max ack', runs.map((r) => r.post.max), ms);
  row('                             non-200', runs.map((r) => r.post.sent - r.post.accepted), (n) => fmt(n));
  row('(c) end-to-end          normalized/s', runs.map((r) => r.e2e.eventsPerSec), (n) => fmt(n));
  row('                  vs handshake', runs.map((r) => r.e2e.eventsPerSec / r.handshake.rps), pct);
  row('                  seconds (acks)', runs.map((r) => r.post.ackSeconds), (n) => fmt(n, 1));
  row('                  seconds (all normalized)', runs.map((r) => r.e2e.seconds ?? Number.NaN), (n) => fmt(n, 1));
  row('                  peak backlog (pending)', runs.map((r) => r.e2e.maxPending), (n) => fmt(n));
  row('                  normalized by the last ack', runs.map((r) => r.e2e.processedDuringAcks), (n) => fmt(n));
  row('                  normalized/s after the acks', runs.map((r) => r.e2e.drainPerSec), (n) => fmt(n));
  row('(d) messages acknowledged', runs.map((r) => r.check.expectedMessages), (n) => fmt(n));
  row('                  stored (distinct)', runs.map((r) => r.check.storedMessages), (n) => fmt(n));
  row('                  lost', runs.map((r) => r.check.lost), (n) => fmt(n));
  row('    statuses acknowledged', runs.map((r) => r.check.expectedStatuses), (n) => fmt(n));
  row('                  stored', runs.map((r) => r.check.storedStatuses), (n) => fmt(n));
  row('    outbound final status right', runs.map((r) => r.check.outboundFinalOk / Math.max(1, r.check.outboundExpected)), pct);
  row('    events failed / left pending', runs.map((r) => r.e2e.failed + r.e2e.pendingLeft), (n) => fmt(n));

  for (const [i, r] of runs.entries()) {
    const codes = [...r.post.statusCounts.entries()].filter(([c]) => c !== 200);
    if (codes.length > 0 || r.post.errors > 0 || r.post.timeouts > 0) {
      console.log(
        `run ${i + 1} non-200: ${codes.map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}; socket errors ${r.post.errors}, timeouts ${r.post.timeouts}`,
      );
    }
    if (r.check.duplicateRows > 0) console.log(`run ${i + 1}: ${r.check.duplicateRows} duplicate message rows!`);
    if (r.check.notAcceptedButStored > 0) {
      console.log(`run ${i + 1}: ${r.check.notAcceptedButStored} messages of bodies not acknowledged with 200 were stored anyway (a late commit; Meta's retry dedups).`);
    }
  }

  const cpuRow = (label: string, use: CpuUse | null) =>
    use
      ? console.log(
          `  ${label.padEnd(30)} server ${fmt(use.server, 2)} · postgres ${fmt(use.postgres, 2)} · load generator ${fmt(use.client, 2)} · whole machine ${fmt(use.machine, 2)} of ${cpu.length}`,
        )
      : undefined;
  if (runs.some((r) => r.handshake.cpu || r.cpuPost)) {
    console.log('\nWhere the CPU went (cores busy on average, run 1; "postgres" counts every postgres process on the box):');
    cpuRow('GET handshake phase', runs[0]!.handshake.cpu);
    cpuRow('POST phase (until last ack)', runs[0]!.cpuPost);
    cpuRow('after the acks until drained', runs[0]!.cpuDrain);
  }

  const m = (f: (r: RunFigures) => number) => median(runs.map(f));
  const handshake = m((r) => r.handshake.rps);
  const accepted = m((r) => r.post.acceptedPerSec);
  const e2e = m((r) => r.e2e.eventsPerSec);
  const p99 = m((r) => r.post.p99);
  const lost = Math.max(...runs.map((r) => r.check.lost));
  const statusesMissing = Math.max(...runs.map((r) => r.check.expectedStatuses - r.check.storedStatuses));
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const basis = runs.length > 1 ? ' (medians)' : '';
  console.log(`\nGoals${basis}:`);
  console.log(
    `  ${verdict(accepted >= 0.8 * handshake)}  accepted/s ≥ 80% of handshake: ${fmt(accepted)}/s = ${pct(accepted / handshake)} of ${fmt(handshake)}/s (needs ≥ ${fmt(0.8 * handshake)})`,
  );
  console.log(
    `  ${verdict(e2e >= 0.6 * handshake)}  end-to-end ≥ 60% of handshake: ${fmt(e2e)}/s = ${pct(e2e / handshake)} of ${fmt(handshake)}/s (needs ≥ ${fmt(0.6 * handshake)})`,
  );
  console.log(`  ${verdict(p99 <= 100)}  p99 ack ≤ 100 ms: ${fmt(p99)} ms`);
  console.log(`  ${verdict(lost === 0 && statusesMissing <= 0)}  zero lost: ${fmt(lost)} messages lost, ${fmt(Math.max(0, statusesMissing))} statuses missing (worst run)`);

  const logLines = runs.reduce((a, r) => a + r.serverLogLines, 0);
  if (logLines > 0) {
    console.log(`\nThe server logged ${logLines} line(s) at warn or above; the last lines of run ${runs.length}:`);
    for (const line of runs.at(-1)!.serverLogTail.slice(-5)) console.log('  ' + line.slice(0, 300));
  }
}

// --- Main ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:ingest: ${errorText(err)}\n\n${USAGE}`);
    return 64;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const admin = postgres(options.adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  onCleanup('close the admin connection', () => admin.end({ timeout: 2 }));
  let pgVersion: string;
  try {
    const [row] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
    pgVersion = row?.v ?? '?';
  } catch (err) {
    console.error(`bench:ingest needs PostgreSQL: ${options.adminUrl} does not answer (${errorText(err)}). Set BENCH_DATABASE_URL.`);
    return 1;
  }

  if (options.skipBuild) {
    if (!fs.existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'))) {
      console.error('bench:ingest: --skip-build, but there is no build in .next: run without --skip-build.');
      return 1;
    }
    console.log('Reusing the build in .next (--skip-build).');
  } else {
    process.stdout.write('Building (npm run build)… ');
    const started = Date.now();
    const build = await runCommand('npm', ['run', 'build']);
    if (build.code !== 0) {
      console.log('failed.\n');
      console.error(build.output.split('\n').slice(-40).join('\n'));
      return 1;
    }
    console.log(`done in ${fmt((Date.now() - started) / 1000, 1)} s.`);
  }

  const sample = prepareBodies(Math.min(options.requests, 5_000), 'sample00');
  const avgBytes = sample.reduce((a, b) => a + b.body.length, 0) / sample.length;
  const mix = { messages: 0, statuses: 0 };
  for (let i = 0; i < options.requests; i++) {
    if (mixedBenchBody(i, { runId: 'sample00' }).kind === 'status') mix.statuses++;
    else mix.messages++;
  }

  const runs: RunFigures[] = [];
  for (let run = 1; run <= options.runs; run++) runs.push(await oneRun(options, run, admin));
  report(options, runs, pgVersion, avgBytes, mix);
  return 0;
}

main()
  .then(
    async (code) => {
      await cleanUpAll();
      process.exit(code);
    },
    async (err: unknown) => {
      if (!interrupted) {
        const detail = err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
        console.error(`\nbench:ingest failed: ${detail}`);
      }
      await cleanUpAll();
      process.exit(interrupted ? 130 : 1);
    },
  );
