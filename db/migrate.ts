import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client';
import { ensureMonthPartitions } from './queries/partitions';

export const migrationsFolder = path.join(/* turbopackIgnore: true */ process.cwd(), 'db', 'migrations');

// Arbitrary but fixed: every instance of this app takes the same advisory lock around migrations.
const MIGRATION_LOCK_KEY = 7_452_019_331;

/**
 * Applies pending migrations, then adds the monthly partitions due by now (a database that was stopped for
 * months must not start by filling its default partition). Several instances starting together take turns
 * (drizzle's migrator has no lock). Never under the request path's statement timeout: a migration may
 * rewrite a large table, and waiting for another instance's migrations to finish is a long statement too
 * (pg_advisory_lock).
 */
export async function migrateDatabase(database: Database, folder = migrationsFolder): Promise<void> {
  await database.withoutStatementTimeout(async (unbounded) => {
    if (unbounded.kind === 'pglite') await migratePglite(unbounded.db as never, { migrationsFolder: folder });
    else await unbounded.withAdvisoryLock(MIGRATION_LOCK_KEY, () => migratePostgres(unbounded.db as never, { migrationsFolder: folder }));
    await ensureMonthPartitions(unbounded.db);
  });
}
