// The report: every run side by side with the median, the checks, the goal, and where the time went
// (pacing per number, CPU, and second by second for a run below the goal or with --timeline).

import os from 'node:os';
import { fmt, median, pct } from '../bench-ingest/util';
import { ceilingOf, type Options } from './options';
import type { RunFigures } from './run';

export const GOAL = 0.95;

export function printTimeline(run: number, r: RunFigures) {
  console.log(`\nrun ${run}, second by second from the first call (CPU in cores; "queued": messages waiting in the outbox)`);
  console.log(
    `${'s'.padStart(4)}${'posted'.padStart(8)}${'to Meta'.padStart(9)}${'queued'.padStart(8)}${'server'.padStart(8)}${'postgres'.padStart(10)}${'fake'.padStart(6)}${'bench'.padStart(7)}${'other'.padStart(7)}${'machine'.padStart(9)}`,
  );
  for (const t of r.timeline) {
    const s = r.samples[t.second];
    const c = s?.cpu;
    const cores = (n: number | undefined) => (n === undefined ? '–' : fmt(n, 2));
    console.log(
      `${String(t.second).padStart(4)}${String(t.posted).padStart(8)}${String(t.sent).padStart(9)}${(s ? String(s.queued) : '–').padStart(8)}` +
        `${cores(c?.server).padStart(8)}${cores(c?.postgres).padStart(10)}${cores(c?.fake).padStart(6)}${cores(c?.bench).padStart(7)}${cores(c?.other).padStart(7)}${cores(c?.machine).padStart(9)}`,
    );
  }
}

