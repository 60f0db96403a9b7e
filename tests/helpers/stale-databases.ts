import type postgres from 'postgres';
import { isProcessAlive } from '../../lib/process-alive';

// Test databases are named after the process that made them (ticks_test_<pid>_…, ticks_e2e_<pid>_…) and
// dropped when it ends; a run that was killed leaves its databases behind. The next run drops those
// whose process is gone, so the server does not fill up with them. Live runs beside this one are left alone.

const NAMED = /^ticks_(?:test|e2e)_(\d+)_[0-9a-f]+$/;

export async function dropStaleTestDatabases(admin: postgres.Sql): Promise<number> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'ticks\_%'`;
  let dropped = 0;
  for (const { datname } of rows) {
    const pid = Number(NAMED.exec(datname)?.[1]);
    if (!pid || isProcessAlive(pid)) continue;
    await admin.unsafe(`drop database if exists "${datname}" with (force)`).then(
      () => dropped++,
      () => {}, // another run dropped it first
    );
  }
  return dropped;
}
