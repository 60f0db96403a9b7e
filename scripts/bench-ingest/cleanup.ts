// Clean-up that always runs: the server stopped, connections closed and the bench database dropped,
// whether the run ends, fails or is interrupted. Each step is undone in the reverse order it was set up.

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

/** On SIGINT/SIGTERM or an unhandled rejection: clean up, then exit. */
export function cleanUpOnExit(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: stopping the server and dropping the bench database…`);
      void cleanUpAll().finally(() => process.exit(130));
    });
  }
  // Queries and requests still in flight fail once clean-up has closed their connections: that is expected.
  process.on('unhandledRejection', (err) => {
    if (cleaningUp) return;
    console.error(`\nbench:ingest failed: ${errorText(err)}`);
    void cleanUpAll().finally(() => process.exit(1));
  });
}
