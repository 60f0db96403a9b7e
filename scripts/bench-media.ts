// `npm run bench:media [-- --files 200 --min-mb 1 --max-mb 5 --concurrency 4 --runs 1]`
//
// Downloads N media files (1–5 MB each) from a fake Graph API running in its own process, through the
// real downloader (lib/media/downloader.ts: the queue in a scratch PostgreSQL database, streaming into
// content-addressed storage in a temp dir), and prints throughput and this process's peak memory.
// It prints figures and never fails on them (exit 1 only when it cannot run).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { queryRows, sql, type Database } from '@/db/client';
import { log } from '@/lib/log';
import { MediaDownloader } from '@/lib/media/downloader';
import { fileStorage } from '@/lib/media/storage';
import { withScratchDatabase } from '../tools/scratch-database';
import { intOption, runCli, UsageError } from './cli-options';

const USAGE = `Usage: npm run bench:media [-- options]

Starts a fake Graph API (another process) serving generated files, queues them in a scratch PostgreSQL
database, downloads them all with the real downloader, and prints files/s, MB/s and peak memory.

Options:
  --files N          Files to download (default 200).
  --min-mb N         Smallest file in MB (default 1).
  --max-mb N         Largest file in MB (default 5).
  --concurrency N    Downloads at once (default 4, like MEDIA_CONCURRENCY).
  --runs R           Repeat and print each run plus medians (default 1).
  -h, --help         Show this help.

Environment:
  DATABASE_URL  Admin connection used to create and drop ticks_bench_media
                (default postgres://postgres@127.0.0.1:5432/postgres).`;

const DB_NAME = 'ticks_bench_media';
const TOKEN = 'bench-media-token';
const MB = 1024 * 1024;

