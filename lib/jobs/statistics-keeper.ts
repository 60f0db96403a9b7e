import { type Db, liftStatementTimeout } from '@/db/client';
import { analyzeTables, grownTables } from '@/db/queries/planner-statistics';
import type { Logger } from '@/lib/log';
import { exponentialBackoff } from './backoff';
import { JobRunner } from './runner';

// Keeps PostgreSQL's planner statistics in step with tables that grow, for when autovacuum does not
// (db/queries/planner-statistics.ts): a table is analyzed once it changed by as many rows as it held at
// its last ANALYZE, so a young database is analyzed a few times as it grows and an old one almost never.
// PostgreSQL only: PGlite plans every statement afresh and keeps no change counts.

export interface StatisticsKeeperOptions {
  log: Logger;
  /** How often to look at the tables' change counts. Default 5 s. */
  pollMs?: number;
}

export class StatisticsKeeper {
  private readonly runner: JobRunner<string>;

  constructor(
    private readonly db: Db,
    private readonly options: StatisticsKeeperOptions,
  ) {
    this.runner = new JobRunner<string>({
      name: 'planner statistics',
      claim: () => this.analyzeGrown(),
      run: async () => null,
      pollMs: options.pollMs ?? 5000,
      // A claim finds every grown table at once: never a backlog to go on with.
      backlogged: () => false,
      claimRetryMs: exponentialBackoff({ firstMs: 5000, factor: 2, maxMs: 5 * 60_000 }),
      log: options.log,
    });
  }

  start(): this {
    this.runner.start();
    return this;
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One look (tests, tools): analyzes the tables that grew, and resolves with their names. */
  async analyzeGrown(): Promise<string[]> {
    const tables = await grownTables(this.db);
    if (tables.length === 0) return [];
    const started = performance.now();
    // Background work, not a request: a big table's sample may take longer than the pool's statement timeout.
    await this.db.transaction(async (tx) => {
      await liftStatementTimeout(tx);
      await analyzeTables(tx, tables);
    });
    this.options.log.info({ tables, ms: Math.round(performance.now() - started) }, 'analyzed tables that grew (planner statistics)');
    return tables;
  }
}
