// `npm run bench:process [-- --events 200000 --runs 1 --keep]`
//
// How fast a committed backlog drains: seeds a fresh PostgreSQL database (ticks_bench_process) with N
// webhook events already stored (the benchmark's mixed traffic: 3 of 5 text messages from 500 customers,
// 2 of 5 statuses), as after an outage during which Meta kept posting and the route kept committing, then
// times the processor (lib/whatsapp/processor.ts, the code the worker thread runs) draining all of it, and
// checks nothing was lost. The goal in issue 14: ≥ 5,000 events/s, so an hour at 500/s catches up in minutes.
// Prints figures and never fails on them (exit 1 only when it cannot run). For a CPU profile of the drain:
// `node --cpu-prof --import tsx scripts/bench-process.ts` (the seeding is in the profile too, before "draining").

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { queryRows, sql, type Database } from '@/db/client';
import { insertRawEvents } from '@/db/queries/webhook-events';
import { EventProcessor } from '@/lib/whatsapp/processor';
import { mixedBenchBody } from '../tools/simulated-traffic';
import { withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli } from './cli-options';

const USAGE = `Usage: npm run bench:process [-- options]

Seeds a fresh PostgreSQL database with a backlog of committed webhook events, then times the
processor draining it and prints events/s.

Options:
  --events N   Events in the backlog (default 200000).
  --runs R     Backlogs to seed and drain, one after the other; the median is printed (default 1).
  --batch B    Events the processor claims per batch (default: the processor's own).
  --in-flight K  Batches in flight at once (default: the processor's own, 3).
  --keep       Keep the database afterwards and print its URL.
  -h, --help   Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_process
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

interface Options {
  events: number;
  runs: number;
  batch: number | undefined;
  inFlight: number | undefined;
  keep: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      runs: { type: 'string' },
      batch: { type: 'string' },
      'in-flight': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    events: intOption('events', values.events, 200_000, 1, 10_000_000),
    runs: intOption('runs', values.runs, 1, 1, 20),
    batch: values.batch === undefined ? undefined : intOption('batch', values.batch, 250, 1, 10_000),
    inFlight: values['in-flight'] === undefined ? undefined : intOption('in-flight', values['in-flight'], 2, 1, 16),
    keep: values.keep === true,
    adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

const SEED_CHUNK = 2_000;

/** Commits `count` events as the webhook route would have (bodies, hashes, the received counter). */
async function seedBacklog(database: Database, count: number, runId: string): Promise<number> {
  const now = Date.now();
  let bytes = 0;
  for (let start = 0; start < count; start += SEED_CHUNK) {
    const events = [];
    for (let i = start; i < Math.min(count, start + SEED_CHUNK); i++) {
      const body = Buffer.from(mixedBenchBody(i, { runId, now: now - 3_600_000 + i }).body);
      bytes += body.length;
      events.push({ body, sha256: createHash('sha256').update(body).digest(), receivedAt: new Date(now - 3_600_000 + i) });
    }
    await insertRawEvents(database.db, events);
  }
  return bytes;
}

/** Runs the processor as the app does (its own loop, batches in flight side by side) until `expected` events are handled. */
async function drain(database: Database, batch: number | undefined, inFlight: number | undefined, expected: number): Promise<number> {
  let handled = 0;
  let drained!: () => void;
  const done = new Promise<void>((resolve) => (drained = resolve));
  const processor = new EventProcessor(database, {
    log: pino({ level: 'warn' }),
    batchSize: batch,
    batchesInFlight: inFlight,
    onOutcome: ({ processed, failed }) => {
      handled += processed + failed;
      if (handled >= expected) drained();
    },
  });
  processor.start();
  processor.notify();
  await done;
  await processor.stop();
  return handled;
}

/**
 * CPU seconds used so far by this database's server processes, read from /proc (PostgreSQL on this
 * machine only; null elsewhere). With the drain's own CPU time it says what an event costs whatever else
 * the machine is doing, where events/s alone moves with the load.
 */
async function serverCpuSeconds(database: Database): Promise<Map<number, number> | null> {
  const rows = await queryRows<{ pid: number }>(database.db, sql`select pid from pg_stat_activity where datname = current_database()`);
  const seconds = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      // Fields 14 and 15 (after the parenthesised command) are user and system time in clock ticks (100 a second).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    return null;
  }
  return seconds;
}

function cpuSpent(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(options: Options): Promise<void> {
  console.log(`bench:process: ${fmt(options.events)} events per backlog, ${options.runs} run(s), Node ${process.version}`);
  const rates: number[] = [];
  await withScratchDatabase(
    { script: 'bench:process', adminUrl: options.adminUrl, name: 'ticks_bench_process', keep: options.keep, poolMax: 10 },
    async (database) => {
      for (let run = 1; run <= options.runs; run++) {
        const seedStart = performance.now();
        const bytes = await seedBacklog(database, options.events, `bp${run}`);
        await database.db.execute(sql`vacuum analyze webhook_events`);
        console.log(
          `run ${run}: seeded ${fmt(options.events)} events (${fmt(bytes / 1e6, 1)} MB) in ${fmt((performance.now() - seedStart) / 1000, 1)} s; draining…`,
        );
        const serverBefore = await serverCpuSeconds(database);
        const ownBefore = process.cpuUsage();
        const started = performance.now();
        const processed = await drain(database, options.batch, options.inFlight, options.events);
        const seconds = (performance.now() - started) / 1000;
        const own = process.cpuUsage(ownBefore);
        const server = cpuSpent(serverBefore, await serverCpuSeconds(database));
        const rate = processed / seconds;
        rates.push(rate);
        const [state] = await queryRows<{ pending: number; failed: number }>(
          database.db,
          sql`select count(*) filter (where state = 'pending')::int as pending, count(*) filter (where state = 'failed')::int as failed from webhook_events`,
        );
        console.log(
          `run ${run}: ${fmt(processed)} events in ${fmt(seconds, 1)} s = ${fmt(rate)} events/s` +
            ` (left pending ${state!.pending}, failed ${state!.failed})`,
        );
        const perEvent = (cpuSeconds: number) => `${fmt((cpuSeconds * 1e6) / processed)} µs`;
        console.log(
          `run ${run}: CPU per event: processor ${perEvent((own.user + own.system) / 1e6)}` +
            (server === null ? '' : `, PostgreSQL ${perEvent(server)}`) +
            `; wall ${fmt((seconds * 1e6) / processed)} µs`,
        );
      }
      const [stored] = await queryRows<{ messages: number; statuses: number }>(
        database.db,
        sql`select (select count(*)::int from messages where not placeholder) as messages, (select count(*)::int from status_events) as statuses`,
      );
      const expectedMessages = options.runs * Math.ceil((options.events * 3) / 5);
      console.log(`stored: ${fmt(stored!.messages)} messages (expected ${fmt(expectedMessages)}), ${fmt(stored!.statuses)} status events`);
    },
  );
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor((rates.length - 1) / 2)]!;
  console.log(`\nmedian drain: ${fmt(median)} events/s (goal ≥ 5,000 events/s)`);
}

await runCli('bench:process', USAGE, readOptions, main);
