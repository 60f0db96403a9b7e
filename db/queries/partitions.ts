import { sql } from 'drizzle-orm';
import { hasSqlState, liftStatementTimeout, queryRows, type Db, type Executor } from '../client';

// Monthly partitions of the two tables that grow fastest (migration 0015): each month of the partition key
// (UTC) has a partition named <table>_YYYY_MM; a <table>_default partition holds any other time. Partitions
// are added ahead of time, at start-up and in every retention sweep, so rows land in their month; retention
// drops webhook_events months past RAW_EVENT_RETENTION_DAYS (db/queries/retention.ts).

/** The partitioned tables and the column each is partitioned on. */
export const MONTHLY_PARTITIONED = { webhook_events: 'received_at', status_events: 'occurred_at' } as const;
export type MonthlyPartitioned = keyof typeof MONTHLY_PARTITIONED;

/** Partitions kept ready beyond the current month. */
export const MONTHS_AHEAD = 2;

// Arbitrary but fixed: instances adding partitions at once take turns (PGlite has one connection anyway).
const PARTITION_LOCK_KEY = 7_452_019_332;

/** The first instant of `at`'s month, `offset` months later (UTC). */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

export function partitionName(table: MonthlyPartitioned, month: Date): string {
  return `${table}_${String(month.getUTCFullYear()).padStart(4, '0')}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface MonthPartition {
  name: string;
  /** Its first instant; it holds rows up to the next month's. */
  month: Date;
}

/** The month partitions of `table`, oldest first (not the default partition). */
export async function listMonthPartitions(db: Executor, table: MonthlyPartitioned): Promise<MonthPartition[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = to_regclass(${table}) order by c.relname`,
  );
  const pattern = new RegExp(`^${table}_(\\d{4})_(\\d{2})$`);
  return rows.flatMap((r) => {
    const m = pattern.exec(r.name);
    return m ? [{ name: r.name, month: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) }] : [];
  });
}

/**
 * Adds the partitions of the current month and MONTHS_AHEAD more, for each partitioned table, where missing.
 * Safe when several instances do it at once. Returns the names of the partitions it added.
 */
export async function ensureMonthPartitions(db: Db, now = new Date()): Promise<string[]> {
  const wanted = Object.keys(MONTHLY_PARTITIONED).flatMap((table) =>
    Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => {
      const month = monthStart(now, i);
      return { table: table as MonthlyPartitioned, month, name: partitionName(table as MonthlyPartitioned, month) };
    }),
  );
  // Only tables already partitioned: a database migrated short of 0015 (tests of older migrations) has none.
  const missing = await queryRows<{ name: string }>(
    db,
    sql`select w.name from jsonb_to_recordset(${JSON.stringify(wanted.map((w) => ({ name: w.name, parent: w.table })))}::jsonb)
          as w(name text, parent text)
        where to_regclass(w.name) is null and exists (select 1 from pg_partitioned_table where partrelid = to_regclass(w.parent))`,
  );
  const added: string[] = [];
  for (const { name } of missing) {
    const partition = wanted.find((w) => w.name === name)!;
    if (await addMonthPartition(db, partition.table, partition.month)) added.push(name);
  }
  return added;
}

/**
 * One month's partition, built beside the table and then attached: attaching locks the table only against
 * other schema changes, so webhook inserts go on meanwhile (CREATE TABLE ... PARTITION OF would stop them).
 * Rows of that month already in the default partition (a timestamp far ahead) move into it, or attaching
 * would fail. False when it exists already (another instance was first).
 */
async function addMonthPartition(db: Db, table: MonthlyPartitioned, month: Date): Promise<boolean> {
  const name = sql.raw(`"${partitionName(table, month)}"`);
  const parent = sql.raw(`"${table}"`);
  const fallback = sql.raw(`"${table}_default"`);
  const key = sql.raw(`"${MONTHLY_PARTITIONED[table]}"`);
  // Literals: a partition bound takes no parameter. ISO strings of our own making.
  const from = sql.raw(`'${month.toISOString()}'::timestamptz`);
  const to = sql.raw(`'${monthStart(month, 1).toISOString()}'::timestamptz`);
  try {
    return await db.transaction(async (tx) => {
      await liftStatementTimeout(tx);
      await tx.execute(sql`select pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
      const [exists] = await queryRows<{ found: boolean }>(
        tx,
        sql`select to_regclass(${partitionName(table, month)}) is not null as found`,
      );
      if (exists!.found) return false;
      await tx.execute(sql`create table ${name} (like ${parent} including defaults including constraints)`);
      await tx.execute(sql`
        with moved as (delete from ${fallback} where ${key} >= ${from} and ${key} < ${to} returning *)
        insert into ${name} select * from moved`);
      await tx.execute(sql`alter table ${parent} attach partition ${name} for values from (${from}) to (${to})`);
      return true;
    });
  } catch (err) {
    // duplicate_table, or overlapping bounds: made meanwhile by something that takes no lock of ours (an
    // operator, a partition under another name).
    if (hasSqlState(err, ['42P07', '42P17'])) return false;
    throw err;
  }
}
