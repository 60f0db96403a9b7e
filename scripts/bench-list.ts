// `npm run bench:list [-- --runs 30 --conversations 100000 --keep]`
//
// Times the inbox list queries at scale: seeds a fresh PostgreSQL database (ticks_bench_list) with
// 100,000 conversations of 2–5 messages each across several business numbers (60% resolved, 25% open,
// 10% pending, 5% snoozed), 10 labels (one on 30% of them, one on 0.5%) and 10 agents (80% of the
// conversations assigned, evenly), runs the migrations,
// times each list query the way the API runs it (listConversations), prints p50/p95 per query, and
// drops the database. It prints figures and never fails on them (exit 1 only when it cannot run).

import { parseArgs } from 'node:util';
import { queryRows, sql, type Database } from '@/db/client';
import { listBusinessNumbers } from '@/db/queries/business-numbers';
import { countUnreadByView } from '@/db/queries/assignment';
import { countConversationsByStatus } from '@/db/queries/conversation-status';
import { listConversations, listKeyOf, type ConversationListKey, type ConversationListOptions } from '@/db/queries/conversations';
import { listLabels } from '@/db/queries/labels';
import {
  COMMON_LABEL,
  insertAgents,
  insertBusinessNumbers,
  insertContacts,
  PHRASES,
  RARE_LABEL,
  seedLabels,
  sqlArray,
  sqlText,
} from '../tools/bench-seed';
import { BENCH_BUSINESS_NUMBERS, MAX_BIGINT, timeQuery, withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli } from './cli-options';

