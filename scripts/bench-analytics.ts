// `npm run bench:analytics [-- --runs 20 --status-events 1000000 --messages 200000 --keep]`
//
// Times the analytics page's queries at scale: seeds a fresh PostgreSQL database (ticks_bench_analytics)
// with status events and messages over the last 30 days across 4 business numbers (set-based SQL),
// fills the rollups from those rows the way migration 0003's backfill does, and times each aggregate
// (and the whole GET /api/admin/analytics load) for 24 h / 7 d / 30 d, all numbers and one number.
// Prints p50/p95 per query against a 200 ms goal; never fails on the figures (exit 1 only when it cannot run).

import { parseArgs } from 'node:util';
import { queryRows, sql, type Database } from '@/db/client';
import { deliveryCounts, deliveryTimingSummary, inboundCounts, webhookCounts, type AnalyticsWindow } from '@/db/queries/analytics';
import { listBusinessNumbers } from '@/db/queries/business-numbers';
import { getProcessingBacklog } from '@/db/queries/webhook-events';
import { loadAnalytics } from '@/lib/analytics/analytics-api';
import { resolveRange, type RangeKey } from '@/lib/analytics/range';
import { ERROR_MIX, fillRollups, fillWebhookStats, insertBusinessNumbers, numberPick, pick } from '../tools/bench-seed';
import { BENCH_BUSINESS_NUMBERS, MAX_BIGINT, timeQuery, withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli, UsageError } from './cli-options';

