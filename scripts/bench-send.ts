// `npm run bench:send [-- --messages 10000 --conversations 200 --numbers 4 --mps 80 --delay-ms 50 --runs 3]`
//
// The outbox under load (issue 12 §7): messages posted through the real API (POST
// /api/conversations/{id}/messages with an API key) to `next start` on a scratch PostgreSQL database,
// sent by the outbox to a fake Graph API in another process that answers in --delay-ms. Prints messages/s
// at Meta against the ceiling (numbers × WHATSAPP_SEND_MPS), p50/p99 from the API call to Meta's request
// (matched by biz_opaque_callback_data = ticks:<message id>), the most requests per number in a second,
// and checks exactly one request per message and each conversation's order. It prints figures and never
// fails on them (exit 1 only when the benchmark itself cannot run).
//
// The parts live in scripts/bench-send/: options, one run, the pure analysis, CPU accounting, the report.
// The server, the fake and the database are cleaned up whatever happens (scripts/bench-ingest/cleanup).

import { ensureBuild } from '../tools/server-harness';
import { cleanUpAll, cleanUpOnExit, connectBenchAdmin, wasInterrupted } from './bench-ingest/cleanup';
import { BenchError, errorText, fmt, pct } from './bench-ingest/util';
import { ceilingOf, readOptions, USAGE, type Options } from './bench-send/options';
import { GOAL, printTimeline, report } from './bench-send/report';
import { oneRun, type RunFigures } from './bench-send/run';

cleanUpOnExit('bench:send', 'the server and the fake Graph API');

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:send: ${errorText(err)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const connected = await connectBenchAdmin('bench:send', options.adminUrl);
  if (!connected) return 1;
  const { admin, pgVersion } = connected;

  if (options.skipBuild) console.log('Using the build in .next as it is (--skip-build).');
  else {
    process.stdout.write('Building when the sources changed… ');
    ensureBuild();
    console.log('ready.');
  }

  const ceiling = ceilingOf(options);
  const runs: RunFigures[] = [];
  for (let run = 1; run <= options.runs; run++) {
    console.log(`run ${run}:`);
    const r = await oneRun(options, run, admin);
    runs.push(r);
    console.log(
      `  ${fmt(r.perSec, 1)} messages/s at Meta (${pct(r.perSec / ceiling)} of ${ceiling}/s), ` +
        `API call → Meta p50 ${fmt(r.latencyP50)} ms, p99 ${fmt(r.latencyP99)} ms; most in a second per number ${r.maxPerSecond}`,
    );
    if (options.timeline || r.perSec / ceiling < GOAL) printTimeline(run, r);
  }
  report(options, runs, pgVersion);
  return 0;
}

main().then(
  async (code) => {
    await cleanUpAll();
    process.exit(code);
  },
  async (err: unknown) => {
    if (!wasInterrupted()) {
      const detail = err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`\nbench:send failed: ${detail}`);
    }
    await cleanUpAll();
    process.exit(wasInterrupted() ? 130 : 1);
  },
);
