import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { dbKinds } from '../helpers/db';
import { databaseBefore } from '../helpers/migrations';

// Migration 0005 (played joins the delivery order between read and failed) on a database that already
// has messages: failed keeps outranking everything, and played statuses stored before as history now apply.

describe.each(dbKinds)('migration 0005_played_status on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await drop();
  });

  it('moves failed to rank 5 and applies played statuses already stored', async () => {
    ({ database, drop } = await databaseBefore(kind, '0005_played_status'));
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
