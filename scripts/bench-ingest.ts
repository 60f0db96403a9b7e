// `npm run bench:ingest [-- --requests 20000 --connections 64 --port 3150 --skip-build --runs 3]`
//
// Measures the webhook the way Meta loads it, against a production build on PostgreSQL, and prints
// side by side: (a) Next's per-request floor (the GET handshake), (b) how fast signed POST bodies are
// acknowledged, (c) how fast they are normalized end to end, and (d) whether anything was lost.
// It prints figures and never fails on them (exit 1 only when the benchmark itself cannot run).
//
// The parts live in scripts/bench-ingest/: options, the server under test, the phases, one run, the report,
// CPU accounting and the clean-up that always runs.

import fs from 'node:fs';
import path from 'node:path';
import { mixedBenchBody } from '../tools/simulated-traffic';
import { cleanUpAll, cleanUpOnExit, connectBenchAdmin, wasInterrupted } from './bench-ingest/cleanup';
import { readOptions, USAGE, type Options } from './bench-ingest/options';
import { prepareBodies } from './bench-ingest/phases';
import { report } from './bench-ingest/report';
import { oneRun, type RunFigures } from './bench-ingest/run';
import { BenchError, errorText, fmt, runCommand } from './bench-ingest/util';

cleanUpOnExit();

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:ingest: ${errorText(err)}\n\n${USAGE}`);
    return 64;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const connected = await connectBenchAdmin('bench:ingest', options.adminUrl);
  if (!connected) return 1;
  const { admin, pgVersion } = connected;

  if (options.skipBuild) {
    if (!fs.existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'))) {
      console.error('bench:ingest: --skip-build, but there is no build in .next: run without --skip-build.');
      return 1;
    }
    console.log('Reusing the build in .next (--skip-build).');
  } else {
    process.stdout.write('Building (npm run build)… ');
    const started = Date.now();
    const build = await runCommand('npm', ['run', 'build']);
    if (build.code !== 0) {
      console.log('failed.\n');
      console.error(build.output.split('\n').slice(-40).join('\n'));
      return 1;
    }
    console.log(`done in ${fmt((Date.now() - started) / 1000, 1)} s.`);
  }

  const sample = prepareBodies(Math.min(options.requests, 5_000), 'sample00');
  const avgBytes = sample.reduce((a, b) => a + b.body.length, 0) / sample.length;
  const mix = { messages: 0, statuses: 0 };
  for (let i = 0; i < options.requests; i++) {
    if (mixedBenchBody(i, { runId: 'sample00' }).kind === 'status') mix.statuses++;
    else mix.messages++;
  }

  const runs: RunFigures[] = [];
  for (let run = 1; run <= options.runs; run++) runs.push(await oneRun(options, run, admin));
  report(options, runs, pgVersion, avgBytes, mix);
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
      console.error(`\nbench:ingest failed: ${detail}`);
    }
    await cleanUpAll();
    process.exit(wasInterrupted() ? 130 : 1);
  },
);
