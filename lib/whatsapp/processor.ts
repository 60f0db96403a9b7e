import { commitNow, type Database, hasSqlState } from '@/db/client';
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
// Two batches are in flight at once on PostgreSQL: while one applies (statuses, counts, under the apply
// turn of db/writes/apply-turn.ts), the next is claimed, parsed and inserts its messages, so the
// processor's thread and the database work side by side instead of waiting on each other.

export interface ProcessorOptions {
  batchSize?: number;
  /** Poll for due events (retries, other instances' events, leftovers of a crash) this often. */
  pollMs?: number;
  /** How long to let new events gather before a batch (trades a little latency for far less work). */
  lingerMs?: number;
  /** Attempts before an event is marked failed and left for an operator. */
  maxAttempts?: number;
  /** Batches in flight at once on PostgreSQL (default 3; PGlite: always 1). */
  batchesInFlight?: number;
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
 * work are one transaction: the runner's `claim` opens it and returns once the events are locked, and
 * its `run` waits for the rest and deals with a batch that failed.
 */
type StoredBatch = { ok: true; claimed: ClaimedEvent[] } | { ok: false; claimed: ClaimedEvent[]; error: unknown };
interface ClaimedBatch {
  claimed: ClaimedEvent[];
  stored: Promise<StoredBatch>;
}

/** PostgreSQL broke a lock cycle between two batches (or instances): nothing is wrong with the events. */
const isDeadlock = (error: unknown): boolean => hasSqlState(error, '40P01');

export class EventProcessor {
  private readonly runner: JobRunner<ClaimedBatch, ProcessingOutcome>;
  /** Batches in flight that were not full: while one is, the next waits (see `claim`). */
  private partialInFlight = 0;
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
      // PGlite has one connection: a second transaction would only wait for the first. On PostgreSQL a third
      // batch keeps the cores busy while the others wait for this thread or for the apply turn: bench:process,
      // four alternated pairs of runs, 3 against 2 in flight: +0.5% to +5% (1.6 of 2 cores busy with 2).
      concurrency: database.kind === 'pglite' ? 1 : (options.batchesInFlight ?? 3),
      // A batch per free slot, while full ones come: the second is claimed as soon as the first is locked.
      // Below a backlog, one batch at a time: batches in flight side by side commit in the order they reach
      // the apply turn, not the order claimed, and a message could show while one delivered before it did
      // not (the contract check saw it once webhooks were answered in a millisecond). A batch not full
      // means no backlog, and one at a time keeps up (bench:ingest drains as fast as it accepts).
      claim: async (slots) => {
        if (this.partialInFlight > 0) return [];
        const batches: ClaimedBatch[] = [];
        while (batches.length < slots) {
          // A claim that fails after one succeeded must not lose the one in hand: it is returned, and the
          // next round meets the trouble again.
          const batch = await this.claimBatch({ limit: this.batchSize, maxBytes: MAX_BATCH_BYTES }).catch((error: unknown) => {
            if (batches.length === 0) throw error;
            return null;
          });
          if (!batch) break;
          batches.push(batch);
          if (!this.isFull(batch)) {
            this.partialInFlight++;
            void batch.stored.finally(() => this.partialInFlight--);
            break;
          }
        }
        return batches;
      },
      run: async (batch) => this.settle(await batch.stored),
      onOutcome: options.onOutcome,
      pollMs: options.pollMs ?? 1000,
      lingerMs: options.lingerMs ?? 100,
      // One event is no burst: a customer writing while nothing else comes in is shown at once, not after
      // the 100 ms a busy queue waits to gather (bench:live, samples back to back: p50 75 → 20 ms for NOTIFY).
      burst: (batches) => batches.reduce((events, batch) => events + batch.claimed.length, 0) > 1,
      // A full batch means more may be waiting: claim again at once.
      backlogged: (batches) => batches.length > 0 && this.isFull(batches.at(-1)!),
      claimRetryMs: exponentialBackoff({ firstMs: 500, factor: 2, maxMs: 10_000 }),
      log: options.log,
    });
  }

  /** A full batch means more may be waiting (a backlog): batches then overlap, and the next claim comes at once. */
  private isFull(batch: ClaimedBatch): boolean {
    return batch.claimed.length >= this.batchSize;
  }

  start(): this {
    this.runner.start();
    return this;
  }

  /** Finishes the batch in hand, then stops. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** New events were committed: look now rather than at the next poll. */
  notify(): void {
    this.runner.notify();
  }

  /** Processes the due events one round claims (one or two batches). Returns how many were handled (stored or given up on). */
  async processDue(): Promise<number> {
    const batches = await this.runner.runDue();
    return batches.reduce((n, batch) => n + batch.claimed.length, 0);
  }

  /** A stored batch is counted; a failed one is gone through event by event, so one bad event holds back no other. */
  private async settle(batch: StoredBatch): Promise<ProcessingOutcome> {
    if (batch.ok) return { processed: batch.claimed.length, failed: 0 };
    // Rolled back and due again as they were: the next claims take them, without an attempt counted.
    if (isDeadlock(batch.error)) {
      this.log.warn({ events: batch.claimed.length }, 'batch rolled back by a deadlock with another batch; its events are claimed again');
      return { processed: 0, failed: 0 };
    }
    if (batch.claimed.length === 1) return { processed: 0, failed: await this.recordFailure(batch.claimed[0]!, batch.error) };
    this.log.warn({ events: batch.claimed.length, err: describeError(batch.error) }, 'batch failed; processing its events one by one');
    const outcome: ProcessingOutcome = { processed: 0, failed: 0 };
    for (const event of batch.claimed) {
      const one = await this.claimBatch({ limit: 1, onlyId: event.id });
      // Another batch holds it (a retry of the deadlocked kind): it is that batch's now.
      if (!one) continue;
      const stored = await one.stored;
      if (stored.ok) outcome.processed += stored.claimed.length;
      else if (!isDeadlock(stored.error)) outcome.failed += await this.recordFailure(stored.claimed[0]!, stored.error);
    }
    return outcome;
  }

  /**
   * Opens a transaction, claims due events in it, and resolves as soon as they are locked (null: none
   * due); the transaction goes on to store them, and `stored` says how that ended. A failure to claim
   * (the database itself) rejects; a failure to store comes back in `stored` with the events it concerns.
   */
  private claimBatch(claim: Parameters<typeof claimDueEvents>[1]): Promise<ClaimedBatch | null> {
    return new Promise((resolve, reject) => {
      let claimed: ClaimedEvent[] = [];
      let announce: (claimed: ClaimedEvent[]) => void = () => {};
      const stored: Promise<StoredBatch> = this.database.db
        .transaction(async (tx) => {
          claimed = await claimDueEvents(tx, claim);
          if (claimed.length === 0) return;
          announce(claimed);
          const batches = claimed.map(normalizeEvent);
          // Sent first, with the batch's first statements: it needs nothing the batch writes, and not in the
          // apply turn (db/writes/apply-turn.ts), the other batches' wait, it costs them nothing (bench:process).
          const processed = markProcessed(
            tx,
            claimed.map((e) => e.id),
          );
          // Awaited below: a failure fails the statements after it too, and storeBatches reports that one.
          processed.catch(() => {});
          const { downloadsQueued, ...changes } = await storeBatches(tx, batches);
          // One round trip for the notice and the commit (the NOTIFY goes out at commit either way): a
          // customer's message reaches the pages one round trip sooner (bench:live).
          await Promise.all([processed, notifyChanges(tx, { ...changes, topics: topicsOf(batches, downloadsQueued) }), commitNow(tx)]);
        })
        .then(
          (): StoredBatch => ({ ok: true, claimed }),
          (error: unknown): StoredBatch => ({ ok: false, claimed, error }),
        );
      announce = (events) => resolve({ claimed: events, stored });
      void stored.then((outcome) => {
        if (claimed.length > 0) return;
        if (outcome.ok) resolve(null);
        else reject(outcome.error);
      });
    });
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

function topicsOf(batches: EventBatch[], downloadsQueued: boolean): Topic[] {
  const topics = new Set<Topic>();
  for (const { batch } of batches) {
    if (batch.statuses.length > 0) topics.add('deliveries');
    if (batch.messages.length > 0) topics.add('messages');
    if (batch.accountEvents.length > 0) topics.add('account');
  }
  if (downloadsQueued) topics.add('downloads');
  return [...topics];
}

function normalizeEvent(event: ClaimedEvent): EventBatch {
  // The route accepted only bodies that parse; the same bytes parse here.
  const body: unknown = JSON.parse(decoder.decode(event.body));
  return { eventId: event.id, batch: normalizeWebhook(body, event.receivedAt) };
}
