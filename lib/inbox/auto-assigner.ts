import type { Db } from '@/db/client';
import { autoAssignPass, type AutoAssignment } from '@/db/queries/assignment';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import type { Logger } from '@/lib/log';
import { notifyChanges } from '@/lib/realtime/changes';

// Auto-assignment (an admin setting, off by default): unassigned open conversations go round robin to
// the agents who are online, available and below the cap. Every instance runs this on the job runner: a
// pass is one transaction under one advisory lock (db/queries/assignment.ts autoAssignPass), so passes on
// two instances follow each other and never assign a conversation twice or overfill anyone. It looks when
// woken (any change notice: messages stored, a conversation reopened, availability, settings) and every
// few seconds besides, which is how it sees an agent come online (presence heartbeats) or go away.

export interface AutoAssignerOptions {
  log: Logger;
  pollMs?: number;
  /** Conversations assigned per pass (more follow at once). */
  batchSize?: number;
}

export class AutoAssigner {
  private readonly runner: JobRunner<AutoAssignment>;

  constructor(
    private readonly db: Db,
    options: AutoAssignerOptions,
  ) {
    this.runner = new JobRunner<AutoAssignment>({
      name: 'auto-assignment',
      concurrency: options.batchSize ?? 100,
      claim: (limit) => this.pass(limit),
      run: async () => null,
      pollMs: options.pollMs ?? 5000,
      // A burst of notices (a busy webhook, a busy outbox) gathers into a few passes a second, whether or
      // not the last one assigned anything.
      lingerMs: 250,
      claimGapMs: 250,
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

  /** Something changed that may let a conversation be assigned: look now. */
  notify(): void {
    this.runner.notify();
  }

  /** One pass by hand (tests, tools): what it assigned. */
  assignDue(): Promise<AutoAssignment[]> {
    return this.runner.runDue();
  }

  private pass(limit: number): Promise<AutoAssignment[]> {
    return this.db.transaction(async (tx) => {
      const made = await autoAssignPass(tx, limit);
      await notifyChanges(tx, {
        conversationIds: made.map((m) => m.conversationId),
        messageIds: [],
        topics: made.length > 0 ? ['activity'] : [],
      });
      return made;
    });
  }
}
