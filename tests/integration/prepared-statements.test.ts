import { eq } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitNow, genericPlansHere, inOrder, openDatabase, prebuilt, queryRows, sql, type Database, type Executor } from '@/db/client';
import { createPostgresDatabase, dbKinds } from '../helpers/db';

// On PostgreSQL (straight, no pooler) every statement drizzle sends is a named prepared statement, parsed
// once per connection and planned for its own values at each run (db/client.ts, "Prepared statements" in
// the README). Unprepared, each one cost two round trips and a parse.

const sqlTable = (name: string) => pgTable(name, { n: integer('n').primaryKey(), label: text('label') });

describe.runIf(dbKinds.includes('postgres'))('prepared statements on PostgreSQL', () => {
  let drop: () => Promise<void>;
  let database: Database;
  let databaseUrl: string;

  beforeAll(async () => {
    ({ url: databaseUrl, drop } = await createPostgresDatabase());
    database = await openDatabase({ url: databaseUrl, poolMax: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  /** This connection's prepared statements whose text holds `marker`. */
  const preparedWith = async (db: Executor, marker: string) =>
    queryRows<{ statement: string }>(db, sql`select statement from pg_prepared_statements where statement like ${`%${marker}%`}`);

  it('prepares a statement once per connection and runs it with each call’s own values', async () => {
    await database.db.transaction(async (tx) => {
      const square = (n: number) => queryRows<{ v: number }>(tx, sql`select ${n}::int * ${n}::int as v /* square-marker */`);
      expect((await square(3))[0]!.v).toBe(9);
      expect((await square(12))[0]!.v).toBe(144);
      // Once, whatever the values (the marker is in the text, never in a parameter).
      expect(await preparedWith(tx, 'square-marker */')).toHaveLength(1);
    });
  });

  it('prepares inside a nested transaction (a savepoint) too, and rolls it back alone', async () => {
    await database.db.execute(sql`create table prepared_probe (n int)`);
    let preparedInside: unknown[] = [];
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into prepared_probe values (${1})`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into prepared_probe values (${2}) /* savepoint-marker */`);
          preparedInside = await preparedWith(inner, 'savepoint-marker */');
          throw new Error('roll the savepoint back');
        })
        .catch(() => {});
    });
    expect(preparedInside).toHaveLength(1);
    const rows = await queryRows<{ n: number }>(database.db, sql`select n from prepared_probe order by n`);
    expect(rows.map((r) => r.n)).toEqual([1]);
  });

  it('commits with a transaction’s last statements (commitNow): all of them, or none when one fails', async () => {
    await database.db.execute(sql`create table commit_probe (n int)`);
    const committed = async () => (await queryRows<{ n: number }>(database.db, sql`select n from commit_probe order by n`)).map((r) => r.n);
    // A statement that reaches the driver a few microtasks late, as drizzle's query builders do.
    const late = async (run: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
      return run();
    };
    let seenBeforeReturn: number[] = [];
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into commit_probe values (1)`);
      await Promise.all([late(() => tx.execute(sql`insert into commit_probe values (2)`)), commitNow(tx)]);
      // Committed already: another connection sees both rows before the callback returns.
      seenBeforeReturn = await committed();
    });
    expect(seenBeforeReturn).toEqual([1, 2]);

    // A failing statement beside it: the COMMIT, sent after it, rolls everything back. Were the COMMIT
    // sent before the late insert, that insert would have been committed on its own.
    const failing = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into commit_probe values (3)`);
      await Promise.all([
        late(() => tx.execute(sql`insert into commit_probe values (4)`)),
        late(() => tx.execute(sql`select 1 / 0`)),
        commitNow(tx),
      ]);
    });
    await expect(failing).rejects.toThrow(/select 1 \/ 0/);
    expect(await committed()).toEqual([1, 2]);

    // A statement after it would run in a transaction of its own: refused, and the rest was committed.
    const after = database.db.transaction(async (tx) => {
      await Promise.all([tx.execute(sql`insert into commit_probe values (5)`), commitNow(tx)]);
      await tx.execute(sql`insert into commit_probe values (6)`);
    });
    await expect(after).rejects.toMatchObject({ cause: { message: expect.stringMatching(/after commitNow/) } });
    expect(await committed()).toEqual([1, 2, 5]);

    // Inside a savepoint it would commit the outer transaction: refused.
    const nested = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into commit_probe values (7)`);
      await tx.transaction(async (inner) => commitNow(inner));
    });
    await expect(nested).rejects.toThrow(/nested/);
    expect(await committed()).toEqual([1, 2, 5]);
  });

  it('commits now when commitNow comes from another copy of db/client than the pool (as in next start)', async () => {
    // Next bundles db/client once per layer: the pool is made by the instrumentation's copy, the routes call
    // their own copy's commitNow (lib/bundle-identity.ts).
    vi.resetModules();
    const other = await import('@/db/client');
    expect(other.commitNow).not.toBe(commitNow);
    await database.db.execute(sql`create table commit_copy_probe (n int)`);
    let seenBeforeReturn: unknown[] = [];
    await database.db.transaction(async (tx) => {
      await Promise.all([tx.execute(sql`insert into commit_copy_probe values (1)`), other.commitNow(tx)]);
      seenBeforeReturn = await queryRows(database.db, sql`select n from commit_copy_probe`);
    });
    expect(seenBeforeReturn).toEqual([{ n: 1 }]);
  });

  it('runs a prebuilt query on the transaction it is given, with each run’s own values', async () => {
    await database.db.execute(sql`create table prebuilt_probe (n int primary key, label text)`);
    const probe = sqlTable('prebuilt_probe');
    const byN = prebuilt((db: Executor) =>
      db
        .select()
        .from(probe)
        .where(eq(probe.n, sql.placeholder('n'))),
    );
    await database.db.execute(sql`insert into prebuilt_probe values (1, 'one')`);
    expect(await byN(database.db, { n: 1 })).toEqual([{ n: 1, label: 'one' }]);
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into prebuilt_probe values (2, 'two')`);
      // Uncommitted: only the transaction sees it.
      expect(await byN(tx, { n: 2 })).toEqual([{ n: 2, label: 'two' }]);
      expect(await byN(database.db, { n: 2 })).toEqual([]);
      expect(await byN(tx, { n: 1 })).toEqual([{ n: 1, label: 'one' }]);
    });
  });

  /** plan_cache_mode on both connections of a pool of two (each held 50 ms, so the two are different). */
  const modeOnEachConnection = (db: Executor) =>
    Promise.all(
      [1, 2].map(() =>
        db.transaction(async (tx) => {
          const [row] = await queryRows<{ mode: string }>(tx, sql`select current_setting('plan_cache_mode') as mode, pg_sleep(0.05)`);
          return row!.mode;
        }),
      ),
    );

  it('plans every run for its own values on every connection (no generic plans)', async () => {
    expect(await modeOnEachConnection(database.db)).toEqual(['force_custom_plan', 'force_custom_plan']);
  });

  it('lets a transaction that asks for it keep generic plans, for that transaction only', async () => {
    const inside = await database.db.transaction(async (tx) => {
      const [, rows] = await Promise.all([
        genericPlansHere(tx),
        queryRows<{ mode: string }>(tx, sql`select current_setting('plan_cache_mode') as mode`),
      ]);
      return rows[0]!.mode;
    });
    expect(inside).toBe('auto');
    // Both connections of the pool, the one that ran it included, plan every run again.
    expect(await modeOnEachConnection(database.db)).toEqual(['force_custom_plan', 'force_custom_plan']);
  });

  it('keeps generic plans on every connection of a pool opened with genericPlans (the sender’s)', async () => {
    const sender = await openDatabase({ url: databaseUrl, poolMax: 2, genericPlans: true });
    try {
      expect(await modeOnEachConnection(sender.db)).toEqual(['auto', 'auto']);
    } finally {
      await sender.close();
    }
  });
});

