import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client';

export const migrationsFolder = path.join(/* turbopackIgnore: true */ process.cwd(), 'db', 'migrations');

// Arbitrary but fixed: every instance of this app takes the same advisory lock around migrations.
const MIGRATION_LOCK_KEY = 7_452_019_331;

/** Applies pending migrations. Several instances starting together take turns (drizzle's migrator has no lock). */
export async function migrateDatabase(database: Database, folder = migrationsFolder): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: folder });
    return;
  }
  await database.withAdvisoryLock(MIGRATION_LOCK_KEY, () => migratePostgres(database.db as never, { migrationsFolder: folder }));
}