interface Options {
  files: number;
  minMb: number;
  maxMb: number;
  concurrency: number;
  runs: number;
  adminUrl: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      files: { type: 'string' },
      'min-mb': { type: 'string' },
      'max-mb': { type: 'string' },
      concurrency: { type: 'string' },
      runs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const minMb = intOption('min-mb', values['min-mb'], 1, 1, 100);
  const maxMb = intOption('max-mb', values['max-mb'], 5, 1, 100);
  if (maxMb < minMb) throw new UsageError('--max-mb must be at least --min-mb');
  return {
    files: intOption('files', values.files, 200, 1, 100_000),
    minMb,
    maxMb,
    concurrency: intOption('concurrency', values.concurrency, 4, 1, 64),
    runs: intOption('runs', values.runs, 1, 1, 20),
    adminUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

/** The fake Graph API in a child process; resolves once it listens. */
async function startFakeGraphProcess(options: Options): Promise<{ url: string; bytes: number; stop(): Promise<void> }> {
  const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child = spawn(
    tsx,
    [
      'scripts/fake-graph-server.ts',
      '--token',
      TOKEN,
      '--files',
      String(options.files),
      '--min-mb',
      String(options.minMb),
      '--max-mb',
      String(options.maxMb),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake Graph API exited (${code}) before listening`)));
  });
  const { url, bytes } = JSON.parse(first) as { url: string; bytes: number };
  return {
    url,
    bytes,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface RunResult {
  seconds: number;
  files: number;
  bytes: number;
  baseRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  failed: number;
}

async function runOnce(database: Database, options: Options, graphUrl: string): Promise<RunResult> {
  const { db } = database;
  await db.execute(sql`truncate media_items`);
  // A file belongs to a message (of one conversation here): the messages first, once per database.
  await db.execute(sql`insert into business_numbers (phone_number_id) values ('bench-media') on conflict do nothing`);
  await db.execute(sql`insert into contacts (wa_id) values ('490000000001') on conflict do nothing`);
  await db.execute(sql`
    insert into conversations (phone_number_id, contact_id)
    select 'bench-media', id from contacts where wa_id = '490000000001' on conflict do nothing`);
  await db.execute(sql`
    insert into messages (wamid, conversation_id, direction, type, sent_at, status)
    select 'wamid.BENCH-' || g, (select id from conversations where phone_number_id = 'bench-media'), 'inbound', 'video', now(), 'received'
    from generate_series(0, ${options.files - 1}) g
    on conflict (wamid) do nothing`);
  await db.execute(sql`
    insert into media_items (message_id, media_id, kind, mime_type)
    select id, 'bench-media-' || substr(wamid, length('wamid.BENCH-') + 1), 'video', 'video/mp4' from messages
    where wamid like 'wamid.BENCH-%' and substr(wamid, length('wamid.BENCH-') + 1)::int < ${options.files}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-bench-media-'));
  const downloader = new MediaDownloader(db, {
    graph: { graphUrl, graphVersion: 'v23.0', accessToken: TOKEN, maxBytes: 100 * MB, timeoutMs: 120_000 },
    storage: fileStorage(dir),
    concurrency: options.concurrency,
    log,
    pollMs: 50,
  });
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  const started = performance.now();
  downloader.start();
  try {
    for (;;) {
      const [row] = await queryRows<{ left: string | number }>(db, sql`select count(*) as left from media_items where state = 'pending'`);
      if (Number(row!.left) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await downloader.stop();
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const [done] = await queryRows<{ files: string | number; bytes: string | number; failed: string | number }>(
    db,
    sql`select count(*) filter (where state = 'downloaded') as files, coalesce(sum(size), 0) as bytes,
          count(*) filter (where state = 'failed') as failed from media_items`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    seconds,
    files: Number(done!.files),
    bytes: Number(done!.bytes),
    failed: Number(done!.failed),
    baseRssMb: baseline.rss / MB,
    peakRssMb: peakRss / MB,
    peakHeapMb: peakHeap / MB,
  };
}

async function main(options: Options): Promise<void> {
  log.level = 'warn';
  const graph = await startFakeGraphProcess(options);
  try {
    await withScratchDatabase(
      { script: 'bench:media', adminUrl: options.adminUrl, name: DB_NAME, keep: false, poolMax: 4 },
      async (database) => {
        console.log(
          `${options.files} files, ${(graph.bytes / MB).toFixed(0)} MB in all (${options.minMb}–${options.maxMb} MB each), ` +
            `${options.concurrency} at once, fake Graph API in another process\n`,
        );
        console.log('run   seconds   files/s    MB/s   RSS before MB   peak RSS MB   peak heap MB   downloaded   failed');
        const results: RunResult[] = [];
        for (let run = 1; run <= options.runs; run++) {
          const r = await runOnce(database, options, graph.url);
          results.push(r);
          console.log(
            `${String(run).padStart(3)} ${r.seconds.toFixed(1).padStart(9)} ${(r.files / r.seconds).toFixed(1).padStart(9)} ` +
              `${(r.bytes / MB / r.seconds).toFixed(1).padStart(7)} ${r.baseRssMb.toFixed(0).padStart(15)} ${r.peakRssMb.toFixed(0).padStart(13)} ${r.peakHeapMb.toFixed(0).padStart(14)} ` +
              `${String(r.files).padStart(12)} ${String(r.failed).padStart(8)}`,
          );
        }
        if (results.length > 1) {
          const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
          console.log(
            `\nmedian: ${median(results.map((r) => r.files / r.seconds)).toFixed(1)} files/s, ` +
              `${median(results.map((r) => r.bytes / MB / r.seconds)).toFixed(1)} MB/s, peak RSS ${median(results.map((r) => r.peakRssMb)).toFixed(0)} MB`,
          );
        }
        console.log('\nPeak RSS minus RSS before is what downloading added: files stream to disk, so it does not grow with file size.');
      },
    );
  } finally {
    await graph.stop();
  }
}

await runCli('bench:media', USAGE, readOptions, main);