describe.each(dbKinds)('statements sent in order (inOrder) on %s', (kind) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'pglite') {
      database = await openDatabase({});
      drop = () => database.close();
    } else {
      const created = await createPostgresDatabase();
      database = await openDatabase({ url: created.url, poolMax: 2 });
      drop = async () => {
        await database.close();
        await created.drop();
      };
    }
    await database.db.execute(sql`create table order_probe (n int primary key)`);
  });
  afterAll(async () => {
    await drop?.();
  });

  const rows = async () => (await queryRows<{ n: number }>(database.db, sql`select n from order_probe order by n`)).map((r) => r.n);
  /** A write that reaches the driver a few microtasks late, as drizzle's query builders do. */
  const lateInsert = (tx: Executor, n: number) => async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return queryRows(tx, sql`insert into order_probe values (${n}) returning n`);
  };
  const count = (tx: Executor) => async () => (await queryRows<{ c: number }>(tx, sql`select count(*)::int as c from order_probe`))[0]!.c;

  it('a read after a write that is slow to build sees that write (Promise.all alone would not)', async () => {
    const raced = await database.db.transaction(async (tx) => (await Promise.all([lateInsert(tx, 1)(), count(tx)()]))[1]);
    expect(raced).toBe(0);
    const [, seen] = await database.db.transaction((tx) => inOrder([lateInsert(tx, 2), count(tx)]));
    expect(seen).toBe(2);
  });

  // PGlite is one connection: nothing outside the transaction can look while it is open.
  it.runIf(kind === 'postgres')('with commitNow last: committed before the callback returns', async () => {
    let seenBeforeReturn: number[] = [];
    await database.db.transaction(async (tx) => {
      await inOrder([lateInsert(tx, 3), count(tx), () => commitNow(tx)]);
      seenBeforeReturn = await rows();
    });
    expect(seenBeforeReturn).toContain(3);
  });

  it('with commitNow last: nothing is committed when one of the statements fails', async () => {
    const failing = database.db.transaction((tx) =>
      inOrder([lateInsert(tx, 4), () => queryRows(tx, sql`select 1 / 0`), () => commitNow(tx)]),
    );
    await expect(failing).rejects.toThrow(/select 1 \/ 0/);
    expect(await rows()).not.toContain(4);
  });
});
