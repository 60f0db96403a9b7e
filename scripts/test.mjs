// `npm test`: the whole suite (lint and format, unit, integration on PGlite and PostgreSQL, server tests
// with vitest, then the browser flows with Playwright), then one line: "tests: N passed, N failed".
// Extra arguments go to vitest and run vitest alone (e.g. `npm test -- tests/unit`);
// `npm run test:e2e` runs Playwright alone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-test-'));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const vitestArgs = process.argv.slice(2);

const totals = { passed: 0, failed: 0 };

// --- lint and format (the whole suite only): one check, counted as one test ---
if (vitestArgs.length === 0) {
  console.log('Lint and format (Biome):');
  const lint = spawnSync('npx', ['biome', 'check', '.'], { stdio: 'inherit', env });
  if (lint.status === 0) totals.passed += 1;
  else {
    console.log('lint: failed (`npm run format` fixes what it can)');
    totals.failed += 1;
  }
}

// --- vitest ---
{
  const report = path.join(dir, 'vitest.json');
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs], {
    stdio: 'inherit',
    env,
  });
  let passed = 0;
  let failed = 0;
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = r.numPassedTests;
    // A file that fails to load has no tests to count: count it as a failure.
    failed = r.numFailedTests + r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } catch {
    failed = 1;
  }
  if (run.status !== 0 && failed === 0) failed = 1;
  totals.passed += passed;
  totals.failed += failed;
}

// --- Playwright (the whole suite only) ---
if (vitestArgs.length === 0) {
  const report = path.join(dir, 'playwright.json');
  console.log('\nBrowser tests (Playwright):');
  const run = spawnSync('npx', ['playwright', 'test', '--reporter=list,json'], {
    stdio: 'inherit',
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  let passed = 0;
  let failed = 0;
  try {
    const { stats, errors } = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = stats.expected;
    // A test that needed a retry is not stable: count it as failed. Skipped tests are not counted.
    failed = stats.unexpected + stats.flaky;
    // Errors outside any test (the global setup, a spec that does not load) fail the run.
    if (failed === 0 && errors?.length) failed = 1;
  } catch {
    failed = 1;
  }
  if (run.status !== 0 && failed === 0) failed = 1;
  totals.passed += passed;
  totals.failed += failed;
}

fs.rmSync(dir, { recursive: true, force: true });
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
