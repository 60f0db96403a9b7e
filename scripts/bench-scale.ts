// `npm run bench:scale [-- --scale 0.1 --runs 30 --keep | --reuse]`
//
// The inbox at the size of a large install: seeds PostgreSQL (ticks_bench_scale) with 1,000,000
// conversations and ~10,000,000 messages over the last ~90 days (set-based SQL, no per-row inserts), the
// status events Meta reports for every outbound message and the analytics rollups, then times what the
// inbox asks most through the same query functions the API routes call: the first list page and the
// Mine/Unassigned views, the tab and unread counts, notifications, searches, a thread's first page, a
// message by wamid and the 30-day analytics. Prints generation time, table and index sizes, bytes per
// message, and p50/p95 per query against the goals (inbox p95 <= 50 ms, analytics <= 200 ms). It never
// fails on the figures (exit 1 only when it cannot run).

import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import { countUnreadByView } from '@/db/queries/assignment';
import { countConversationsByStatus } from '@/db/queries/conversation-status';
import { getConversationSummary, listConversations, type ConversationListOptions } from '@/db/queries/conversations';
import { getMediaStates } from '@/db/queries/media';
import { findMessage, getStatusHistories, listThreadMessages, type MessageRef } from '@/db/queries/messages';
import { countUnreadFor, countUnseenMentions, listUnreadFor, listUnseenMentions } from '@/db/queries/notifications';
import { loadAnalytics } from '@/lib/analytics/analytics-api';
import { DEFAULT_PAGE_SIZE } from '@/lib/http/query-params';
import { DELIVERY_ORDER } from '@/lib/whatsapp/status';
import { TARGET_REWRITING_MESSAGE_TYPES } from '@/lib/whatsapp/message-types';
import {
  COMMON_LABEL,
  ERROR_MIX,
  fillRollups,
  fillWebhookStats,
  insertAgents,
  insertBusinessNumbers,
  insertContacts,
  numberPick,
  PHRASES,
  pick,
  RARE_LABEL,
  seedLabels,
  sqlArray,
} from '../tools/bench-seed';
import { BENCH_BUSINESS_NUMBERS, MAX_BIGINT, scratchDatabaseUrl, timeQuery, withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli, UsageError } from './cli-options';

