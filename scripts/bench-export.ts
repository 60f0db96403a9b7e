// `npm run bench:export [-- --messages 300000 --keep]`
//
// The admin's NDJSON export at scale: seeds a scratch PostgreSQL database (ticks_bench_export) with
// messages spread over 30 days on 2,000 conversations, then streams the whole range through the export
// (lib/privacy/export.ts, as GET /api/admin/export does), reading it as a slow client would, and prints
// messages/s, MB written, and this process's heap and RSS before, at their peak and after: flat memory
// is the point. It checks the order and the count, and never fails on the figures.

import { parseArgs } from 'node:util';
import { sql } from '@/db/client';
import { exportRange } from '@/lib/privacy/export';
import { log } from '@/lib/log';
import { withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli } from './cli-options';

const USAGE = `Usage: npm run bench:export [-- options]

Seeds messages in a fresh PostgreSQL database and streams them all through the NDJSON export,
printing throughput and memory (heap, RSS) before, at the peak and after.

Options:
  --messages N  Messages to seed (default 300000), over 30 days on 2,000 conversations.
  --keep        Keep the database afterwards and print its URL.
  -h, --help    Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_export
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

interface Options {
  messages: number;
  keep: boolean;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { messages: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    messages: intOption('messages', values.messages, 300_000, 1_000, 50_000_000),
    keep: values.keep === true,
    adminUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

const MB = 1024 * 1024;
const memory = () => ({ heap: process.memoryUsage().heapUsed / MB, rss: process.memoryUsage().rss / MB });

async function main(options: Options) {
  await withScratchDatabase(
    { script: 'bench:export', adminUrl: options.adminUrl, name: 'ticks_bench_export', keep: options.keep, poolMax: 4 },
    async (database) => {
      const { db } = database;
      const from = new Date('2026-01-01T00:00:00Z');
      const to = new Date('2026-01-31T00:00:00Z');
      const started = performance.now();
      await db.execute(sql`insert into business_numbers (phone_number_id, display_phone_number) values ('106540352242922', '15551234567')`);
      await db.execute(
        sql`insert into contacts (wa_id, name) select '49151' || lpad(g::text, 8, '0'), 'Customer ' || g from generate_series(1, 2000) g`,
      );
      await db.execute(sql`insert into conversations (phone_number_id, contact_id) select '106540352242922', id from contacts`);
      await db.execute(sql`
        insert into messages (conversation_id, direction, type, text, sent_at, status, wamid, content)
        select 1 + (g % 2000), case when g % 3 = 0 then 'outbound' else 'inbound' end, 'text',
          'Message ' || g || ' with some words in it, as a customer would write them',
          ${from.toISOString()}::timestamptz + ((g - 1)::float8 / ${options.messages}) * interval '30 days', 'received', 'wamid.bench-' || g,
          jsonb_build_object('v', 1, 'type', 'text', 'body', 'Message ' || g)
        from generate_series(1, ${options.messages}) g`);
      await db.execute(sql`analyze messages`);
      console.log(`seeded ${options.messages.toLocaleString()} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      global.gc?.();
      const before = memory();
      const peak = { ...before };
      const stream = exportRange({ db, apiKey: undefined, log }, { from, to });
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      let lines = 0;
      let last = '';
      let ordered = true;
      let partial = '';
      const t0 = performance.now();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        const text = partial + decoder.decode(value, { stream: true });
        const parts = text.split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          lines++;
          const at = /"timestamp":"([^"]+)"/.exec(line)?.[1];
          if (at) {
            if (at < last) ordered = false;
            last = at;
          }
        }
        const now = memory();
        peak.heap = Math.max(peak.heap, now.heap);
        peak.rss = Math.max(peak.rss, now.rss);
        // A client slower than the database: the stream must wait rather than buffer.
        if (lines % 50_000 < 1000) await new Promise((r) => setTimeout(r, 5));
      }
      const seconds = (performance.now() - t0) / 1000;
      global.gc?.();
      const after = memory();
      const messages = lines - 2;
      console.log(
        `exported ${messages.toLocaleString()} messages (${(bytes / MB).toFixed(0)} MB) in ${seconds.toFixed(1)} s: ${Math.round(messages / seconds).toLocaleString()} messages/s`,
      );
      console.log(`in order: ${ordered ? 'yes' : 'NO'}; every message: ${messages === options.messages ? 'yes' : `NO (${messages})`}`);
      const fmt = (m: { heap: number; rss: number }) => `heap ${m.heap.toFixed(0)} MB, RSS ${m.rss.toFixed(0)} MB`;
      console.log(`memory before: ${fmt(before)}; peak: ${fmt(peak)}; after: ${fmt(after)}`);
    },
  );
}

await runCli('bench:export', USAGE, readOptions, main);
