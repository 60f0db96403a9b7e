import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { type Executor, queryRows, sql, type Database } from '@/db/client';
import { acceptSends, advanceQueues, claimDueSends } from '@/db/queries/outbox';
import { markProcessedStatement } from '@/db/queries/webhook-events';
import { reconcileStatuses } from '@/db/writes/messages';
import { DELIVERY_ORDER, deliveryRank } from '@/lib/whatsapp/status';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The processor's and the outbox sender's statements run prepared, on connections that live long: after a
// few runs PostgreSQL may keep one generic plan, made without statistics on a young database, and keep it
// as the tables grow. Marking a batch processed with `where id in (select …)` was planned as a hash join
// over a scan of the whole month of events (bench:live under load: 3 ms a batch at 5,000 events, growing
// with the month); recording Meta's answers joined to a list of ids scanned every message (bench:send:
// 560 pages read per group of answers, 4 ms, growing with every message sent). As `= any(array(…))` a list
// of keys is an index condition. The events' table has no statistics here (a young database); the
// outbox's tables have them, as the statistics keeper leaves them.

const ROWS = 20_000;
const CONVERSATIONS = 2_000;

describe.each(dbKinds)('generic plans on %s', (kind) => {
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
    // Conversations with what the outbox sent them, and a few messages each still queued.
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('1090000001')`);
    await db.execute(
      sql`insert into contacts (wa_id) select '49151' || lpad(g::text, 8, '0') from generate_series(1, ${CONVERSATIONS}::int) g`,
    );
    await db.execute(sql`insert into conversations (phone_number_id, contact_id) select '1090000001', id from contacts`);
    await db.execute(sql`insert into messages (conversation_id, direction, type, text, sent_at, status, status_rank, wamid, client_id)
      select c.id, 'outbound', 'text', 'Thank you, we are on it', now(), 'sent', ${deliveryRank('sent')}, 'wamid.sent.' || g, gen_random_uuid()::text
      from generate_series(1, ${CONVERSATIONS * 5}::int) g join conversations c on c.id = (select min(id) from conversations) + g % ${CONVERSATIONS}`);
    await db.execute(sql`insert into messages (conversation_id, direction, type, text, sent_at, status, client_id, outbox_state, next_send_at)
      select c.id, 'outbound', 'text', 'One more thing', now(), 'pending', gen_random_uuid()::text, 'queued', case when g <= ${CONVERSATIONS} then now() end
      from generate_series(1, ${CONVERSATIONS * 3}::int) g join conversations c on c.id = (select min(id) from conversations) + g % ${CONVERSATIONS}`);
    // Statistics as lib/jobs/statistics-keeper.ts gathers them once tables grow (autovacuum may be off).
    await db.execute(sql`analyze messages, conversations, contacts`);
  }, 120_000);
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

  /** The statements `write` sends, caught rather than run (it is given no answers). */
  async function statementsOf(write: (tx: Executor) => Promise<unknown>): Promise<SQL[]> {
    const caught: SQL[] = [];
    const recorder = {
      execute: async (query: SQL) => {
        caught.push(query);
        return [];
      },
    } as unknown as Executor;
    await write(recorder);
    return caught;
  }

  /** Every table a plan reads from start to end, by name (a partition counts as its table). */
  const scannedTables = (plan: string) => [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!);

  it('marks events processed by their ids through an index, never a scan of the month', async () => {
    const plan = await genericPlan(markProcessedStatement([5, 6, 7]));
    expect(plan).toContain(`Index Scan on ${partition}_pkey`);
    expect(plan).not.toContain(`Seq Scan on ${partition} `);
  });

  it('records Meta’s answers, the statuses that came first and the next messages due without scanning the messages', async () => {
    const [sent] = await queryRows<{ id: string }>(database.db, sql`select id::text from messages where outbox_state = 'queued' limit 1`);
    const id = Number(sent!.id);
    const statements = [
      ...(await statementsOf((tx) => acceptSends(tx, [{ id, wamid: 'wamid.new.1' }], deliveryRank('sent')))),
      ...(await statementsOf((tx) => reconcileStatuses(tx, ['wamid.new.1'], DELIVERY_ORDER))),
      ...(await statementsOf((tx) => advanceQueues(tx, [7, 8]))),
    ];
    expect(statements).toHaveLength(4);
    for (const statement of statements) {
      const plan = await genericPlan(statement);
      expect(scannedTables(plan), plan).not.toContain('messages');
      expect(scannedTables(plan), plan).not.toContain('conversations');
    }
  });

  it('claims due messages through the outbox’s index', async () => {
    const [statement] = await statementsOf((tx) => claimDueSends(tx, { limit: 50, leaseMs: 60_000 }));
    const plan = await genericPlan(statement!);
    expect(scannedTables(plan), plan).not.toContain('messages');
  });
});