const USAGE = `Usage: npm run bench:scale [-- options]

Seeds PostgreSQL with 1,000,000 conversations, ~10,000,000 messages and their status events (times
--scale), then times the inbox's queries (list, views, counts, search, thread, message by wamid) and
the 30-day analytics, and prints p50/p95 per query, the table and index sizes and the bytes per message.
At full size the generation takes long: keep the database (--keep) and time it again with --reuse.

Options:
  --scale F   Fraction of the full size (default 1; 0.01 is a quick run).
  --runs R    Timed runs per query, after 3 warm-up runs (default 30); each run varies its parameters.
  --keep      Keep the database afterwards (for EXPLAIN ANALYZE) and print its URL.
  --reuse     Time the database a --keep run left (seeded at the same --scale) instead of seeding one;
              it is migrated to the latest schema first, and kept.
  -h, --help  Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_scale
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

const DB_NAME = 'ticks_bench_scale';
const INBOX_GOAL_MS = 50;
const ANALYTICS_GOAL_MS = 200;
const AGENTS = 10;
/** The rarest of BENCH_LABELS (2 in a thousand). */
const PRESS_LABEL = 10;

interface Options {
  scale: number;
  runs: number;
  keep: boolean;
  reuse: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      runs: { type: 'string' },
      keep: { type: 'boolean' },
      reuse: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!Number.isFinite(scale) || scale < 0.001 || scale > 10)
    throw new UsageError(`--scale: expected a number from 0.001 to 10, got "${values.scale}"`);
  return {
    scale,
    runs: intOption('runs', values.runs, 30, 1, 10_000),
    keep: values.keep === true,
    reuse: values.reuse === true,
    adminUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

// --- Data ---------------------------------------------------------------------------------------

const h = (seedExpr: string, salt: number) => `(hashint8extended(${seedExpr}, ${salt}) & ${MAX_BIGINT})`;

/** An outbound message's fate (0..99 from its id): 3% failed, 22% delivered only, the rest read. */
const OUTCOME = `${h('m.id', 7)} % 100`;
const FAILED = `${OUTCOME} < 3`;
const READ = `${OUTCOME} >= 25`;
/** Seconds from sending to delivery (1 s … 2 min, a few after hours) and from delivery to reading (5 s … 3 h). */
const DELIVER_S = `case when ${h('m.id', 8)} % 50 = 0 then 3600 + ${h('m.id', 8)} % 20000 else 1 + ${h('m.id', 8)} % 120 end`;
const READ_S = `5 + ${h('m.id', 9)} % 10800`;
const ERROR_CODE = pick(`${h('m.id', 10)} % 100`, ERROR_MIX, false);
const WAMID = (id: string) => `'wamid.HBgM' || upper(md5(${id}::text)) || 'FQIAEhgU'`;

/** Tables whose secondary indexes are dropped while they fill and built again after (much faster than row by row). */
const BULK_TABLES = ['contacts', 'conversations', 'messages', 'status_events', 'conversation_labels', 'media_items', 'delivery_timings'];

/** Runs `statement`, printing how long it took. */
async function step(label: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  console.log(`  ${label.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(1).padStart(8)} s`);
}

/**
 * Everything derives from hashes of row numbers: the same data set on every run. One connection, so
 * the session settings hold; foreign keys are not checked while filling (session_replication_role):
 * the rows are consistent by construction.
 */
async function seed(url: string, scale: number): Promise<void> {
  const conn = postgres(url, { max: 1, onnotice: () => {} });
  const exec = (text: string) => conn.unsafe(text);
  const conversations = Math.max(1_000, Math.round(1_000_000 * scale));
  try {
    await exec(`set maintenance_work_mem = '1GB'`);
    await exec(`set work_mem = '256MB'`);
    await exec(`set synchronous_commit = off`);
    await exec(`set session_replication_role = replica`);
    const indexes = await conn.unsafe<{ name: string; def: string }[]>(`
      select i.relname as name, pg_get_indexdef(i.oid) as def
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      where t.relnamespace = 'public'::regnamespace and t.relname = any(${sqlArray(BULK_TABLES)})
        and not exists (select 1 from pg_constraint k where k.conindid = i.oid)`);
    for (const { name } of indexes) await exec(`drop index ${name}`);

    await step('business numbers, agents, contacts', async () => {
      await insertBusinessNumbers(exec);
      await insertAgents(exec, AGENTS);
      await insertContacts(exec, conversations);
    });
    // One plan row per conversation: how many messages (most 1–12, 4% long threads of 50–150), when the
    // last one was (within the last 90 days), the gap between them, status and assignee.
    await step('conversation plan', () =>
      exec(`
        create unlogged table seed_plan as
        select id, phone_number_id, wa_id, message_count, last_at, gap_s, status, snoozed_until, assignee_id,
          (sum(message_count) over (order by id) - message_count)::bigint as first_id
        from (
          select c.id, ${numberPick(`${h('c.id', 2)} % 100`)} as phone_number_id, coalesce(c.wa_id, c.user_id) as wa_id,
            case when (${h('c.id', 2)} >> 8) % 100 < 4 then 50 + (${h('c.id', 2)} >> 16) % 101 else 1 + (${h('c.id', 2)} >> 16) % 12 end as message_count,
            now() - (${h('c.id', 2)} >> 24) % (90 * 86400) * interval '1 second' as last_at,
            60 + (${h('c.id', 3)} >> 8) % 3600 as gap_s,
            -- 60% resolved, 25% open, 10% pending, 5% snoozed (for up to 30 days from now).
            case when ${h('c.id', 3)} % 100 < 60 then 'resolved' when ${h('c.id', 3)} % 100 < 85 then 'open'
              when ${h('c.id', 3)} % 100 < 95 then 'pending' else 'snoozed' end as status,
            now() + (${h('c.id', 3)} >> 20) % (30 * 86400) * interval '1 second' as snoozed_until,
            -- Ten agents hold 85% of the conversations.
            case when (${h('c.id', 5)} >> 8) % 100 < 85 then 'bench-agent-' || (1 + ${h('c.id', 5)} % ${AGENTS}) end as assignee_id
          from contacts c) s`),
    );
    // Messages: odd ones from the customer (1 in 12 a photo), even ones ours (text, by the assignee);
    // ids are first_id + k, so a conversation's last message is first_id + message_count.
    await step('messages', () =>
      exec(`
        insert into messages (id, wamid, conversation_id, direction, type, text, sent_at, received_at, status, status_rank,
          status_at, errors, media, content, raw, client_id, sent_by_user_id, sent_by_name)
        select id, wamid, conversation_id, direction, type, text, sent_at, sent_at, status, status_rank, status_at, errors,
          content -> 'media', content,
          case when direction = 'inbound' then jsonb_build_object('from', wa_id, 'id', wamid,
            'timestamp', extract(epoch from sent_at)::bigint::text, 'type', type) ||
            case when type = 'text' then jsonb_build_object('text', jsonb_build_object('body', text))
              else jsonb_build_object('image', jsonb_build_object('id', content #>> '{media,id}', 'mime_type', 'image/jpeg',
                'sha256', content #>> '{media,sha256}')) end end,
          client_id, sent_by_user_id, sent_by_name
        from (
          select m.id, ${WAMID('m.id')} as wamid, p.id as conversation_id, p.wa_id, m.direction, m.type, m.text, m.sent_at,
            case when m.direction = 'inbound' then 'received' when ${FAILED} then 'failed' when ${READ} then 'read' else 'delivered' end as status,
            case when m.direction = 'inbound' then 0 when ${FAILED} then 5 when ${READ} then 3 else 2 end as status_rank,
            case when m.direction = 'outbound' then m.sent_at + case when ${FAILED} then interval '2 seconds'
              else (${DELIVER_S} + case when ${READ} then ${READ_S} else 0 end) * interval '1 second' end end as status_at,
            case when m.direction = 'outbound' and ${FAILED} then jsonb_build_array(jsonb_build_object('code', ${ERROR_CODE},
              'title', 'Failure ' || ${ERROR_CODE})) else '[]'::jsonb end as errors,
            case when m.type = 'image' then jsonb_build_object('v', 1, 'type', 'image', 'media', jsonb_build_object(
                'id', (1000000000000000 + m.id)::text, 'mimeType', 'image/jpeg', 'sha256', md5(m.id::text), 'caption', null,
                'filename', null, 'voice', false, 'animated', false, 'url', null))
              else jsonb_build_object('v', 1, 'type', 'text', 'body', m.text) end as content,
            case when m.direction = 'outbound' then md5('client' || m.id)::uuid::text end as client_id,
            case when m.direction = 'outbound' then p.assignee_id end as sent_by_user_id,
            case when m.direction = 'outbound' then replace(coalesce(p.assignee_id, 'bench-agent-1'), 'bench-agent-', 'Agent ') end as sent_by_name
          from seed_plan p, generate_series(1, p.message_count) k,
            lateral (select p.first_id + k as id,
              case when k % 2 = 1 then 'inbound' else 'outbound' end as direction,
              case when k % 2 = 1 and ${h('p.first_id + k', 6)} % 12 = 0 then 'image' else 'text' end as type,
              case when k % 2 = 1 and ${h('p.first_id + k', 6)} % 12 = 0 then null
                when ${h('p.first_id + k', 6)} % 7 = 0 then (array['Pedido #', 'Order #', 'Bestellung #'])[1 + (${h('p.first_id + k', 6)} >> 4) % 3] ||
                  (10000 + (${h('p.first_id + k', 6)} >> 8) % 90000) || ' ' ||
                  (array['¿dónde está?', 'still not delivered', 'wurde storniert', 'entregado, gracias'])[1 + (${h('p.first_id + k', 6)} >> 24) % 4]
                else (${sqlArray(PHRASES)})[1 + (${h('p.first_id + k', 6)} >> 4) % ${PHRASES.length}] end as text,
              p.last_at - (p.message_count - k) * p.gap_s * interval '1 second' as sent_at) m
        ) x`),
    );
    await step('conversations', () =>
      exec(`
        insert into conversations (id, phone_number_id, contact_id, last_message_at, last_message_id, unread_count, last_inbound_at,
          created_at, status, snoozed_until, status_changed_at, assignee_id, assigned_at)
        select id, phone_number_id, id, last_at, first_id + message_count,
          -- Unread only when the customer wrote last (odd counts) and it is open (their message opened it).
          case when message_count % 2 = 1 and status = 'open' then 1 + ${h('id', 11)} % 3 else 0 end,
          last_at - (1 - message_count % 2) * gap_s * interval '1 second',
          last_at - (message_count - 1) * gap_s * interval '1 second',
          status, case when status = 'snoozed' then snoozed_until end, last_at, assignee_id,
          case when assignee_id is not null then last_at - (message_count - 1) * gap_s * interval '1 second' end
        from seed_plan`),
    );
    // The tabs' counts, as migration 0018 backfills them (its triggers do not fire while replicating).
    await exec(`
      insert into conversation_status_counts (phone_number_id, status, delta)
      select phone_number_id, status, count(*) from conversations group by 1, 2`);
    await step('media items (inbound photos, downloaded)', () =>
      exec(`
        insert into media_items (message_id, media_id, kind, mime_type, state, attempts, storage_key, size, created_at, downloaded_at)
        select id, content #>> '{media,id}', 'image', 'image/jpeg', 'downloaded', 1, encode(sha256(id::text::bytea), 'hex'),
          40000 + id % 400000, sent_at, sent_at + interval '3 seconds'
        from messages where type = 'image'`),
    );
    // What Meta reports per outbound message: sent, then delivered and read, or failed. sent and delivered
    // carry the conversation and pricing (also in their own columns, as the processor stores them).
    await step('status events', () =>
      exec(`
        insert into status_events (wamid, status, occurred_at, recipient_id, errors, pricing, conversation, raw, received_at,
          phone_number_id, error_code)
        select m.wamid, e.status, e.at, p.wa_id, case when e.status = 'failed' then m.errors else '[]'::jsonb end, e.pricing, e.conversation,
          jsonb_build_object('id', m.wamid, 'status', e.status, 'timestamp', extract(epoch from e.at)::bigint::text, 'recipient_id', p.wa_id) ||
            case when e.conversation is null then '{}'::jsonb else jsonb_build_object('conversation', e.conversation, 'pricing', e.pricing) end ||
            case when e.status = 'failed' then jsonb_build_object('errors', m.errors) else '{}'::jsonb end,
          e.at + interval '1 second', p.phone_number_id, case when e.status = 'failed' then (m.errors -> 0 ->> 'code')::int end
        from messages m
        join seed_plan p on p.id = m.conversation_id
        cross join lateral (select jsonb_build_object('id', md5('conv' || p.id), 'expiration_timestamp',
            extract(epoch from m.sent_at + interval '24 hours')::bigint::text, 'origin', jsonb_build_object('type', 'service')) as conversation,
          jsonb_build_object('billable', false, 'pricing_model', 'PMP', 'category', 'service', 'type', 'free_customer_service') as pricing) c
        cross join lateral (values
          ('sent', m.sent_at + interval '1 second', c.conversation, c.pricing),
          ('delivered', m.sent_at + (${DELIVER_S}) * interval '1 second', c.conversation, c.pricing),
          ('read', m.sent_at + (${DELIVER_S} + ${READ_S}) * interval '1 second', null, null),
          ('failed', m.sent_at + interval '2 seconds', null, null)) e(status, at, conversation, pricing)
        where m.direction = 'outbound' and e.at <= now()
          and case e.status when 'sent' then true when 'failed' then ${FAILED} when 'delivered' then not (${FAILED})
            else ${READ} end`),
    );
    await step('labels', () => seedLabels(exec));
    await step('analytics rollups', async () => {
      await fillRollups(exec);
      await fillWebhookStats(exec);
    });
    await exec(`drop table seed_plan`);
    await exec(`reset session_replication_role`);
    for (const table of ['contacts', 'conversations', 'status_events']) {
      await exec(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    await exec(`select setval(pg_get_serial_sequence('messages', 'id'), (select max(id) from messages))`);
    await step(`indexes (${indexes.length}, built after the rows)`, async () => {
      // A partitioned table's index is defined ON ONLY the parent; built that way it stays invalid, with no
      // index on the partitions (status_events' wamid index: a thread's statuses read every row).
      for (const { def } of indexes) await exec(def.replace(' ON ONLY ', ' ON '));
    });
    await step('vacuum analyze', () => exec(`vacuum analyze`));
    await exec(`comment on database ${DB_NAME} is '${seededMark(scale)}'`);
  } finally {
    await conn.end({ timeout: 5 });
  }
}

/** What a finished seed leaves on the database: --reuse times only a database seeded to the end at its scale. */
const seededMark = (scale: number) => `bench:scale seeded at scale ${scale}`;

async function seededScale(db: Db): Promise<string | null> {
  const [row] = await queryRows<{ mark: string | null }>(
    db,
    sql`select shobj_description(oid, 'pg_database') as mark from pg_database where datname = current_database()`,
  );
  return row?.mark ?? null;
}

// --- Sizes --------------------------------------------------------------------------------------

interface TableSize {
  name: string;
  rows: number;
  table: number;
  indexes: number;
}

/** Heap (with TOAST) and index bytes per table; a partitioned table counts its partitions. */
async function tableSizes(db: Db): Promise<TableSize[]> {
  const rows = await queryRows<{ name: string; rows: string; table: string; indexes: string }>(
    db,
    // pg_partition_tree lists a partitioned table and its partitions, and nothing for a plain table.
    sql`select t.relname as name, sum(greatest(c.reltuples, 0)) as rows, sum(pg_table_size(c.oid)) as table,
          sum(pg_indexes_size(c.oid)) as indexes
        from pg_class t
        cross join lateral (select t.oid as relid union select relid from pg_partition_tree(t.oid)) p
        join pg_class c on c.oid = p.relid
        where t.relnamespace = 'public'::regnamespace and t.relkind in ('r', 'p') and not t.relispartition
        group by t.relname order by 3 desc, 4 desc`,
  );
  return rows.map((r) => ({ name: r.name, rows: Number(r.rows), table: Number(r.table), indexes: Number(r.indexes) }));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

function printSizes(sizes: TableSize[], messageCount: number): void {
  console.log(`\n${'table'.padEnd(24)} ${'rows (est.)'.padStart(14)} ${'table+toast'.padStart(12)} ${'indexes'.padStart(10)}`);
  for (const s of sizes.filter((s) => s.table + s.indexes >= 1024 * 1024)) {
    console.log(`${s.name.padEnd(24)} ${count(s.rows).padStart(14)} ${mb(s.table).padStart(12)} ${mb(s.indexes).padStart(10)}`);
  }
  const total = (names: string[]) =>
    sizes
      .filter((s) => names.includes(s.name))
      .reduce((sum, s) => ({ table: sum.table + s.table, indexes: sum.indexes + s.indexes }), { table: 0, indexes: 0 });
  const own = total(['messages', 'status_events']);
  const all = total(sizes.map((s) => s.name));
  const per = (bytes: number) => Math.round(bytes / messageCount);
  console.log(
    `\nbytes per message: ${per(own.table + own.indexes)} (messages + status_events, tables ${per(own.table)} + indexes ${per(own.indexes)}); ` +
      `${per(all.table + all.indexes)} with every table (${mb(all.table + all.indexes)} over ${count(messageCount)} messages)`,
  );
}

// --- Timing -------------------------------------------------------------------------------------

interface Case {
  name: string;
  goal: number;
  run: () => Promise<unknown>;
}

/** Calls `run` with each of `values` in turn, one per call. */
function rotating<T>(values: T[], run: (value: T) => Promise<unknown>): () => Promise<unknown> {
  let i = 0;
  return () => run(values[i++ % values.length]!);
}

async function main(options: Options): Promise<void> {
  const url = scratchDatabaseUrl(options.adminUrl, DB_NAME).toString();
  await withScratchDatabase(
    { script: 'bench:scale', adminUrl: options.adminUrl, name: DB_NAME, keep: options.keep, reuse: options.reuse, poolMax: 10 },
    async (database, fresh) => {
      if (fresh) {
        console.log(`seeding ${DB_NAME} at scale ${options.scale}:`);
        const started = performance.now();
        await seed(url, options.scale);
        console.log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      } else {
        const mark = await seededScale(database.db);
        if (mark !== seededMark(options.scale))
          throw new UsageError(
            `--reuse: ${DB_NAME} was not seeded to the end at scale ${options.scale} (${mark ?? 'no mark'}); run without --reuse`,
          );
        console.log(`reusing ${DB_NAME} (${mark})`);
      }
      await report(database, options);
    },
  );
}

async function report(database: Database, options: Options): Promise<void> {
  const { db } = database;
  const [counts] = await queryRows<{ conversations: string; messages: string; status_events: string }>(
    db,
    sql`select (select count(*) from conversations) as conversations, (select count(*) from messages) as messages,
          (select count(*) from status_events) as status_events`,
  );
  const messageCount = Number(counts!.messages);
  console.log(
    `\n${count(Number(counts!.conversations))} conversations, ${count(messageCount)} messages, ` +
      `${count(Number(counts!.status_events))} status events, ${BENCH_BUSINESS_NUMBERS.length} business numbers, ${AGENTS} agents`,
  );
  printSizes(await tableSizes(db), messageCount);

  // Varied parameters: every agent, a spread of conversations (long threads among them), messages, names.
  const agents = Array.from({ length: AGENTS }, (_, i) => `bench-agent-${i + 1}`);
  const sample = await queryRows<{ id: string; wamid: string }>(
    db,
    sql`select c.id, m.wamid from conversations c join messages m on m.id = c.last_message_id
        where c.id % 997 = 0 order by c.id limit ${options.runs + 3}`,
  );
  const conversationIds = sample.map((r) => Number(r.id));
  // The seed numbers each conversation's messages after the previous one's: the gap between last ids is a thread's length.
  const longThreads = await queryRows<{ id: string }>(
    db,
    sql`select id from (select id, last_message_id - lag(last_message_id) over (order by id) as n from conversations where id <= 50000) s
        where n >= 50 limit ${options.runs + 3}`,
  );
  const messageIds = Array.from({ length: options.runs + 3 }, (_, i) => Math.floor(((i + 1) * messageCount) / (options.runs + 4)));
  const wamids = await queryRows<{ wamid: string }>(
    db,
    sql`select wamid from messages where id in ${sql.raw(`(${messageIds.join(', ')})`)}`,
  );
  const page = (o: Omit<ConversationListOptions, 'limit'>) => listConversations(db, { limit: DEFAULT_PAGE_SIZE, ...o });
  const thread = async (id: number) => {
    // As GET /api/conversations/{id}/messages: the header, the page, its status histories and files.
    const conversation = await getConversationSummary(db, id);
    const { rows } = await listThreadMessages(db, conversation!.id, { hidden: TARGET_REWRITING_MESSAGE_TYPES, limit: DEFAULT_PAGE_SIZE });
    const wamidsOf = rows.flatMap((r) => (r.wamid === null ? [] : [r.wamid]));
    await Promise.all([
      getStatusHistories(db, wamidsOf, DELIVERY_ORDER),
      getMediaStates(
        db,
        rows.map((r) => r.id),
      ),
    ]);
  };
  const message = async (ref: MessageRef) => {
    // As GET /api/messages/{id}.
    const row = await findMessage(db, ref);
    await Promise.all([getStatusHistories(db, [row!.wamid!], DELIVERY_ORDER), getMediaStates(db, [row!.id])]);
  };
  const notifications = async (userId: string) => {
    // As GET /api/me/notifications (with unassigned conversations too: the larger answer).
    await Promise.all([
      countUnreadFor(db, userId, true),
      listUnreadFor(db, userId, true, 20),
      countUnseenMentions(db, userId),
      listUnseenMentions(db, userId, 20),
    ]);
  };
  const one = BENCH_BUSINESS_NUMBERS[2][0];

  const inbox = (name: string, run: () => Promise<unknown>): Case => ({ name, goal: INBOX_GOAL_MS, run });
  const cases: Case[] = [
    inbox('first page (all)', () => page({})),
    inbox('first page, Open', () => page({ status: 'open' })),
    inbox('first page, one business number', () => page({ phoneNumberId: one })),
    inbox(
      'Mine, Open (each agent)',
      rotating(agents, (userId) => page({ status: 'open', assignee: { userId } })),
    ),
    inbox(
      'Mine, Resolved (each agent)',
      rotating(agents, (userId) => page({ status: 'resolved', assignee: { userId } })),
    ),
    inbox('Unassigned, Open', () => page({ status: 'open', assignee: { unassigned: true } })),
    inbox('label VIP (30%), Open', () => page({ status: 'open', labelId: COMMON_LABEL })),
    inbox('label Legal (0.5%)', () => page({ labelId: RARE_LABEL })),
    inbox('label Press (0.2%)', () => page({ labelId: PRESS_LABEL })),
    // GET /api/conversations/counts?status=open is these two side by side.
    inbox('counts per status (the tabs)', () => countConversationsByStatus(db)),
    inbox(
      'unread per view, Open (each agent)',
      rotating(agents, (userId) => countUnreadByView(db, { userId, status: 'open' })),
    ),
    inbox(
      'unread per view, every status (each agent)',
      rotating(agents, (userId) => countUnreadByView(db, { userId })),
    ),
    inbox('notifications (each agent)', rotating(agents, notifications)),
    inbox(
      'search a name (varied)',
      rotating(['sofía ramírez', 'hernández', 'oliver', 'chen wang', 'beatriz'], (q) => page({ q })),
    ),
    inbox('search a number "4477"', () => page({ q: '4477' })),
    inbox('search text "pedido #4821"', () => page({ q: 'pedido #4821' })),
    inbox('search no match "zzqxj"', () => page({ q: 'zzqxj' })),
    inbox("a thread's first page (varied)", rotating(conversationIds, thread)),
    inbox(
      "a long thread's first page (varied)",
      rotating(
        longThreads.map((r) => Number(r.id)),
        thread,
      ),
    ),
    inbox(
      'a message by wamid (varied)',
      rotating(wamids, ({ wamid }) => message({ wamid })),
    ),
    {
      name: 'analytics, 30 days, all numbers',
      goal: ANALYTICS_GOAL_MS,
      run: () => loadAnalytics(db, { range: '30d', tz: 'UTC', businessPhoneNumberId: null }),
    },
    {
      name: 'analytics, 30 days, one number',
      goal: ANALYTICS_GOAL_MS,
      run: () => loadAnalytics(db, { range: '30d', tz: 'UTC', businessPhoneNumberId: one }),
    },
  ];

  const width = Math.max(...cases.map((c) => c.name.length));
  console.log(`\n${'query'.padEnd(width)}    p50 ms    p95 ms   goal p95 (${options.runs} runs each)`);
  console.log('-'.repeat(width + 42));
  let misses = 0;
  for (const c of cases) {
    const { p50, p95 } = await timeQuery(c.run, options.runs);
    const pass = p95 <= c.goal;
    if (!pass) misses += 1;
    console.log(
      `${c.name.padEnd(width)} ${p50.toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(9)}   <= ${c.goal} ${pass ? 'PASS' : 'MISS'}`,
    );
  }
  console.log(`\n${cases.length - misses} of ${cases.length} queries within their goal at p95.`);
}

await runCli('bench:scale', USAGE, readOptions, main);
