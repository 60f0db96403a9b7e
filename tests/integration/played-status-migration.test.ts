import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase, migrationsFolder } from '@/db/migrate';
import { createPostgresDatabase, dbKinds } from '../helpers/db';

// Migration 0005 (played joins the delivery order between read and failed) on a database that already
// has messages: failed keeps outranking everything, and played statuses stored before as history now apply.

/** The migrations folder as it was before `tag`: the same files, a journal that stops short of it. */
function migrationsBefore(tag: string): string {
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

describe.each(dbKinds)('migration 0005_played_status on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await database?.close();
    await drop();
  });

  it('moves failed to rank 5 and applies played statuses already stored', async () => {
    if (kind === 'pglite') database = await openDatabase({});
    else {
      const pg = await createPostgresDatabase();
      drop = pg.drop;
      database = await openDatabase({ url: pg.url, poolMax: 2 });
    }
    const before = migrationsBefore('0005_played_status');
    try {
      await migrateDatabase(database, before);
    } finally {
      fs.rmSync(before, { recursive: true, force: true });
    }
    const { db } = database;
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('106540352242922')`);
    await db.execute(sql`insert into contacts (id, wa_id) values (1, '4915112345678')`);
    await db.execute(sql`insert into conversations (id, phone_number_id, contact_id) values (1, '106540352242922', 1)`);
    // As the old code stored them: failed was rank 4, played only history.
    await db.execute(sql`
      insert into messages (wamid, conversation_id, direction, type, sent_at, status, status_rank, status_at) values
        ('wamid.FAILED', 1, 'outbound', 'text', '2026-01-01T00:00:00Z', 'failed', 4, '2026-01-01T00:00:05Z'),
        ('wamid.PLAYED', 1, 'outbound', 'audio', '2026-01-01T00:00:00Z', 'read', 3, '2026-01-01T00:00:20Z'),
        ('wamid.FAILED-PLAYED', 1, 'outbound', 'audio', '2026-01-01T00:00:00Z', 'failed', 4, '2026-01-01T00:00:05Z'),
        ('wamid.READ', 1, 'outbound', 'text', '2026-01-01T00:00:00Z', 'read', 3, '2026-01-01T00:00:20Z')`);
    await db.execute(sql`
      insert into status_events (wamid, status, occurred_at, phone_number_id) values
        ('wamid.PLAYED', 'sent', '2026-01-01T00:00:01Z', '106540352242922'),
        ('wamid.PLAYED', 'read', '2026-01-01T00:00:20Z', '106540352242922'),
        ('wamid.PLAYED', 'played', '2026-01-01T00:00:30Z', '106540352242922'),
        ('wamid.FAILED-PLAYED', 'played', '2026-01-01T00:00:30Z', '106540352242922'),
        ('wamid.READ', 'read', '2026-01-01T00:00:20Z', '106540352242922')`);
    await db.execute(sql`
      insert into delivery_timings (wamid, phone_number_id, sent_at, read_at) values
        ('wamid.PLAYED', '106540352242922', '2026-01-01T00:00:01Z', null)`);

    await migrateDatabase(database);

    const rows = await queryRows<{ wamid: string; status: string; status_rank: number; status_at: Date | string }>(
      db,
      sql`select wamid, status, status_rank, status_at from messages order by wamid`,
    );
    expect(rows.map((r) => [r.wamid, r.status, Number(r.status_rank)])).toEqual([
      ['wamid.FAILED', 'failed', 5],
      ['wamid.FAILED-PLAYED', 'failed', 5],
      ['wamid.PLAYED', 'played', 4],
      ['wamid.READ', 'read', 3],
    ]);
    expect(new Date(rows.find((r) => r.wamid === 'wamid.PLAYED')!.status_at).toISOString()).toBe('2026-01-01T00:00:30.000Z');
    const timings = await queryRows<{ wamid: string; read_at: Date | string | null }>(
      db,
      sql`select wamid, read_at from delivery_timings order by wamid`,
    );
    expect(timings.map((t) => [t.wamid, t.read_at && new Date(t.read_at).toISOString()])).toEqual([
      ['wamid.FAILED-PLAYED', '2026-01-01T00:00:30.000Z'],
      ['wamid.PLAYED', '2026-01-01T00:00:30.000Z'],
    ]);
  });
});
