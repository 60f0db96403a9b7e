// One run: a fresh database, the server started on it, the phases, then (d) the check that what was
// acknowledged was stored, once.

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { autocannon } from './autocannon';
import { onCleanup } from './cleanup';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu';
import type { Options } from './options';
import { handshakePhase, postPhase, prepareBodies, waitDrained, type HandshakeFigures, type PostFigures, type Sql } from './phases';
import { startServer, VERIFY_TOKEN } from './server';
import { databaseUrl, fmt } from './util';

export interface RunFigures {
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

export async function oneRun(options: Options, run: number, admin: Sql): Promise<RunFigures> {
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
