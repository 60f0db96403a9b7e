import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';

// PostgreSQL plans statements from its tables' statistics, which ANALYZE gathers. Autovacuum runs it as
// tables change, unless it is off (as on these CI machines) or behind. A young database without statistics
// looks tiny to the planner, and a generic plan made then is kept by a long-lived connection while the
// table grows: bench:send's sender read every message again for each group of Meta's answers. New
// statistics make PostgreSQL plan such statements afresh (lib/jobs/statistics-keeper.ts).

/** Rows a table that was never analyzed may change before it is. */
export const FIRST_ANALYZE_AFTER = 1000;

/**
 * Our tables (a partition counts as one) that changed by at least as many rows as they held when last
 * analyzed: grown to twice that size, or rewritten. Autovacuum, when it runs, analyzes after a tenth of
 * that, so then this finds nothing. Quoted names, ready for ANALYZE.
 */
export async function grownTables(db: Executor): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select format('%I.%I', s.schemaname, s.relname) as name
        from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where s.schemaname = current_schema() and c.relkind = 'r'
          and s.n_mod_since_analyze >= greatest(${FIRST_ANALYZE_AFTER}::float8, c.reltuples)
        order by s.relname`,
  );
  return rows.map((r) => r.name);
}

/** ANALYZE, skipping a table another session is analyzing or altering (another instance got there first). */
export async function analyzeTables(db: Executor, quotedNames: string[]): Promise<void> {
  if (quotedNames.length === 0) return;
  await db.execute(sql.raw(`analyze (skip_locked) ${quotedNames.join(', ')}`));
}
