import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database } from '@/db/client';
import { ensureMonthPartitions, listMonthPartitions, monthStart, partitionName } from '@/db/queries/partitions';
import { insertRawEvents } from '@/db/queries/webhook-events';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';

// Monthly partitions (db/queries/partitions.ts, migration 0015): the coming months are ready, however
// many instances add them at once; a row that landed in the default partition moves to its month when the
// month is added; and a body is stored once whichever month its retry arrives in.

const raw = (text: string, receivedAt: Date) => {
  const body = Buffer.from(text);
  return { body, sha256: createHash('sha256').update(body).digest(), receivedAt };
};

describe.each(dbKinds)('monthly partitions on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  const now = new Date();

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
  });
  afterAll(async () => {
    await test.drop();
  });
  beforeEach(async () => {
    await resetDatabase(database);
  });

  const names = async (table: 'webhook_events' | 'status_events') => (await listMonthPartitions(database.db, table)).map((p) => p.name);
  const homeOf = async (table: string, where: ReturnType<typeof sql>) =>
    (
      await queryRows<{ home: string }>(database.db, sql`select tableoid::regclass::text as home from ${sql.raw(table)} where ${where}`)
    ).map((r) => r.home);

  it('has this month and the next two ready after migrating, and a default for any other time', async () => {
    for (const table of ['webhook_events', 'status_events'] as const) {
      const months = await names(table);
      for (let i = 0; i <= 2; i++) expect(months).toContain(partitionName(table, monthStart(now, i)));
    }
    const [event] = await insertRawEvents(database.db, [raw('now', now)]);
    expect(await homeOf('webhook_events', sql`id = ${event!.id}`)).toEqual([partitionName('webhook_events', monthStart(now))]);
    // Meta's timestamps can be anything: a status from 1999 still has a home.
    await database.db.execute(
      sql`insert into status_events (wamid, status, occurred_at) values ('wamid.OLD', 'sent', '1999-12-31T23:00:00Z')`,
    );
    expect(await homeOf('status_events', sql`wamid = 'wamid.OLD'`)).toEqual(['status_events_default']);
  });

  it('adds each month once when instances add them at the same time, and nothing the second time', async () => {
    const later = monthStart(now, 12);
    // Another instance: its own pool on PostgreSQL (PGlite has one process by design).
    const other = test.url ? await openDatabase({ url: test.url, poolMax: 2 }) : database;
    try {
      const added = await Promise.all([
        ensureMonthPartitions(database.db, later),
        ensureMonthPartitions(other.db, later),
        ensureMonthPartitions(database.db, later),
      ]);
      const expected = [0, 1, 2].flatMap((i) =>
        (['webhook_events', 'status_events'] as const).map((table) => partitionName(table, monthStart(later, i))),
      );
      expect(added.flat().sort()).toEqual(expected.sort());
      expect(await ensureMonthPartitions(other.db, later)).toEqual([]);
    } finally {
      if (other !== database) await other.close();
    }
  });

  it('moves rows already in the default partition into the month added for them', async () => {
    const far = monthStart(now, 20);
    const at = new Date(far.getTime() + 5 * 86_400_000);
    await database.db.execute(
      sql`insert into status_events (wamid, status, occurred_at) values ('wamid.AHEAD', 'delivered', ${at.toISOString()}::timestamptz)`,
    );
    const [event] = await insertRawEvents(database.db, [raw('ahead', at)]);
    expect(await homeOf('status_events', sql`wamid = 'wamid.AHEAD'`)).toEqual(['status_events_default']);

    await ensureMonthPartitions(database.db, monthStart(far, -1));
    expect(await homeOf('status_events', sql`wamid = 'wamid.AHEAD'`)).toEqual([partitionName('status_events', far)]);
    expect(await homeOf('webhook_events', sql`id = ${event!.id}`)).toEqual([partitionName('webhook_events', far)]);
    // Still one of it: the replay check holds across the move.
    await database.db.execute(
      sql`insert into status_events (wamid, status, occurred_at) values ('wamid.AHEAD', 'delivered', ${at.toISOString()}::timestamptz)
          on conflict do nothing`,
    );
    expect(await homeOf('status_events', sql`wamid = 'wamid.AHEAD'`)).toHaveLength(1);
  });

  it('stores a body once when its retry arrives in the next month', async () => {
    const endOfMonth = new Date(monthStart(now, 1).getTime() - 1000);
    const first = await insertRawEvents(database.db, [raw('{"n":1}', endOfMonth)]);
    expect(first).toHaveLength(1);
    expect(await insertRawEvents(database.db, [raw('{"n":1}', monthStart(now, 1))])).toEqual([]);
    const [stored] = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from webhook_events`);
    expect(Number(stored!.n)).toBe(1);
  });

  it('stores a body once when it is posted many times at once, or twice in one batch', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => insertRawEvents(database.db, [raw('{"same":true}', now)])));
    expect(results.flat()).toHaveLength(1);

    const batch = await insertRawEvents(database.db, [raw('a', now), raw('b', now), raw('a', now), raw('c', now)]);
    expect(batch.map((r) => Buffer.from(r.sha256).equals(raw('a', now).sha256))).toEqual([true, false, false]);
    // In the order they came.
    expect(batch.map((r) => r.id)).toEqual([...batch.map((r) => r.id)].sort((a, b) => a - b));
    const [stored] = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from webhook_events`);
    expect(Number(stored!.n)).toBe(4);
  });
});
