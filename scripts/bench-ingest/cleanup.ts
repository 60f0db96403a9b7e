// Clean-up that always runs: the server stopped, connections closed and the bench database dropped,
// whether the run ends, fails or is interrupted. Each step is undone in the reverse order it was set up.

import postgres from 'postgres';
import { errorText } from './util';

const cleanups: Array<{ name: string; run: () => Promise<void> }> = [];
let cleaningUp: Promise<void> | null = null;

export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  const entry = { name, run };
  cleanups.push(entry);
  return async () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
    await run();
  };
}

export function cleanUpAll(): Promise<void> {
  cleaningUp ??= (async () => {
    while (cleanups.length > 0) {
      const entry = cleanups.pop()!;
      try {
        await entry.run();
      } catch (err) {
        console.error(`clean-up "${entry.name}" failed: ${errorText(err)}`);
      }
    }
  })();
  return cleaningUp;
}

let interrupted = false;

/** Whether SIGINT or SIGTERM ended the run. */
export const wasInterrupted = () => interrupted;

/**
 * On SIGINT/SIGTERM or an unhandled rejection: clean up, then exit. `bench` names the benchmark in the
 * failure line; `stopping` says what the clean-up stops.
 */
export function cleanUpOnExit(bench = 'bench:ingest', stopping = 'the server'): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping ${stopping} and dropping the bench database…`);
      void cleanUpAll().finally(() => process.exit(130));
    });
  }
  // Queries and requests still in flight fail once clean-up has closed their connections: that is expected.
  process.on('unhandledRejection', (err) => {
    if (cleaningUp) return;
    console.error(`\n${bench} failed: ${errorText(err)}`);
    void cleanUpAll().finally(() => process.exit(1));
  });
}

/**
 * The admin connection to the PostgreSQL that bench databases are made in (closed at clean-up), and its
 * version; null, with the reason printed, when nothing answers there.
 */
export async function connectBenchAdmin(bench: string, adminUrl: string): Promise<{ admin: postgres.Sql; pgVersion: string } | null> {
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  onCleanup('close the admin connection', () => admin.end({ timeout: 2 }));
  try {
    const [row] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
    return { admin, pgVersion: row?.v ?? '?' };
  } catch (err) {
    console.error(`${bench} needs PostgreSQL: ${adminUrl} does not answer (${errorText(err)}). Set BENCH_DATABASE_URL.`);
    return null;
  }
}
