// The phases of a run: the bodies prepared (and signed) ahead, the GET handshake (Next's floor), the
// signed POSTs, and polling the backlog until everything acknowledged is normalized.

import type postgres from 'postgres';
import { signBody } from '../../tools/meta-envelopes';
import { mixedBenchBody } from '../../tools/simulated-traffic';
import { autocannon } from './autocannon';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu';
import { SECRET, VERIFY_TOKEN } from './server';
import { sleep } from './util';

export interface Prepared {
  body: Buffer;
  signature: string;
  kind: 'message' | 'status';
  wamids: string[];
}

export function prepareBodies(count: number, runId: string): Prepared[] {
  const out: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const b = mixedBenchBody(i, { runId });
    const body = Buffer.from(b.body);
    out.push({ body, signature: signBody(body, SECRET), kind: b.kind, wamids: b.wamids });
  }
  return out;
}

export interface HandshakeFigures {
  rps: number;
  p50: number;
  p99: number;
  non200: number;
  cpu: CpuUse | null;
}

export async function handshakePhase(port: number, connections: number, seconds: number, serverPid: number): Promise<HandshakeFigures> {
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

export interface PostFigures {
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
export async function postPhase(
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

export type Sql = ReturnType<typeof postgres>;

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
export async function waitDrained(sql: Sql, baseId: number, lastAck: () => number | null, timeoutMs: number): Promise<Drained> {
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