export function report(options: Options, runs: RunFigures[], pgVersion: string) {
  const ceiling = ceilingOf(options);
  const cpus = os.cpus();
  console.log('\n════════ Ticks send benchmark ════════');
  console.log(
    `Node ${process.version} · ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}) · PostgreSQL ${pgVersion} · next start, one instance`,
  );
  const pace = options.queued
    ? 'queued by SQL before the server started (--queued: the outbox alone, no API calls)'
    : options.rate === 0
      ? `unpaced, ${options.concurrency} in flight`
      : `${fmt(options.rate)}/s, at most ${options.concurrency} in flight`;
  console.log(
    `${fmt(options.messages)} text messages over ${fmt(options.conversations)} conversations on ${options.numbers} numbers; ` +
      `WHATSAPP_SEND_MPS=${options.mps} → ceiling ${fmt(ceiling)}/s; fake Graph API (another process) answers in ${options.delayMs} ms; ` +
      `${options.queued ? '' : 'posts '}${pace}; after ${fmt(options.warmUp)} messages of warm-up; ${runs.length} run${runs.length === 1 ? '' : 's'}\n`,
  );

  const cols = runs.map((_, i) => `run ${i + 1}`);
  if (runs.length > 1) cols.push('median');
  const row = (label: string, values: number[], show: (n: number) => string) => {
    const cells = values.map(show);
    if (runs.length > 1) cells.push(show(median(values)));
    console.log(label.padEnd(44) + cells.map((c) => c.padStart(11)).join(''));
  };
  const ms = (n: number) => `${fmt(n)} ms`;
  const count = (n: number) => fmt(n);
  const cores = (n: number) => fmt(n, 2);
  console.log(''.padEnd(44) + cols.map((c) => c.padStart(11)).join(''));
  row(
    'messages/s at Meta (first → last request)',
    runs.map((r) => r.perSec),
    (n) => fmt(n, 1),
  );
  row(
    `  of the ceiling (${ceiling}/s)`,
    runs.map((r) => r.perSec / ceiling),
    pct,
  );
  row(
    '  seconds, first → last request',
    runs.map((r) => r.spanSeconds),
    (n) => fmt(n, 2),
  );
  row(
    'API call → Meta receives it       p50',
    runs.map((r) => r.latencyP50),
    ms,
  );
  row(
    '                                  p99',
    runs.map((r) => r.latencyP99),
    ms,
  );
  row(
    '                                  max',
    runs.map((r) => r.latencyMax),
    ms,
  );
  row(
    'POST answered (202)               p50',
    runs.map((r) => r.postP50),
    ms,
  );
  row(
    '                                  p99',
    runs.map((r) => r.postP99),
    ms,
  );
  row(
    '  posts answered/s',
    runs.map((r) => r.postedPerSec),
    (n) => fmt(n, 1),
  );
  row(
    `most requests to one number in a second`,
    runs.map((r) => r.maxPerSecond),
    count,
  );
  row(
    '  … in any 1000 ms window',
    runs.map((r) => r.maxPerWindow),
    count,
  );
  row(
    'slot time lost to pacing gaps, s/number',
    runs.map((r) => median(r.pacing.map((p) => p.lostSeconds))),
    (n) => fmt(n, 2),
  );
  row(
    `  gap between a number's requests p50`,
    runs.map((r) => median(r.pacing.map((p) => p.gapP50))),
    ms,
  );
  row(
    '                                  p99',
    runs.map((r) => median(r.pacing.map((p) => p.gapP99))),
    ms,
  );
  row(
    'cores busy: server',
    runs.map((r) => r.cpu?.server ?? Number.NaN),
    cores,
  );
  row(
    '            PostgreSQL (all backends)',
    runs.map((r) => r.cpu?.postgres ?? Number.NaN),
    cores,
  );
  row(
    '            fake Graph API',
    runs.map((r) => r.cpu?.fake ?? Number.NaN),
    cores,
  );
  row(
    '            this process (the posts)',
    runs.map((r) => r.cpu?.bench ?? Number.NaN),
    cores,
  );
  row(
    '            anything else on the machine',
    runs.map((r) => r.cpu?.other ?? Number.NaN),
    cores,
  );
  row(
    `            machine (of ${cpus.length})`,
    runs.map((r) => r.cpu?.machine ?? Number.NaN),
    cores,
  );
  row(
    'posts not answered 202',
    runs.map((r) => r.postFailures),
    count,
  );
  row(
    'messages Meta never received',
    runs.map((r) => r.missing),
    count,
  );
  row(
    '  received more than once',
    runs.map((r) => r.duplicated),
    count,
  );
  row(
    '  requests for no message posted here',
    runs.map((r) => r.strangers),
    count,
  );
  row(
    'conversations out of order at Meta',
    runs.map((r) => r.outOfOrder),
    count,
  );
  row(
    "stored ≠ sent with Meta's wamid",
    runs.map((r) => r.storedMismatch),
    count,
  );
  row(
    'server log lines at warn and above',
    runs.map((r) => r.serverWarnings),
    count,
  );

  const onceEach = runs.every((r) => r.postFailures === 0 && r.missing === 0 && r.duplicated === 0 && r.strangers === 0);
  const inOrder = runs.every((r) => r.outOfOrder === 0);
  const stored = runs.every((r) => r.storedMismatch === 0);
  const underCeiling = runs.every((r) => r.maxPerSecond <= options.mps);
  const share = median(runs.map((r) => r.perSec / ceiling));
  console.log('');
  console.log(`Exactly one request per message: ${onceEach ? 'yes' : 'NO'}`);
  console.log(`Each conversation's messages reached Meta in the order they were written: ${inOrder ? 'yes' : 'NO'}`);
  console.log(`Every message stored as sent, with the wamid Meta answered: ${stored ? 'yes' : 'NO'}`);
  console.log(
    `Never more than ${options.mps} requests to a number in a second: ${underCeiling ? 'yes' : 'NO'} ` +
      `(most: ${Math.max(...runs.map((r) => r.maxPerSecond))} in a calendar second, ${Math.max(...runs.map((r) => r.maxPerWindow))} in any 1000 ms window)`,
  );
  console.log(`Goal ≥ ${pct(GOAL)} of the ceiling: ${share >= GOAL ? 'PASS' : 'MISS'} (${pct(share)}${runs.length > 1 ? ', median' : ''})`);
  for (const [i, r] of runs.entries()) {
    if (r.serverWarnings > 0) console.log(`\nrun ${i + 1}: the server's last log lines:\n${r.serverTail}`);
  }
}
