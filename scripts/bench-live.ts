// `npm run bench:live [-- --messages 50 --runs 3 --skip-build]`
//
// How long until a webhook shows in an open inbox. Starts a production build on a fresh PostgreSQL
// database (PGlite when none answers), signs in with Chromium, opens a conversation, then posts
// signed webhooks one at a time: for each, the time from just before the POST until its text is in
// the page (a MutationObserver in the page notes the moment). Then the same for delivery ticks: a
// status webhook until the tick's accessible name changes. Prints figures; never fails on them.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import postgres from 'postgres';
import { chromiumLaunchOptions } from '../tools/chromium';
import { messagesPayload, postWebhook, status, textMessage, type WebhookPayload } from '../tools/meta-envelopes';
import { ensureBuild, serverEnv, startServer, type RunningServer } from '../tools/server-harness';
import { intOption, UsageError } from './cli-options';

const USAGE = `Usage: npm run bench:live [-- --messages 50 --runs 1 --background 500 --pause-ms 0 --skip-build]

--background R  While timing, other customers' webhooks arrive at R per second (three messages to
                two statuses, as bench:ingest sends them): live updates under load. Default 0.
--pause-ms P    Wait P ms after each sample before the next POST, so the page's own refetches for the
                previous one (the list, the counts, the read mark) are over: a message into a page at
                rest. Default 0: back to back, each sample meets the previous one's refetches.

Environment: BENCH_DATABASE_URL (admin connection to create/drop the bench database,
default postgres://postgres@127.0.0.1:5432/test), CHROMIUM_PATH (default /usr/bin/chromium),
BENCH_LIVE_SAMPLES=1 (print every sample's stages, ack/notify/sse/fetch sent/fetch answered/visible in ms),
BENCH_LIVE_PAGE_PROFILE=/tmp/page.cpuprofile (the page's CPU profile while timing), BENCH_SERVER_NODE_ARGS
(node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").`;

/** Issue 14: p95 of a new message, idle and under 500 background webhooks/s. */
const goalP95Ms = (background: number) => (background > 0 ? 300 : 60);
const ADMIN = { email: 'bench@ticks.test', password: 'bench-password-123' };
const PHONE_NUMBER_ID = '109000000000001';
const CUSTOMER = '15550001234';

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    runs: { type: 'string' },
    background: { type: 'string' },
    'pause-ms': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
function count(name: string, raw: string | undefined, fallback: number, max: number, min = 1): number {
  try {
    return intOption(name, raw, fallback, min, max);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
}
const MESSAGES = count('messages', values.messages, 50, 10_000);
const RUNS = count('runs', values.runs, 1, 99);
const BACKGROUND = count('background', values.background, 0, 5000, 0);
const PAUSE_MS = count('pause-ms', values['pause-ms'], 0, 60_000, 0);

// ---- Meta-format bodies ----

const BENCH_NUMBER = { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550009999' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

const inboundText = (wamid: string, text: string) =>
  messagesPayload(
    { contacts: [{ profile: { name: 'Bench Customer' }, wa_id: CUSTOMER }], messages: [textMessage(wamid, CUSTOMER, text, nowSeconds())] },
    { number: BENCH_NUMBER },
  );

const statusUpdate = (wamid: string, value: 'sent' | 'delivered' | 'read') =>
  messagesPayload({ statuses: [status(wamid, value, nowSeconds(), CUSTOMER)] }, { number: BENCH_NUMBER });

async function post(server: RunningServer, body: WebhookPayload): Promise<void> {
  const res = await postWebhook(`${server.url}/api/webhook`, body, serverEnv.WHATSAPP_APP_SECRET);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

interface BackgroundFigures {
  posted: number;
  failed: number;
  /** Of the failed: how many per HTTP status or socket error. */
  failures: Record<string, number>;
  seconds: number;
  /** Each background webhook's time to its 200, as its own process saw it. */
  ackMs: number[];
}

/**
 * Other customers' webhooks at `perSecond` from a process of its own (scripts/bench-live/background-load.ts),
 * until stopped; a body that is not answered 200 is counted, never retried (the figures say how many).
 */
function backgroundLoad(server: RunningServer, perSecond: number): { stop(): Promise<BackgroundFigures> } {
  const child = fork(
    path.join(process.cwd(), 'scripts', 'bench-live', 'background-load.ts'),
    [`${server.url}/api/webhook`, String(perSecond), serverEnv.WHATSAPP_APP_SECRET],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const figures = new Promise<BackgroundFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as BackgroundFigures));
    child.once('exit', (code) => reject(new Error(`the background load ended (exit ${code}) before it reported`)));
  });
  return {
    stop() {
      child.send('stop');
      return figures;
    },
  };
}

