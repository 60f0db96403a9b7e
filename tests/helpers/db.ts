import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';

export type DbKind = 'pglite' | 'postgres';

/** The databases this run tests against: PGlite always, PostgreSQL when one answers. */
export const dbKinds: DbKind[] = inject('pgUrl') ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of the test database (PostgreSQL only), for servers started by a test. */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database: in-memory PGlite, or a new PostgreSQL database dropped afterwards. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // From the run's migrated dump (tests/helpers/global-setup.ts); migrating again finds nothing to do.
    const database = await openDatabase({ pgliteDump: await migratedPgliteDump() });
    await migrateDatabase(database);
    return { database, drop: () => database.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const database = await openDatabase({ url, poolMax: 4 });
  await migrateDatabase(database);
  return {
    database,
    url,
    async drop() {
      await database.close();
      await drop();
    },
  };
}

let dump: Promise<Blob> | undefined;
function migratedPgliteDump(): Promise<Blob> {
  dump ??= fs.promises.readFile(inject('pgliteDump')).then((bytes) => new Blob([bytes]));
  return dump;
}

/** Empties every table: cheaper than a fresh database per test (a new PGlite takes seconds). */
export async function resetDatabase(database: Database): Promise<void> {
  await database.db.execute(sql.raw(`truncate ${TABLES.join(', ')} restart identity cascade`));
}

const TABLES = [
  'webhook_events',
  'webhook_event_hashes',
  'business_numbers',
  'contacts',
  'conversations',
  'messages',
  'status_events',
  'account_events',
  'users',
  'sessions',
  'accounts',
  'verifications',
  'rate_limits',
  'api_keys',
  'app_secrets',
  'delivery_stats_hourly',
  'delivery_timings',
  'message_stats_hourly',
  'webhook_stats_hourly',
  'media_items',
  'conversation_status_counts',
  'delivery_timing_buckets',
  'delivery_timing_seconds',
];

/** An empty PostgreSQL database on the test server, and how to drop it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const baseUrl = inject('pgUrl');
  if (!baseUrl) throw new Error('no PostgreSQL for this run');
  const name = `ticks_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
