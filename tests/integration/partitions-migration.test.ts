import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { monthStart, partitionName } from '@/db/queries/partitions';
import { insertRawEvents } from '@/db/queries/webhook-events';
import { dbKinds } from '../helpers/db';
import { databaseBefore } from '../helpers/migrations';

// Migration 0015 (webhook_events and status_events partitioned by month) on a database that already has
// events: every row keeps its id and lands in its month (or the default partition for odd times), ids go on
// from where they were, and a retry of a body stored before is still recognized.

const DAY = 86_400_000;
const sha = (text: string) => createHash('sha256').update(text).digest();

describe.each(dbKinds)('migration 0015_partitions on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await drop();
  });

  it('keeps every event and status with its id, in its month, and still recognizes a retry', async () => {
    ({ database, drop } = await databaseBefore(kind, '0015_partitions'));
    const { db } = database;
    const now = new Date();
    const threeMonthsAgo = new Date(now.getTime() - 90 * DAY);
    // As 0014 stored them: processed (one body already emptied), failed, pending, and two odd times.
    const events = [
      { body: 'old', at: threeMonthsAgo, state: 'processed' },
      { body: '', at: threeMonthsAgo, state: 'processed', hash: 'emptied' },
      { body: 'failed', at: new Date(now.getTime() - 40 * DAY), state: 'failed' },
      { body: 'pending', at: now, state: 'pending' },
      { body: 'nineties', at: new Date('1990-06-01T00:00:00Z'), state: 'processed' },
      { body: 'future', at: new Date('2100-01-01T00:00:00Z'), state: 'processed' },
    ];
    for (const e of events) {
      await db.execute(sql`insert into webhook_events (body, body_sha256, received_at, state)
        values (${Buffer.from(e.body)}::bytea, ${sha(e.hash ?? e.body)}::bytea, ${e.at.toISOString()}::timestamptz, ${e.state})`);
    }
    await db.execute(sql`insert into status_events (wamid, status, occurred_at, event_id) values
      ('wamid.A', 'sent', ${threeMonthsAgo.toISOString()}::timestamptz, 1),
      ('wamid.A', 'delivered', ${now.toISOString()}::timestamptz, 4),
      ('wamid.B', 'read', '1970-01-01T00:00:00Z', 5)`);
    const dump = async (table: string, order: string) =>
      queryRows<Record<string, unknown>>(db, sql.raw(`select * from ${table} order by ${order}`));
    const eventsBefore = await dump('webhook_events', 'id');
    const statusesBefore = await dump('status_events', 'id');

    await migrateDatabase(database);

    expect(await dump('webhook_events', 'id')).toEqual(eventsBefore);
    expect(await dump('status_events', 'id')).toEqual(statusesBefore);
    const homes = await queryRows<{ id: string | number; home: string }>(
      db,
      sql`select id, tableoid::regclass::text as home from webhook_events order by id`,
    );
    expect(homes.map((h) => h.home)).toEqual([
      partitionName('webhook_events', monthStart(threeMonthsAgo)),
      partitionName('webhook_events', monthStart(threeMonthsAgo)),
      partitionName('webhook_events', monthStart(new Date(now.getTime() - 40 * DAY))),
      partitionName('webhook_events', monthStart(now)),
      'webhook_events_default',
      'webhook_events_default',
    ]);
    const statusHomes = await queryRows<{ home: string }>(db, sql`select tableoid::regclass::text as home from status_events order by id`);
    expect(statusHomes.map((h) => h.home)).toEqual([
      partitionName('status_events', monthStart(threeMonthsAgo)),
      partitionName('status_events', monthStart(now)),
      'status_events_default',
    ]);

    // A retry of a body stored before, even one whose body was emptied, is recognized; a new one gets the next id.
    expect(await insertRawEvents(db, [{ body: Buffer.from('old'), sha256: sha('old'), receivedAt: now }])).toEqual([]);
    expect(await insertRawEvents(db, [{ body: Buffer.from('x'), sha256: sha('emptied'), receivedAt: now }])).toEqual([]);
    const [fresh] = await insertRawEvents(db, [{ body: Buffer.from('new'), sha256: sha('new'), receivedAt: now }]);
    expect(fresh!.id).toBe(events.length + 1);
    // A status replayed is still stored once; a new one comes after the old ones.
    await db.execute(sql`insert into status_events (wamid, status, occurred_at) values
      ('wamid.A', 'sent', ${threeMonthsAgo.toISOString()}::timestamptz), ('wamid.A', 'read', ${now.toISOString()}::timestamptz)
      on conflict do nothing`);
    const statuses = await dump('status_events', 'id');
    expect(statuses.map((s) => [s.wamid, s.status])).toEqual([
      ['wamid.A', 'sent'],
      ['wamid.A', 'delivered'],
      ['wamid.B', 'read'],
      ['wamid.A', 'read'],
    ]);
    expect(Number(statuses[3]!.id)).toBeGreaterThan(3);

    // An update by id alone (the processor's) can use an index in every month.
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return queryRows<Record<string, string>>(tx, sql`explain update webhook_events set attempts = attempts + 1 where id = 4`);
    });
    const text = plan.map((row) => Object.values(row)[0]).join('\n');
    expect(text).not.toContain('Seq Scan');
    const months = text.match(/Update on webhook_events_\w+/g) ?? [];
    expect(months.length).toBeGreaterThanOrEqual(5);
    expect(text.match(/Index Scan using webhook_events_\w+_pkey/g)).toHaveLength(months.length);
  });
});
