import type { Db } from '@/db/client';
import { compactConversationStatusCounts } from '@/db/queries/conversation-status';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import type { Logger } from '@/lib/log';

// The inbox tabs' counts are changes that triggers append (db/queries/conversation-status.ts), so that no
// writer waits on another's row. Every instance folds them into one row per number and status every half
// minute on the job runner, so a count sums a few rows whatever the traffic. Two instances folding at once
// only split the work: each folds the rows its statement sees, and the sums stay exact.

export interface StatusCountCompactorOptions {
  log: Logger;
  pollMs?: number;
}

/** The compaction's runner, started: nothing to claim, the fold is the whole round. */
export function startStatusCountCompactor(db: Db, options: StatusCountCompactorOptions): JobRunner<never> {
  const runner = new JobRunner<never>({
    name: 'status count compaction',
    claim: async () => {
      await compactConversationStatusCounts(db);
      return [];
    },
    run: async () => null,
    pollMs: options.pollMs ?? 30_000,
    claimRetryMs: exponentialBackoff({ firstMs: 5000, factor: 2, maxMs: 300_000 }),
    log: options.log,
  });
  runner.start();
  return runner;
}
