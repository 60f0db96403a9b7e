import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase, migrationsFolder } from '@/db/migrate';
import { createPostgresDatabase, type DbKind } from './db';

// Migration tests: a database as an older release left it, to fill with rows in the old shape before the
// migration under test runs.

/** The migrations folder as it was before `tag`: the same files, a journal that stops short of it. */
export function migrationsBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-migrations-'));
  fs.cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

/** A new database of `kind`, migrated up to (not including) `tag`; `drop` removes it. */
export async function databaseBefore(kind: DbKind, tag: string): Promise<{ database: Database; drop(): Promise<void> }> {
  let database: Database;
  let dropPostgres = async () => {};
  if (kind === 'pglite') database = await openDatabase({});
  else {
    const pg = await createPostgresDatabase();
    dropPostgres = pg.drop;
    database = await openDatabase({ url: pg.url, poolMax: 2 });
  }
  const before = migrationsBefore(tag);
  try {
    await migrateDatabase(database, before);
  } finally {
    fs.rmSync(before, { recursive: true, force: true });
  }
  return {
    database,
    drop: async () => {
      await database.close();
      await dropPostgres();
    },
  };
}
