import type { Database } from '@/db/client';
import { claimDueEvents, markProcessed, recordFailedAttempt, type ClaimedEvent } from '@/db/queries/webhook-events';
import { describeError, type Logger } from '@/lib/log';
import { notifyChanges, type Topic } from '@/lib/realtime/changes';
import { exponentialBackoff, retryDelay, type RetryPolicy } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import { normalizeWebhook } from './normalize';
import { storeBatches, type EventBatch } from './store';

// Normalizes committed webhook events in the background, many per transaction. Events are locked
// with FOR UPDATE SKIP LOCKED for the length of the transaction that stores them, so several app
// instances share the work, and a crash mid-way simply rolls back: the events are picked up again.

export interface ProcessorOptions {
  batchSize?: number;
  /** Poll for due events (retries, other instances' events, leftovers of a crash) this often. */
  pollMs?: number;
  /** How long to let new events gather before a batch (trades a little latency for far less work). */
  lingerMs?: number;
  /** Attempts before an event is marked failed and left for an operator. */
  maxAttempts?: number;
  /** Delay before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  log: Logger;
  /** Told how many events each commit processed, and when one is given up on (for metrics). */
  onOutcome?: (outcome: ProcessingOutcome) => void;
}

export interface ProcessingOutcome {
  processed: number;
  failed: number;
}

/** Bodies per transaction: a few 3 MB batches of statuses are plenty for one statement per table. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Attempts before an event is given up on (and shown to operators as a processing failure). */
export const MAX_ATTEMPTS = 5;
const defaultBackoff = exponentialBackoff({ firstMs: 2000, factor: 4, maxMs: 10 * 60_000 });
const decoder = new TextDecoder('utf-8');

/**
 * Events claimed and stored in one transaction, or claimed and rolled back with the error that stopped
 * them. The row locks that claim an event last only as long as that transaction, so the claim and the
 * work are one step: the runner's `claim` stores a batch, and its `run` deals with a batch that failed.
 */
type ClaimedBatch = { ok: true; claimed: ClaimedEvent[] } | { ok: false; claimed: ClaimedEvent[]; error: unknown };

export class EventProcessor {
  private readonly runner: JobRunner<ClaimedBatch, ProcessingOutcome>;
  private readonly batchSize: number;
  private readonly retry: RetryPolicy;
  private readonly log: Logger;

  constructor(
    private readonly database: Database,
    options: ProcessorOptions,
  ) {
    this.batchSize = options.batchSize ?? (database.kind === 'pglite' ? 100 : 250);
    this.retry = { maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS, backoffMs: options.backoffMs ?? defaultBackoff };
    this.log = options.log;
    this.runner = new JobRunner({
      name: 'webhook processing',
      // One batch at a time: batches in parallel would only contend for the same rows.
      concurrency: 1,
      claim: async () => {
        const batch = await this.claimAndStore({ limit: this.batchSize, maxBytes: MAX_BATCH_BYTES });
        return batch.claimed.length > 0 ? [batch] : [];
      },
      run: (batch) => this.settle(batch),
      onOutcome: options.onOutcome,
      pollMs: options.pollMs ?? 1000,
      lingerMs: options.lingerMs ?? 100,
      // A full batch means more may be waiting: claim again at once.
      backlogged: ([batch]) => batch !== undefined && batch.claimed.length >= this.batchSize,
      claimRetryMs: exponentialBackoff({ firstMs: 500, factor: 2, maxMs: 10_000 }),
      log: options.log,
    });
  }

  start(): void {
    this.runner.start();
  }

  /** Finishes the batch in hand, then stops. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** New events were committed: look now rather than at the next poll. */
  notify(): void {
    this.runner.notify();
  }

  /** Processes one batch of due events. Returns how many were handled (stored or given up on). */
  async processDue(): Promise<number> {
    const [batch] = await this.runner.runDue();
    return batch?.claimed.length ?? 0;
  }

  /** A stored batch is counted; a failed one is gone through event by event, so one bad event holds back no other. */
  private async settle(batch: ClaimedBatch): Promise<ProcessingOutcome> {
    if (batch.ok) return { processed: batch.claimed.length, failed: 0 };
    if (batch.claimed.length === 1) return { processed: 0, failed: await this.recordFailure(batch.claimed[0]!, batch.error) };
    this.log.warn({ events: batch.claimed.length, err: describeError(batch.error) }, 'batch failed; processing its events one by one');
    const outcome: ProcessingOutcome = { processed: 0, failed: 0 };
    for (const event of batch.claimed) {
      const one = await this.claimAndStore({ limit: 1, onlyId: event.id });
      if (one.ok) outcome.processed += one.claimed.length;
      else outcome.failed += await this.recordFailure(one.claimed[0]!, one.error);
    }
    return outcome;
  }

  /**
   * Claims due events and stores them in one transaction. A failure to claim (the database itself)
   * is thrown; a failure to store comes back with the events it concerns.
   */
  private async claimAndStore(claim: Parameters<typeof claimDueEvents>[1]): Promise<ClaimedBatch> {
    let claimed: ClaimedEvent[] = [];
    try {
      await this.database.db.transaction(async (tx) => {
        claimed = await claimDueEvents(tx, claim);
        if (claimed.length === 0) return;
        const batches = claimed.map(normalizeEvent);
        const changes = await storeBatches(tx, batches);
        await markProcessed(
          tx,
          claimed.map((e) => e.id),
        );
        await notifyChanges(tx, { ...changes, topics: topicsOf(batches) });
      });
      return { ok: true, claimed };
    } catch (error) {
      if (claimed.length === 0) throw error;
      return { ok: false, claimed, error };
    }
  }

  /** Schedules the event's retry, or gives up on it. Returns 1 when given up on, else 0. */
  private async recordFailure(event: ClaimedEvent, err: unknown): Promise<number> {
    const attempt = event.attempts + 1;
    const retryInMs = retryDelay(this.retry, attempt);
    const giveUp = retryInMs === null;
    this.log.error(
      { eventId: event.id, attempt, giveUp, retryInMs, err: describeError(err) },
      giveUp ? 'webhook event failed; kept for an operator to retry' : 'webhook event failed; will retry',
    );
    await recordFailedAttempt(this.database.db, event.id, describeError(err), retryInMs);
    if (giveUp) await notifyChanges(this.database.db, { conversationIds: [], messageIds: [], topics: ['processing'] });
    return giveUp ? 1 : 0;
  }
}

function topicsOf(batches: EventBatch[]): Topic[] {
  const topics = new Set<Topic>();
  for (const { batch } of batches) {
    if (batch.statuses.length > 0) topics.add('deliveries');
    if (batch.messages.length > 0) topics.add('messages');
    if (batch.accountEvents.length > 0) topics.add('account');
  }
  return [...topics];
}

function normalizeEvent(event: ClaimedEvent): EventBatch {
  // The route accepted only bodies that parse; the same bytes parse here.
  const body: unknown = JSON.parse(decoder.decode(event.body));
  return { eventId: event.id, batch: normalizeWebhook(body, event.receivedAt) };
}
