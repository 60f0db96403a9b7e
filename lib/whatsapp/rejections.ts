import type { Db } from '@/db/client';
import { addWebhookStats, type StatIncrement } from '@/db/queries/webhook-stats';
import { describeError, type Logger } from '@/lib/log';
import { notifyChanges } from '@/lib/realtime/changes';
import type { RejectionReason } from './webhook';

// Rejected webhook requests are counted, not stored: a flood of forged posts must not fill the database
// or hold the request path on a write. Counts gather in memory and are written once a second, so an
// admin sees a wrong app secret within seconds. A crash loses at most the last second of counts.

export class RejectionCounter {
  private pending = new Map<RejectionReason, { count: number; at: Date }>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref?.();
    return this;
  }

  record(reason: RejectionReason, at = new Date(), count = 1): void {
    const entry = this.pending.get(reason);
    if (entry) {
      entry.count += count;
      if (at > entry.at) entry.at = at;
    } else this.pending.set(reason, { count, at });
  }

  /** Writes what has gathered; on failure keeps it for the next try (one entry per reason: bounded). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    const increments: StatIncrement[] = [...batch].map(([reason, { count, at }]) => ({ kind: 'rejected', reason, count, at }));
    this.flushing = addWebhookStats(this.db, increments)
      .then(() => notifyChanges(this.db, { conversationIds: [], messageIds: [], topics: ['rejections'] }))
      .catch((err) => {
        for (const [reason, { count, at }] of batch) this.record(reason, at, count);
        this.log.warn({ err: describeError(err) }, 'could not record rejected webhook counts; will retry');
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }
}
