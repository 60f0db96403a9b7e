import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { queryRows, sql, type Database } from '@/db/client';
import { markProcessedStatement } from '@/db/queries/webhook-events';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The processor's statements run prepared, on connections that live long: after a few runs PostgreSQL may
// keep one generic plan, made without statistics on a young database. Marking a batch processed with
// `where id in (select …)` was planned as a hash join over a scan of the whole month of events (bench:live
// under load: 3 ms a batch at 5,000 events, growing with the month). As `= any(array(…))` it is an index
// condition.

const ROWS = 20_000;

describe.each(dbKinds)('the processor’s plans on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  /** The month's partition that holds the events. */
  let partition: string;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
    const { db } = database;
    // A young database: rows, and no statistics yet (nothing has run ANALYZE).
    await db.execute(sql`insert into webhook_events (body, body_sha256)
      select convert_to('{"object":"whatsapp_business_account","entry":[]}', 'UTF8'), sha256(int8send(g)) from generate_series(1, ${ROWS}::int) g`);
    const [held] = await queryRows<{ partition: string }>(
      db,
      sql`select tableoid::regclass::text as partition from webhook_events limit 1`,
    );
    partition = held!.partition;
  }, 60_000);
  afterAll(async () => {
    await test?.drop();
  });

  /** The generic plan of `statement` as PREPARE keeps it: what a long-lived connection runs. */
  async function genericPlan(statement: SQL): Promise<string> {
    const { sql: text, params } = new PgDialect().sqlToQuery(statement);
    return database.db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`prepare plan_under_test as ${text}`));
      // EXECUTE takes its arguments as literals (a bind parameter there has no type to infer).
      const literal = (value: unknown) => `'${String(value).replaceAll("'", "''")}'`;
      const rows = await queryRows<{ 'QUERY PLAN': string }>(
        tx,
        sql.raw(`explain execute plan_under_test(${params.map(literal).join(', ')})`),
      );
      await tx.execute(sql`deallocate plan_under_test`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('marks events processed by their ids through an index, never a scan of the month', async () => {
    const plan = await genericPlan(markProcessedStatement([5, 6, 7]));
    expect(plan).toContain(`Index Scan on ${partition}_pkey`);
    expect(plan).not.toContain(`Seq Scan on ${partition} `);
  });
});
