// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database in DATA_DIR).
// The server also does this at start-up; this is for deploy pipelines that migrate first.
import nextEnv from '@next/env';
import { openDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { databaseEnv } from '@/lib/env';
import { backfillMessageContent } from '@/lib/whatsapp/content-backfill';

nextEnv.loadEnvConfig(process.cwd());
try {
  const config = databaseEnv();
  const database = await openDatabase({ url: config.DATABASE_URL, directUrl: config.DATABASE_DIRECT_URL, dataDir: config.DATA_DIR });
  try {
    await migrateDatabase(database);
    const filled = await backfillMessageContent(database.db);
    console.log(`migrations applied (${database.kind})${filled > 0 ? `; content filled in for ${filled} messages` : ''}`);
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
