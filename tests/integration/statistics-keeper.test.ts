import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { FIRST_ANALYZE_AFTER } from '@/db/queries/planner-statistics';
import { StatisticsKeeper } from '@/lib/jobs/statistics-keeper';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { silentLog } from '../helpers/pipeline';

// With autovacuum off (as on these machines) nothing ever analyzes a table, and a long-lived connection
// keeps the generic plan it made while a table was small: a scan of the whole table, however big it grows.
// The statistics keeper analyzes tables that grew, which makes PostgreSQL plan such statements afresh.

/** A lookup by a list of ids joined as rows: planned as a scan of the table while it is small. */
const LOOKUP = `select c.id from contacts c join jsonb_to_recordset($1::jsonb) as x(id bigint) on c.id = x.id`;

describe.runIf(dbKinds.includes('postgres'))('the statistics keeper on PostgreSQL', () => {
  let test: TestDatabase;
  let database: Database;
  let keeper: StatisticsKeeper;
  /** One connection of its own: prepared statements and their plans live per connection. */
  let connection: Sql;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    database = test.database;
    keeper = new StatisticsKeeper(database.db, { log: silentLog });
    connection = postgres(test.url!, { max: 1, onnotice: () => {} });
    await connection`set plan_cache_mode = force_generic_plan`;
  });
  afterAll(async () => {
    await connection?.end({ timeout: 2 });
    await test?.drop();
  });

  const planOfLookup = async () =>
    (await connection.unsafe(`explain execute lookup('[{"id": 1}, {"id": 2}]')`)).map((r) => r['QUERY PLAN'] as string).join('\n');

  /** The keeper's looks until it analyzed `table` (a session's change counts reach the statistics within a second or so). */
  async function analyzedOnce(table: string): Promise<string[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const analyzed = await keeper.analyzeGrown();
      if (analyzed.includes(`public.${table}`)) return analyzed;
      if (Date.now() > deadline) throw new Error(`${table} was not analyzed within 15 s (last look: ${JSON.stringify(analyzed)})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('analyzes a table that grew, so a plan made while it was small is made again', async () => {
    await database.db.execute(sql`insert into contacts (wa_id) select 'small-' || g from generate_series(1, 100) g`);
    await connection.unsafe(`prepare lookup as ${LOOKUP}`);
    expect(await planOfLookup()).toContain('Seq Scan on contacts');

    await database.db.execute(sql`insert into contacts (wa_id) select 'grown-' || g from generate_series(1, 100000) g`);
    // Nothing tells PostgreSQL the table grew: the connection keeps the scan (unless its caches happen to be
    // reset, which DDL elsewhere in the cluster can cause, as in a parallel test run: not asserted here).

    await analyzedOnce('contacts');
    // The planner's picture of the table is its size now, and the connection plans the lookup afresh.
    const [stats] = await queryRows<{ reltuples: number }>(
      database.db,
      sql`select reltuples::float8 as reltuples from pg_class where oid = 'contacts'::regclass`,
    );
    expect(stats!.reltuples).toBeGreaterThan(90_000);
    const plan = await planOfLookup();
    expect(plan).toContain('contacts_pkey');
    expect(plan).not.toContain('Seq Scan on contacts');
  }, 60_000);

  it('leaves alone a table that has not grown since it was analyzed', async () => {
    await database.db.execute(
      sql`insert into business_numbers (phone_number_id) select 'n-' || g from generate_series(1, ${FIRST_ANALYZE_AFTER + 10}::int) g`,
    );
    await analyzedOnce('business_numbers');
    // A tenth more rows: not grown enough to analyze again (autovacuum would have; we only stand in for it).
    await database.db.execute(sql`insert into business_numbers (phone_number_id) select 'm-' || g from generate_series(1, 101) g`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await keeper.analyzeGrown()).not.toContain('public.business_numbers');
  }, 60_000);
});