const USAGE = `Usage: npm run bench:list [-- options]

Seeds a fresh PostgreSQL database with conversations and messages, then times the inbox list
queries (first page, a deep page, one business number, searches, the status tabs and their counts,
the label filter alone and with a tab, the Mine and Unassigned views and their unread counts)
and prints p50/p95 per query.

Options:
  --conversations N  Conversations to seed (default 100000); each gets 2–5 messages.
  --runs R           Timed runs per query, after 3 warm-up runs (default 30).
  --keep             Keep the database afterwards (for EXPLAIN ANALYZE) and print its URL.
                     An interrupted run leaves it too; the next run replaces it.
  -h, --help         Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_list
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

const DB_NAME = 'ticks_bench_list';
const PAGE = 50;
const DEEP_PAGE = 50;

interface Options {
  conversations: number;
  runs: number;
  keep: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      conversations: { type: 'string' },
      runs: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    conversations: intOption('conversations', values.conversations, 100_000, 1_000, 10_000_000),
    runs: intOption('runs', values.runs, 30, 1, 10_000),
    keep: values.keep === true,
    adminUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

// --- Data ---------------------------------------------------------------------------------------

/** Agents the conversations are assigned to (one in five stays unassigned). */
const BENCH_AGENTS = 10;
const MINE = 'bench-agent-3';

/** Everything derives from hashes of the row number: the same data set on every run, no random(). */
async function seed(database: Database, conversations: number): Promise<void> {
  const { db } = database;
  await db.execute(sql.raw(`set maintenance_work_mem = '256MB'`));
  const exec = (text: string) => db.execute(sql.raw(text));
  await insertBusinessNumbers(exec);
  await insertContacts(exec, conversations);
  // Conversations: one per contact, spread over the business numbers by their share; 1 in 400 has no message yet.
  const numberCase = `case ${BENCH_BUSINESS_NUMBERS.reduce<{ at: number; parts: string[] }>(
    (acc, [id, , share]) => {
      acc.at += share;
      acc.parts.push(`when h % 100 < ${acc.at} then ${sqlText(id)}`);
      return acc;
    },
    { at: 0, parts: [] },
  ).parts.join(' ')} end`;
  await db.execute(
    sql.raw(`
      create unlogged table seed_plan as
      select g as id, ${numberCase} as phone_number_id,
        case when g % 400 = 0 then 0 else 2 + h % 4 end as message_count,
        -- The last message: somewhere in the 90 days before 2026-03-01; earlier ones 1–30 minutes apart.
        timestamptz '2026-03-01' - ((h >> 12) % (90 * 86400)) * interval '1 second' as last_at,
        1 + (h >> 20) % 30 as gap_minutes,
        (h >> 28) % 4 as unread,
        -- The status tabs: 60% resolved, 25% open, 10% pending, 5% snoozed (for up to 30 days from now).
        case when (h >> 36) % 100 < 60 then 'resolved' when (h >> 36) % 100 < 85 then 'open'
          when (h >> 36) % 100 < 95 then 'pending' else 'snoozed' end as status,
        now() + ((h >> 44) % (30 * 86400)) * interval '1 second' as snoozed_until
      from (select g, hashint8extended(g, 2) & ${MAX_BIGINT} as h from generate_series(1, ${conversations}::bigint) g) s`),
  );
  await db.execute(
    sql.raw(`
      insert into conversations (id, phone_number_id, contact_id, last_message_at, unread_count, status, snoozed_until)
      select id, phone_number_id, id,
        case when message_count > 0 then last_at end,
        -- Unread only when the customer wrote last (odd message numbers are inbound).
        case when message_count % 2 = 1 then unread else 0 end,
        status, case when status = 'snoozed' then snoozed_until end
      from seed_plan`),
  );
  // Messages: odd ones from the customer, even ones ours; 1 in 12 a photo without a caption; some name an order.
  await db.execute(
    sql.raw(`
      insert into messages (wamid, conversation_id, direction, type, text, sent_at, status, status_rank)
      select 'wamid.HBgM' || md5(p.id || ':' || k), p.id,
        case when k % 2 = 1 then 'inbound' else 'outbound' end,
        case when mh % 12 = 0 then 'image' else 'text' end,
        case when mh % 12 = 0 then null
          when mh % 7 = 0 then (array['Pedido #', 'Order #', 'Bestellung #'])[1 + (mh >> 4) % 3] || (10000 + (mh >> 8) % 90000) || ' ' ||
            (array['¿dónde está?', 'still not delivered', 'wurde storniert', 'entregado, gracias'])[1 + (mh >> 24) % 4]
          else (${sqlArray(PHRASES)})[1 + (mh >> 4) % ${PHRASES.length}] end,
        p.last_at - (p.message_count - k) * p.gap_minutes * interval '1 minute',
        case when k % 2 = 1 then 'received' else 'read' end,
        case when k % 2 = 1 then 0 else 3 end
      from seed_plan p, generate_series(1, p.message_count) k, lateral (select hashint8extended(p.id * 8 + k, 3) & ${MAX_BIGINT} as mh) m`),
  );
  // Each conversation's newest message is its last one (k = message_count).
  await db.execute(
    sql.raw(`
      update conversations c set last_message_id = m.id
      from seed_plan p join messages m on m.wamid = 'wamid.HBgM' || md5(p.id || ':' || p.message_count)
      where c.id = p.id and p.message_count > 0`),
  );
  await db.execute(sql.raw(`drop table seed_plan`));
  await seedLabels(exec);
  // Assignees: ten agents share 80% of the conversations evenly; the rest are unassigned.
  await insertAgents(exec, BENCH_AGENTS);
  await db.execute(
    sql.raw(`
      update conversations set assignee_id = 'bench-agent-' || (1 + h % ${BENCH_AGENTS}), assigned_at = last_message_at
      from (select id as cid, hashint8extended(id, 5) & ${MAX_BIGINT} as h from conversations) s
      where id = s.cid and (s.h >> 8) % 100 < 80`),
  );
  for (const table of ['contacts', 'conversations']) {
    await db.execute(sql.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`));
  }
  await db.execute(sql.raw(`vacuum analyze`));
}

// --- Timing -------------------------------------------------------------------------------------

interface Case {
  name: string;
  run: () => Promise<number>;
}

