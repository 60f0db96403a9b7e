import type { Db } from '@/db/client';
import { recordActivity } from '@/db/queries/activity';
import { wakeDueSnoozes } from '@/db/queries/conversation-status';
import { SYSTEM_ACTORS } from '@/lib/contracts/activity';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import type { Logger } from '@/lib/log';
import { notifyChanges } from '@/lib/realtime/changes';

// Snoozed conversations open again by themselves when their time comes. Every instance runs this on the
// job runner and looks every few seconds: the claim is the statement that opens due snoozes (row locks,
// SKIP LOCKED: each snooze ends exactly once, whichever instance sees it first), with a change notice for
// each, committed together so every browser moves it back to Open. Nothing is left to run after the claim.

export interface SnoozeWakerOptions {
  log: Logger;
  /** Look for ended snoozes this often: a snooze ends within this long of its time. */
  pollMs?: number;
  /** Conversations opened per statement (more follow at once). */
  batchSize?: number;
}

export class SnoozeWaker {
  private readonly runner: JobRunner<number>;

  constructor(
    private readonly db: Db,
    options: SnoozeWakerOptions,
  ) {
    this.runner = new JobRunner<number>({
      name: 'snooze waker',
      concurrency: options.batchSize ?? 100,
      claim: (limit) => this.wake(limit),
      run: async () => null,
      pollMs: options.pollMs ?? 5000,
      claimRetryMs: exponentialBackoff({ firstMs: 1000, factor: 2, maxMs: 30_000 }),
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

  /** One round by hand (tests, tools): opens what is due now and resolves with those conversations' ids. */
  wakeDue(): Promise<number[]> {
    return this.runner.runDue();
  }

  private wake(limit: number): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      const ids = await wakeDueSnoozes(tx, limit);
      await recordActivity(tx, ids, SYSTEM_ACTORS.snooze, { action: 'status', details: { status: 'open' } });
      await notifyChanges(tx, { conversationIds: ids, messageIds: [], topics: ids.length > 0 ? ['activity'] : [] });
      return ids;
    });
  }
}
