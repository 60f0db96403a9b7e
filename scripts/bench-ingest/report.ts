// The report: every run side by side (and their median), where the CPU went, and the goals.

import os from 'node:os';
import type { CpuUse } from './cpu';
import type { Options } from './options';
import type { RunFigures } from './run';
import { fmt, median, pct } from './util';

export function report(
  options: Options,
  runs: RunFigures[],
  pgVersion: string,
  avgBytes: number,
  mix: { messages: number; statuses: number },
) {
  const cpu = os.cpus();
  console.log('\n════════ Ticks ingest benchmark ════════');
  console.log(
    `Node ${process.version} · ${os.platform()} ${os.arch()} · ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}) · PostgreSQL ${pgVersion}`,
  );
  console.log(
    `${fmt(options.requests)} POST bodies (${fmt(mix.messages)} text messages from 500 customers, ${fmt(mix.statuses)} statuses; ` +
      `avg ${fmt(avgBytes)} B), ${options.connections} in flight; GET phase ${options.handshakeSeconds} s; ${runs.length} run${runs.length === 1 ? '' : 's'}\n`,
  );

  const cols = runs.map((_, i) => `run ${i + 1}`);
  if (runs.length > 1) cols.push('median');
  const row = (label: string, values: number[], show: (n: number) => string) => {
    const cells = values.map(show);
    if (runs.length > 1) cells.push(show(median(values)));
    console.log(label.padEnd(46) + cells.map((c) => c.padStart(12)).join(''));
  };
  console.log(''.padEnd(46) + cols.map((c) => c.padStart(12)).join(''));
  const ms = (n: number) => `${fmt(n)} ms`;
  console.log('(a) GET handshake, mean of before and after the POSTs');
  row(
    '                             req/s',
    runs.map((r) => r.handshake.rps),
    (n) => fmt(n),
  );
  row(
    '                             p50',
    runs.map((r) => r.handshake.p50),
    ms,
  );
  row(
    '                             p99',
    runs.map((r) => r.handshake.p99),
    ms,
  );
  row(
    '(b) POST                accepted/s',
    runs.map((r) => r.post.acceptedPerSec),
    (n) => fmt(n),
  );
  row(
    '                  vs handshake',
    runs.map((r) => r.post.acceptedPerSec / r.handshake.rps),
    pct,
  );
  row(
    '                             p50 ack',
    runs.map((r) => r.post.p50),
    ms,
  );
  row(
    '                             p99 ack',
    runs.map((r) => r.post.p99),
    ms,
  );
  row(
    '                             max ack',
    runs.map((r) => r.post.max),
    ms,
  );
  row(
    '                             non-200',
    runs.map((r) => r.post.sent - r.post.accepted),
    (n) => fmt(n),
  );
  row(
    '(c) end-to-end          normalized/s',
    runs.map((r) => r.e2e.eventsPerSec),
    (n) => fmt(n),
  );
  row(
    '                  vs handshake',
    runs.map((r) => r.e2e.eventsPerSec / r.handshake.rps),
    pct,
  );
  row(
    '                  seconds (acks)',
    runs.map((r) => r.post.ackSeconds),
    (n) => fmt(n, 1),
  );
  row(
    '                  seconds (all normalized)',
    runs.map((r) => r.e2e.seconds ?? Number.NaN),
    (n) => fmt(n, 1),
  );
  row(
    '                  peak backlog (pending)',
    runs.map((r) => r.e2e.maxPending),
    (n) => fmt(n),
  );
  row(
    '                  normalized by the last ack',
    runs.map((r) => r.e2e.processedDuringAcks),
    (n) => fmt(n),
  );
  row(
    '                  normalized/s after the acks',
    runs.map((r) => r.e2e.drainPerSec),
    (n) => fmt(n),
  );
  row(
    '(d) messages acknowledged',
    runs.map((r) => r.check.expectedMessages),
    (n) => fmt(n),
  );
  row(
    '                  stored (distinct)',
    runs.map((r) => r.check.storedMessages),
    (n) => fmt(n),
  );
  row(
    '                  lost',
    runs.map((r) => r.check.lost),
    (n) => fmt(n),
  );
  row(
    '    statuses acknowledged',
    runs.map((r) => r.check.expectedStatuses),
    (n) => fmt(n),
  );
  row(
    '                  stored',
    runs.map((r) => r.check.storedStatuses),
    (n) => fmt(n),
  );
  row(
    '    outbound final status right',
    runs.map((r) => r.check.outboundFinalOk / Math.max(1, r.check.outboundExpected)),
    pct,
  );
  row(
    '    events failed / left pending',
    runs.map((r) => r.e2e.failed + r.e2e.pendingLeft),
    (n) => fmt(n),
  );

  for (const [i, r] of runs.entries()) {
    const codes = [...r.post.statusCounts.entries()].filter(([c]) => c !== 200);
    if (codes.length > 0 || r.post.errors > 0 || r.post.timeouts > 0) {
      console.log(
        `run ${i + 1} non-200: ${codes.map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}; socket errors ${r.post.errors}, timeouts ${r.post.timeouts}`,
      );
    }
    if (r.check.duplicateRows > 0) console.log(`run ${i + 1}: ${r.check.duplicateRows} duplicate message rows!`);
    if (r.check.notAcceptedButStored > 0) {
      console.log(
        `run ${i + 1}: ${r.check.notAcceptedButStored} messages of bodies not acknowledged with 200 were stored anyway (a late commit; Meta's retry dedups).`,
      );
    }
  }

  const cpuRow = (label: string, use: CpuUse | null) =>
    use
      ? console.log(
          `  ${label.padEnd(30)} server ${fmt(use.server, 2)} · postgres ${fmt(use.postgres, 2)} · load generator ${fmt(use.client, 2)} · whole machine ${fmt(use.machine, 2)} of ${cpu.length}`,
        )
      : undefined;
  if (runs.some((r) => r.handshake.cpu || r.cpuPost)) {
    console.log('\nWhere the CPU went (cores busy on average, run 1; "postgres" counts every postgres process on the box):');
    cpuRow('GET handshake phase', runs[0]!.handshake.cpu);
    cpuRow('POST phase (until last ack)', runs[0]!.cpuPost);
    cpuRow('after the acks until drained', runs[0]!.cpuDrain);
  }

  const m = (f: (r: RunFigures) => number) => median(runs.map(f));
  const handshake = m((r) => r.handshake.rps);
  const accepted = m((r) => r.post.acceptedPerSec);
  const e2e = m((r) => r.e2e.eventsPerSec);
  const p99 = m((r) => r.post.p99);
  const handshakeP99 = m((r) => r.handshake.p99);
  const lost = Math.max(...runs.map((r) => r.check.lost));
  const statusesMissing = Math.max(...runs.map((r) => r.check.expectedStatuses - r.check.storedStatuses));
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const basis = runs.length > 1 ? ' (medians)' : '';
  console.log(`\nGoals${basis}:`);
  console.log(
    `  ${verdict(accepted >= 0.8 * handshake)}  accepted/s ≥ 80% of handshake: ${fmt(accepted)}/s = ${pct(accepted / handshake)} of ${fmt(handshake)}/s (needs ≥ ${fmt(0.8 * handshake)})`,
  );
  // Issue 14's goals: processing keeps pace with acceptance, and the ack's tail stays near Next's own.
  console.log(
    `  ${verdict(e2e >= 0.85 * handshake)}  normalized end to end ≥ 0.85 × handshake: ${fmt(e2e)}/s = ${fmt(e2e / handshake, 2)} × ${fmt(handshake)}/s (needs ≥ ${fmt(0.85 * handshake)})`,
  );
  console.log(
    `  ${verdict(p99 <= 1.5 * handshakeP99)}  p99 ack ≤ 1.5 × handshake p99: ${fmt(p99)} ms = ${fmt(p99 / handshakeP99, 2)} × ${fmt(handshakeP99)} ms`,
  );
  console.log(
    `  ${verdict(lost === 0 && statusesMissing <= 0)}  zero lost: ${fmt(lost)} messages lost, ${fmt(Math.max(0, statusesMissing))} statuses missing (worst run)`,
  );

  const logLines = runs.reduce((a, r) => a + r.serverLogLines, 0);
  if (logLines > 0) {
    console.log(`\nThe server logged ${logLines} line(s) at warn or above; the last lines of run ${runs.length}:`);
    for (const line of runs.at(-1)!.serverLogTail.slice(-5)) console.log(`  ${line.slice(0, 300)}`);
  }
}