// ---- Timing in the page ----

/**
 * Resolves with Date.now() in the page at the moment the message `wamid` is in the open thread: with `text`
 * in it, or with its tick named `label`. Checked on every DOM change, so the check is a selector, never
 * innerText (which lays the whole page out each time: the bench's own work would load the machine it
 * measures). The page code is a string: tsx compiles functions with helpers (__name) that do not exist
 * inside the page.
 */
function whenInPage(page: Page, wamid: string, shows: { text: string } | { tick: string }): Promise<number> {
  const row = `document.querySelector(${JSON.stringify(`[data-wamid="${wamid}"]`)})`;
  const condition =
    'text' in shows
      ? `(${row}?.textContent ?? '').includes(${JSON.stringify(shows.text)})`
      : `!!document.querySelector(${JSON.stringify(`[data-wamid="${wamid}"] [aria-label="${shows.tick}"]`)})`;
  return page.evaluate(`new Promise((resolve) => {
    const holds = () => ${condition};
    if (holds()) return resolve(Date.now());
    const observer = new MutationObserver(() => {
      if (holds()) { observer.disconnect(); resolve(Date.now()); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  })`) as Promise<number>;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const median = (values: number[]) => percentile(values, 50);

interface RunResult {
  messages: number[];
  ticks: number[];
  /** Where the time went, per sample: POST → 200, → NOTIFY heard by a LISTEN here, → SSE event in the page, → visible. */
  stages: Stage[];
  /** Background webhooks posted while timing, and how many were not answered 200. */
  background: BackgroundFigures | null;
  /** The page's own requests to /api while timing, per route (ids folded into {id}), and over how many seconds. */
  pageRequests: { byRoute: Map<string, number>; seconds: number };
}

interface Stage {
  ack: number;
  /** NaN where the stage was not seen (PGlite: no LISTEN from outside; a notice cut short). */
  notify: number;
  sse: number;
  /** The thread's refetch after the notice (resource timing in the page): request started, answer complete. */
  fetchStart: number;
  fetchEnd: number;
  visible: number;
  /** The notice brought the message itself (threadMessages): the page did not need its refetch. */
  along: boolean;
}

/** Records every change notice the page's EventSource receives, with Date.now(), in window.__ticksNotices. */
const RECORD_SSE = `(() => {
  const Native = window.EventSource;
  window.__ticksNotices = [];
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('change', (e) => window.__ticksNotices.push([Date.now(), e.data]));
    }
  };
})()`;

/**
 * The page's requests for the open thread's messages started at or after `after` (epoch ms): the first one's
 * start and end, from the browser's resource timing (so what the server and the network took, apart from
 * what the page took to ask and to draw).
 */
const THREAD_FETCHES = (after: number) => `(() => {
  const at = (t) => Math.round(performance.timeOrigin + t);
  const entries = performance.getEntriesByType('resource')
    .filter((e) => /\\/api\\/conversations\\/[^/]+\\/messages/.test(e.name) && at(e.startTime) >= ${after});
  performance.clearResourceTimings();
  return entries.length ? [at(entries[0].startTime), at(entries[0].responseEnd)] : null;
})()`;

/** The first notice naming `id` seen at or after `after`: when, and its data. */
const firstNaming = (notices: [number, string][], id: string, after: number) =>
  notices.find(([t, data]) => t >= after && data.includes(JSON.stringify(id)));

/** Whether a notice's data carried the message `id` itself (ChangeNotice.threadMessages). */
function carries(data: string, id: string): boolean {
  const notice = JSON.parse(data) as { threadMessages?: { id: string; wamid: string | null }[] };
  return (notice.threadMessages ?? []).some((m) => m.id === id || m.wamid === id);
}

async function run(databaseUrl: string | undefined, dataDir: string | undefined): Promise<RunResult> {
  const server = await startServer({
    DATABASE_URL: databaseUrl ?? '',
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SIGN_IN_ATTEMPTS_PER_MINUTE: '1000',
  });
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const page = await browser.newPage();
    await page.addInitScript(RECORD_SSE);
    // The server's NOTIFYs, heard from outside (PostgreSQL only): splits server time from browser time.
    const heard: [number, string][] = [];
    const listener = databaseUrl ? postgres(databaseUrl, { max: 1, onnotice: () => {} }) : null;
    if (listener) await listener.listen('ticks_changes', (payload) => void heard.push([Date.now(), payload]));
    const stages: Stage[] = [];
    const timed = async (id: string, seen: Promise<number>, body: WebhookPayload, into: number[]) => {
      const sentAt = Date.now();
      await post(server, body);
      const ackAt = Date.now();
      const visibleAt = await seen;
      into.push(visibleAt - sentAt);
      const inPage = (await page.evaluate('window.__ticksNotices.splice(0)')) as [number, string][];
      const inPageNotice = firstNaming(inPage, id, sentAt);
      const sseAt = inPageNotice?.[0] ?? Number.NaN;
      const fetched = (await page.evaluate(THREAD_FETCHES(Number.isFinite(sseAt) ? sseAt : sentAt))) as [number, number] | null;
      stages.push({
        ack: ackAt - sentAt,
        notify: (firstNaming(heard, id, sentAt)?.[0] ?? Number.NaN) - sentAt,
        sse: sseAt - sentAt,
        fetchStart: fetched ? fetched[0] - sentAt : Number.NaN,
        fetchEnd: fetched ? fetched[1] - sentAt : Number.NaN,
        visible: visibleAt - sentAt,
        along: inPageNotice !== undefined && carries(inPageNotice[1], id),
      });
      heard.length = 0;
      if (PAUSE_MS > 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
    };
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);

    // The conversation exists and is open before timing starts.
    const runId = randomBytes(4).toString('hex');
    const first = `warm-up ${runId}`;
    await post(server, inboundText(`wamid.bench.${runId}.0`, first));
    await page.getByText(first).first().waitFor();
    await page.getByTestId('conversation').first().click();
    await page.waitForURL(/\/conversations\//);
    await page.getByText(first).last().waitFor();

    // The page's JavaScript while timing, for Chrome DevTools or any .cpuprofile reader.
    const profilePath = process.env.BENCH_LIVE_PAGE_PROFILE;
    const cdp = profilePath ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const load = BACKGROUND > 0 ? backgroundLoad(server, BACKGROUND) : null;
    // The load settles before timing starts.
    if (load) await new Promise((r) => setTimeout(r, 2000));
    // What the page asks the server while timing: each request shares the server with the webhooks.
    const byRoute = new Map<string, number>();
    const countRequest = (request: { url(): string }) => {
      const { pathname } = new URL(request.url());
      if (!pathname.startsWith('/api/')) return;
      const route = pathname.replace(/\/(?=[^/]*\d)[^/]+/g, '/{id}');
      byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
    };
    page.on('request', countRequest);
    const timingStarted = Date.now();
    const messages: number[] = [];
    for (let i = 1; i <= MESSAGES; i++) {
      const text = `live ${runId} #${i}`;
      const wamid = `wamid.bench.${runId}.${i}`;
      await timed(wamid, whenInPage(page, wamid, { text }), inboundText(wamid, text), messages);
    }

    // Ticks: an outbound message known from its statuses, sent → delivered → read, 10 times.
    const ticks: number[] = [];
    for (let i = 0; i < 10; i++) {
      const wamid = `wamid.bench.${runId}.out${i}`;
      for (const [value, label] of [
        ['sent', 'Sent'],
        ['delivered', 'Delivered'],
        ['read', 'Read'],
      ] as const) {
        await timed(wamid, whenInPage(page, wamid, { tick: label }), statusUpdate(wamid, value), ticks);
      }
    }
    page.off('request', countRequest);
    const pageRequests = { byRoute, seconds: (Date.now() - timingStarted) / 1000 };
    const background = load ? await load.stop() : null;
    if (cdp && profilePath) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(profilePath, JSON.stringify(profile));
      console.log(`page CPU profile: ${profilePath}`);
    }
    await listener?.end({ timeout: 1 });
    return { messages, ticks, stages, background, pageRequests };
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main() {
  if (!values['skip-build']) ensureBuild();
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  let usePostgres = true;
  try {
    await admin`select 1`;
  } catch {
    usePostgres = false;
    console.log('No PostgreSQL at BENCH_DATABASE_URL: measuring on PGlite.');
  }

  const results: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    const name = `ticks_bench_live_${randomBytes(4).toString('hex')}`;
    let url: string | undefined;
    let dataDir: string | undefined;
    if (usePostgres) {
      await admin.unsafe(`create database ${name}`);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      url = u.toString();
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-bench-live-'));
    }
    try {
      results.push(await run(url, dataDir));
    } finally {
      if (usePostgres) await admin.unsafe(`drop database if exists ${name} with (force)`);
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const last = results.at(-1)!;
    const load = last.background
      ? `; background ${Math.round(last.background.posted / last.background.seconds)} webhooks/s answered in p50 ${Math.round(percentile(last.background.ackMs, 50))} ms, p95 ${Math.round(percentile(last.background.ackMs, 95))} ms, p99 ${Math.round(percentile(last.background.ackMs, 99))} ms, ${last.background.failed} not answered 200${
          last.background.failed > 0
            ? ` (${Object.entries(last.background.failures)
                .map(([why, n]) => `${why}: ${n}`)
                .join(', ')})`
            : ''
        }`
      : '';
    const { byRoute, seconds } = last.pageRequests;
    const asked = [...byRoute].sort((a, b) => b[1] - a[1]);
    const total = asked.reduce((n, [, count]) => n + count, 0);
    console.log(
      `run ${r + 1}: the page asked the server ${(total / seconds).toFixed(1)} times a second while timing (${asked
        .map(([route, count]) => `${route} ${(count / seconds).toFixed(1)}`)
        .join(', ')})`,
    );
    console.log(
      `run ${r + 1}: messages p50 ${median(last.messages)} ms, p95 ${percentile(last.messages, 95)} ms; ticks p50 ${median(last.ticks)} ms, p95 ${percentile(last.ticks, 95)} ms${load}`,
    );
  }
  await admin.end();

  const row = (label: string, pick: (r: RunResult) => number[]) => {
    const per = (p: number) => results.map((r) => percentile(pick(r), p));
    return `${label.padEnd(26)} ${String(median(per(50))).padStart(6)} ${String(median(per(95))).padStart(6)} ${String(median(per(100))).padStart(6)}   (${results.length} run(s) × ${pick(results[0]!).length})`;
  };
  const under = `${BACKGROUND > 0 ? `, under ${BACKGROUND} background webhooks/s` : ', idle'}${PAUSE_MS > 0 ? `, ${PAUSE_MS} ms between samples` : ', samples back to back'}`;
  console.log(
    `\nNode ${process.version}, ${os.cpus().length} cores, ${usePostgres ? 'PostgreSQL' : 'PGlite'}${under}; milliseconds from POST to visible in Chromium (median over runs)`,
  );
  console.log(`${''.padEnd(26)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}`);
  console.log(row('new message in the thread', (r) => r.messages));
  console.log(row('tick changes', (r) => r.ticks));
  const stageRow = (label: string, pick: (s: Stage) => number) => {
    const values = results.flatMap((r) => r.stages.map(pick)).filter((v) => Number.isFinite(v));
    return values.length === 0
      ? `${label.padEnd(26)} (not seen)`
      : `${label.padEnd(26)} ${String(percentile(values, 50)).padStart(6)} ${String(percentile(values, 95)).padStart(6)} ${String(percentile(values, 100)).padStart(6)}   (${values.length})`;
  };
  if (process.env.BENCH_LIVE_SAMPLES)
    for (const r of results)
      console.log(r.stages.map((s) => `${s.ack}/${s.notify}/${s.sse}/${s.fetchStart}/${s.fetchEnd}/${s.visible}`).join(' '));
  console.log('\nWhere the time goes, every sample (ms since the POST):');
  console.log(stageRow('webhook answered 200', (s) => s.ack));
  console.log(stageRow('NOTIFY heard (LISTEN)', (s) => s.notify));
  console.log(stageRow('SSE event in the page', (s) => s.sse));
  // Only refetches answered before the text showed are seen: one that follows a message sent along is not.
  console.log(stageRow('thread refetch sent', (s) => s.fetchStart));
  console.log(stageRow('thread refetch answered', (s) => s.fetchEnd));
  console.log(stageRow('visible', (s) => s.visible));
  const stages = results.flatMap((r) => r.stages);
  console.log(
    `sent along with the notice: ${stages.filter((s) => s.along).length} of ${stages.length} samples (the rest waited for the refetch)`,
  );
  const p95 = median(results.map((r) => percentile(r.messages, 95)));
  const goal = goalP95Ms(BACKGROUND);
  console.log(`\nGoal: p95 ≤ ${goal} ms for new messages${under}: ${p95 <= goal ? 'PASS' : 'MISS'} (${p95} ms)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