async function main(options: Options): Promise<void> {
  await withScratchDatabase(
    { script: 'bench:list', adminUrl: options.adminUrl, name: DB_NAME, keep: options.keep, poolMax: 2 },
    async (database) => {
      const started = performance.now();
      await seed(database, options.conversations);
      const [counts] = await queryRows<{ conversations: string; messages: string }>(
        database.db,
        sql`select (select count(*) from conversations) as conversations, (select count(*) from messages) as messages`,
      );
      console.log(
        `seeded ${Number(counts!.conversations).toLocaleString('en-US')} conversations, ` +
          `${Number(counts!.messages).toLocaleString('en-US')} messages, ${BENCH_BUSINESS_NUMBERS.length} business numbers ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      await report(database, options);
    },
  );
}

async function report(database: Database, options: Options): Promise<void> {
  const { db } = database;
  const list = async (o: Omit<ConversationListOptions, 'limit'>) => (await listConversations(db, { limit: PAGE, ...o })).rows.length;

  // The cursor of page DEEP_PAGE, reached the way a client would: following nextCursor.
  let deep: ConversationListKey | undefined;
  for (let page = 1; page < DEEP_PAGE; page++) {
    const { rows } = await listConversations(db, { limit: PAGE, after: deep });
    deep = listKeyOf(rows.at(-1)!);
  }
  const [number] = await queryRows<{ phone_number_id: string }>(
    db,
    sql`select phone_number_id from business_numbers order by phone_number_id offset 2 limit 1`,
  );
  const [someone] = await queryRows<{ wa_id: string }>(
    db,
    sql`select wa_id from contacts where wa_id like '52155%' order by id limit 1 offset 500`,
  );
  /** The counts are one row. */
  const countsRow = async (o: { phoneNumberId?: string }) => {
    await countConversationsByStatus(db, o);
    return 1;
  };
  // Page 2 of Pending, reached by its first page's cursor.
  const pendingFirst = await listConversations(db, { limit: PAGE, status: 'pending' });
  const pendingAfter = listKeyOf(pendingFirst.rows.at(-1)!);
  const mine = { userId: MINE };
  const unassigned = { unassigned: true as const };
  const mineFirst = await listConversations(db, { limit: PAGE, status: 'open', assignee: mine });
  const mineAfter = listKeyOf(mineFirst.rows.at(-1)!);
  const unreadRow = async (status?: 'open' | 'resolved') => {
    await countUnreadByView(db, { userId: MINE, status });
    return 1;
  };
  // Page 2 of the rare label, reached by its first page's cursor.
  const rareFirst = await listConversations(db, { limit: PAGE, labelId: RARE_LABEL });
  const rareAfter = listKeyOf(rareFirst.rows.at(-1)!);
  // "+52 1 55 1234 5678" as a person would type it: the digits-only variant finds it.
  const typed = someone!.wa_id.replace(/^(\d{2})(\d)(\d{2})(\d{4})(\d+)$/, '+$1 $2 $3 $4 $5');

  const cases: Case[] = [
    { name: 'first page', run: () => list({}) },
    { name: `page ${DEEP_PAGE} (cursor)`, run: () => list({ after: deep }) },
    { name: 'one business number (15% of all)', run: () => list({ phoneNumberId: number!.phone_number_id }) },
    { name: 'search name "sofía ramírez"', run: () => list({ q: 'sofía ramírez' }) },
    { name: 'search name "hernández"', run: () => list({ q: 'hernández' }) },
    { name: `search number "${typed}"`, run: () => list({ q: typed }) },
    { name: 'search number "4477"', run: () => list({ q: '4477' }) },
    { name: 'search text "pedido #4821"', run: () => list({ q: 'pedido #4821' }) },
    { name: 'search text "gracias"', run: () => list({ q: 'gracias' }) },
    { name: 'search 2 letters "ma"', run: () => list({ q: 'ma' }) },
    { name: 'search 2 letters "qx" (no match)', run: () => list({ q: 'qx' }) },
    { name: 'search "%" (no trigram)', run: () => list({ q: '%' }) },
    { name: 'search no match "zzqxj"', run: () => list({ q: 'zzqxj' }) },
    { name: 'search + business number', run: () => list({ q: 'garcía', phoneNumberId: number!.phone_number_id }) },
    { name: 'business numbers with counts', run: async () => (await listBusinessNumbers(db)).length },
    { name: 'Open, first page', run: () => list({ status: 'open' }) },
    { name: 'Resolved, first page', run: () => list({ status: 'resolved' }) },
    { name: 'Pending, page 2 (cursor)', run: () => list({ status: 'pending', after: pendingAfter }) },
    { name: 'Snoozed, first page', run: () => list({ status: 'snoozed' }) },
    { name: 'Open, one business number', run: () => list({ status: 'open', phoneNumberId: number!.phone_number_id }) },
    { name: 'counts per status', run: () => countsRow({}) },
    { name: 'counts per status, one business number', run: () => countsRow({ phoneNumberId: number!.phone_number_id }) },
    { name: 'label VIP (30%), first page', run: () => list({ labelId: COMMON_LABEL }) },
    { name: 'label Legal (0.5%), first page', run: () => list({ labelId: RARE_LABEL }) },
    { name: 'label Legal (0.5%), page 2 (cursor)', run: () => list({ labelId: RARE_LABEL, after: rareAfter }) },
    { name: 'label Wholesale (2%), first page', run: () => list({ labelId: 5 }) },
    { name: 'label Billing (8%), first page', run: () => list({ labelId: 3 }) },
    { name: 'label VIP + Open', run: () => list({ labelId: COMMON_LABEL, status: 'open' }) },
    { name: 'label Legal + Open', run: () => list({ labelId: RARE_LABEL, status: 'open' }) },
    {
      name: 'label Legal + Open, one business number',
      run: () => list({ labelId: RARE_LABEL, status: 'open', phoneNumberId: number!.phone_number_id }),
    },
    { name: 'labels with counts', run: async () => (await listLabels(db)).length },
    { name: 'Mine (1 of 10 agents), Open', run: () => list({ status: 'open', assignee: mine }) },
    { name: 'Mine, Open, page 2 (cursor)', run: () => list({ status: 'open', assignee: mine, after: mineAfter }) },
    { name: 'Mine, Resolved', run: () => list({ status: 'resolved', assignee: mine }) },
    { name: 'Mine + label VIP, Open', run: () => list({ status: 'open', assignee: mine, labelId: COMMON_LABEL }) },
    { name: 'Mine + label Legal, Open', run: () => list({ status: 'open', assignee: mine, labelId: RARE_LABEL }) },
    { name: 'Unassigned, Open', run: () => list({ status: 'open', assignee: unassigned }) },
    { name: 'Unassigned, Resolved', run: () => list({ status: 'resolved', assignee: unassigned }) },
    { name: 'Unassigned + label VIP, Open', run: () => list({ status: 'open', assignee: unassigned, labelId: COMMON_LABEL }) },
    { name: 'unread per view (Mine/Unassigned/All), Open', run: () => unreadRow('open') },
    { name: 'unread per view, Resolved', run: () => unreadRow('resolved') },
    { name: 'unread per view, every status', run: () => unreadRow() },
  ];

  const width = Math.max(...cases.map((c) => c.name.length));
  console.log(`${'query'.padEnd(width)}   rows     p50 ms    p95 ms   (${options.runs} runs each)`);
  console.log('-'.repeat(width + 36));
  for (const c of cases) {
    const { p50, p95, last: rows } = await timeQuery(c.run, options.runs);
    console.log(`${c.name.padEnd(width)}  ${String(rows).padStart(5)}  ${p50.toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(9)}`);
  }
}

await runCli('bench:list', USAGE, readOptions, main);