const USAGE = `Usage: npm run bench:analytics [-- options]

Seeds a fresh PostgreSQL database with status events and messages over 30 days, fills the analytics
rollups, then times each analytics query for 24h / 7d / 30d, all numbers and one number, and prints
p50/p95 per query (goal: p95 <= ${200} ms).

Options:
  --status-events N  Status events to seed (default 1000000).
  --messages N       Messages to seed (default 200000).
  --runs R           Timed runs per query, after 3 warm-up runs (default 20).
  --tz ZONE          Time zone of the daily buckets (default UTC).
  --keep             Keep the database afterwards (for EXPLAIN ANALYZE) and print its URL.
  -h, --help         Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_analytics
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

const DB_NAME = 'ticks_bench_analytics';
const GOAL_MS = 200;

interface Options {
  statusEvents: number;
  messages: number;
  runs: number;
  tz: string;
  keep: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'status-events': { type: 'string' },
      messages: { type: 'string' },
      runs: { type: 'string' },
      tz: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const tz = values.tz ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new UsageError(`--tz: unknown time zone "${tz}"`);
  }
  return {
    statusEvents: intOption('status-events', values['status-events'], 1_000_000, 1_000, 50_000_000),
    messages: intOption('messages', values.messages, 200_000, 1_000, 20_000_000),
    runs: intOption('runs', values.runs, 20, 1, 10_000),
    tz,
    keep: values.keep === true,
    adminUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

// --- Data ---------------------------------------------------------------------------------------

const INBOUND_TYPES = [
  ['text', 70],
  ['image', 12],
  ['audio', 6],
  ['video', 3],
  ['document', 3],
  ['sticker', 3],
  ['reaction', 2],
  ['location', 1],
] as const;

/** Deterministic data (hashes of the row number), over the 30 days before now. */
async function seed(database: Database, options: Options): Promise<void> {
  const { db } = database;
  const exec = (text: string) => db.execute(sql.raw(text));
  await exec(`set maintenance_work_mem = '256MB'`);
  await exec(`set work_mem = '64MB'`);
  await insertBusinessNumbers(exec);
  const customers = Math.max(100, Math.floor(options.messages / 5));
  await exec(`
    insert into contacts (id, wa_id, name)
    select g, '52155' || lpad(((g * 48271) % 100000000)::text, 8, '0'), 'Customer ' || g
    from generate_series(1, ${customers}::bigint) g`);
  await exec(`
    insert into conversations (id, phone_number_id, contact_id)
    select g, ${numberPick(`(hashint8extended(g, 1) & ${MAX_BIGINT}) % 100`)}, g
    from generate_series(1, ${customers}::bigint) g`);
  // Messages: 55% inbound (of INBOUND_TYPES), the rest ours (text, some templates), over the last 30 days.
  await exec(`
    insert into messages (wamid, conversation_id, direction, type, text, sent_at, received_at, status, status_rank)
    select 'wamid.bench.m' || g, 1 + h % ${customers},
      case when (h >> 8) % 100 < 55 then 'inbound' else 'outbound' end,
      case when (h >> 8) % 100 < 55 then ${pick('(h >> 16) % 100', INBOUND_TYPES)}
        else case when (h >> 16) % 10 = 0 then 'template' else 'text' end end,
      'message ' || g, t, t,
      case when (h >> 8) % 100 < 55 then 'received' else 'read' end,
      case when (h >> 8) % 100 < 55 then 0 else 3 end
    from (select g, hashint8extended(g, 2) & ${MAX_BIGINT} as h,
            now() - ((hashint8extended(g, 3) & ${MAX_BIGINT}) % (30 * 86400)) * interval '1 second' as t
          from generate_series(1, ${options.messages}::bigint) g) s`);
  await exec(`update conversations c set last_message_at = m.at from (
      select conversation_id, max(sent_at) as at from messages group by 1) m where m.conversation_id = c.id`);

  // Status events: per outbound message sent, mostly sent → delivered → read; 6% failed after sent.
  // ~2.7 events per message: plan enough messages, keep the first N events.
  const planned = Math.ceil(options.statusEvents / 2.6);
  await exec(`
    create unlogged table seed_sends as
    select g, ${numberPick('h % 100')} as phone_number_id,
      now() - ((h >> 8) % (30 * 86400)) * interval '1 second' as sent_at,
      (h >> 32) % 100 as outcome,
      -- delivered after 1 s … 2 min (a few after hours), read 5 s … 3 h after delivery
      case when (h >> 40) % 50 = 0 then 3600 + (h >> 20) % 20000 else 1 + (h >> 20) % 120 end as deliver_s,
      5 + (h >> 44) % 10800 as read_s,
      ${pick('(h >> 52) % 100', ERROR_MIX, false)} as error_code
    from (select g, hashint8extended(g, 4) & ${MAX_BIGINT} as h from generate_series(1, ${planned}::bigint) g) s`);
  await exec(`
    insert into status_events (wamid, status, occurred_at, recipient_id, errors, phone_number_id, error_code)
    select wamid, status, occurred_at, '52155' || (g % 100000000), errors, phone_number_id, error_code from (
      select g, 'wamid.bench.s' || g as wamid, 'sent' as status, sent_at as occurred_at, '[]'::jsonb as errors, phone_number_id, null::int as error_code, 0 as step
      from seed_sends
      union all
      select g, 'wamid.bench.s' || g, 'failed', sent_at + interval '2 seconds',
        jsonb_build_array(jsonb_build_object('code', error_code, 'title', 'Failure ' || error_code)), phone_number_id, error_code::int, 1
      from seed_sends where outcome < 6
      union all
      select g, 'wamid.bench.s' || g, 'delivered', sent_at + deliver_s * interval '1 second', '[]'::jsonb, phone_number_id, null, 1
      from seed_sends where outcome >= 6
      union all
      select g, 'wamid.bench.s' || g, 'read', sent_at + (deliver_s + read_s) * interval '1 second', '[]'::jsonb, phone_number_id, null, 2
      from seed_sends where outcome >= 6 and outcome < 76
    ) e
    where occurred_at <= now()
    order by g, step
    limit ${options.statusEvents}`);
  await exec(`drop table seed_sends`);

  // Webhook deliveries: no bodies are stored, only the hourly counts, and a small backlog.
  await fillWebhookStats(exec);
  await exec(`
    insert into webhook_events (body, body_sha256, received_at, state, next_attempt_at)
    select convert_to('{}', 'UTF8'), sha256(convert_to('bench' || g, 'UTF8')), now() - g * interval '1 second',
      case when g <= 40 then 'pending' else 'failed' end, now() - g * interval '1 second'
    from generate_series(1, 50) g`);

  await fillRollups(exec);
  for (const table of ['contacts', 'conversations', 'webhook_events']) {
    await exec(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
  }
  await exec(`reset work_mem`);
  await exec(`vacuum analyze`);
}

// --- Timing -------------------------------------------------------------------------------------

interface Case {
  name: string;
  run: () => Promise<unknown>;
}

async function main(options: Options): Promise<void> {
  await withScratchDatabase(
    { script: 'bench:analytics', adminUrl: options.adminUrl, name: DB_NAME, keep: options.keep, poolMax: 10 },
    async (database) => {
      const started = performance.now();
      await seed(database, options);
      const [counts] = await queryRows<Record<string, string>>(
        database.db,
        sql`select (select count(*) from status_events) as status_events, (select count(*) from messages) as messages,
              (select count(*) from delivery_timings) as timings, (select count(*) from delivery_stats_hourly) as delivery_rows,
              (select count(*) from message_stats_hourly) as message_rows, (select count(*) from webhook_stats_hourly) as webhook_rows`,
      );
      const n = (k: string) => Number(counts![k]).toLocaleString('en-US');
      console.log(
        `seeded ${n('status_events')} status events, ${n('messages')} messages, ${BENCH_BUSINESS_NUMBERS.length} business numbers ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s (rollups: ${n('delivery_rows')} delivery, ${n('timings')} timings, ` +
          `${n('message_rows')} message, ${n('webhook_rows')} webhook rows)\n`,
      );
      await report(database, options);
    },
  );
}

async function report(database: Database, options: Options): Promise<void> {
  const { db } = database;
  const one = BENCH_BUSINESS_NUMBERS[2][0];
  const cases: Case[] = [];
  for (const range of ['24h', '7d', '30d'] as const satisfies readonly RangeKey[]) {
    for (const number of [null, one]) {
      const query = { range, tz: options.tz, businessPhoneNumberId: number };
      // The window as the API would compute it, fixed for the runs.
      const r = resolveRange(query, new Date());
      const w: AnalyticsWindow = { from: r.from, to: r.to, bucket: r.bucket, tz: r.tz, phoneNumberId: number };
      const label = `${range} ${number ? 'one number' : 'all numbers'}`;
      cases.push(
        { name: `${label}: failures by code (delivery_stats_hourly)`, run: () => deliveryCounts(db, w) },
        { name: `${label}: funnel + medians (delivery_timings)`, run: () => deliveryTimingSummary(db, w) },
        { name: `${label}: inbound by type (message_stats_hourly)`, run: () => inboundCounts(db, w) },
      );
      if (number === null) cases.push({ name: `${label}: webhook health (webhook_stats_hourly)`, run: () => webhookCounts(db, w) });
      cases.push({ name: `${label}: whole API load (all queries, Promise.all)`, run: () => loadAnalytics(db, query) });
    }
  }
  cases.push({ name: 'processing backlog', run: () => getProcessingBacklog(db) });
  cases.push({ name: 'business numbers', run: () => listBusinessNumbers(db) });

  const width = Math.max(...cases.map((c) => c.name.length));
  console.log(`${'query'.padEnd(width)}    p50 ms    p95 ms   goal p95 <= ${GOAL_MS} ms (${options.runs} runs each)`);
  console.log('-'.repeat(width + 46));
  let misses = 0;
  for (const c of cases) {
    const { p50, p95 } = await timeQuery(c.run, options.runs);
    const pass = p95 <= GOAL_MS;
    if (!pass) misses += 1;
    console.log(`${c.name.padEnd(width)} ${p50.toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(9)}   ${pass ? 'PASS' : 'MISS'}`);
  }
  console.log(`\n${cases.length - misses} of ${cases.length} queries within ${GOAL_MS} ms at p95.`);
}

await runCli('bench:analytics', USAGE, readOptions, main);
