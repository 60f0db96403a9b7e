import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { dropStaleTestDatabases } from './stale-databases';

// Integration tests run against PGlite always, and against PostgreSQL at TEST_DATABASE_URL
// (default: the local server on 127.0.0.1:5432). CI sets TEST_DATABASE_URL, and then it must answer.
export default async function setup(project: TestProject) {
  const dumpDir = await providePgliteDump(project);
  await providePostgres(project);
  return () => fs.rmSync(dumpDir, { recursive: true, force: true });
}

const DUMP_PREFIX = 'ticks-pglite-';

/**
 * A migrated PGlite, dumped once per run: each test's in-memory PGlite starts from it (tests/helpers/db.ts)
 * rather than from initdb and every migration, about 5 s less each on 2 busy cores. Migrations themselves
 * are tested from an empty database (tests/helpers/migrations.ts).
 */
async function providePgliteDump(project: TestProject): Promise<string> {
  // What a run that was killed left behind (40 MB each): a day old is no run's any more.
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(DUMP_PREFIX))) {
    const stale = path.join(os.tmpdir(), name);
    if (Date.now() - fs.statSync(stale).mtimeMs > 86_400_000) fs.rmSync(stale, { recursive: true, force: true });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), DUMP_PREFIX));
  const database = await openDatabase({});
  try {
    await migrateDatabase(database);
    const file = path.join(dir, 'migrated.tar');
    // drizzle's handle on the PGlite instance (the app never needs it, so Database does not name it).
    const client = (database.db as unknown as { $client: { dumpDataDir(compression: 'none'): Promise<Blob> } }).$client;
    fs.writeFileSync(file, Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
    project.provide('pgliteDump', file);
  } finally {
    await database.close();
  }
  return dir;
}

async function providePostgres(project: TestProject) {
  const explicit = process.env.TEST_DATABASE_URL;
  const url = explicit || 'postgres://postgres@127.0.0.1:5432/test';
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    project.provide('pgUrl', url);
    await dropStaleTestDatabases(sql).catch((err) => console.warn(`could not drop stale test databases: ${String(err)}`));
  } catch (err) {
    if (explicit) throw new Error(`TEST_DATABASE_URL (${url}) does not answer: ${String(err)}`);
    console.warn(`\n⚠ No PostgreSQL at ${url}: PostgreSQL integration tests are skipped (PGlite ones still run).\n`);
    project.provide('pgUrl', '');
  } finally {
    await sql.end({ timeout: 1 });
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    /** A migrated PGlite's data directory, dumped (PGlite's dumpDataDir). */
    pgliteDump: string;
  }
}
