import type { Database } from '@/db/client';
import { claimDueEvents, markProcessed, recordFailedAttempt, type ClaimedEvent } from '@/db/queries/webhook-events';
import { describeError, type Logger } from '@/lib/log';
import { notifyChanges, type Topic } from '@/lib/realtime/changes';
import { WakeUp } from '@/lib/wake-up';
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
const defaultBackoff = (attempt: number) => Math.min(2000 * 4 ** (attempt - 1), 10 * 60_000);
const decoder = new TextDecoder('utf-8');

export class EventProcessor {
  private running = false;
  private readonly wakeUp = new WakeUp();
  private loop: Promise<void> | null = null;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly lingerMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly log: Logger;
  private readonly onOutcome?: (outcome: ProcessingOutcome) => void;

  constructor(
    private readonly database: Database,
    options: ProcessorOptions,
  ) {
    this.batchSize = options.batchSize ?? (database.kind === 'pglite' ? 100 : 250);
    this.pollMs = options.pollMs ?? 1000;
    this.lingerMs = options.lingerMs ?? 100;
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.log = options.log;
    this.onOutcome = options.onOutcome;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
  }

  /** New events were committed: look now rather than at the next poll. */
  notify(): void {
    this.wakeUp.ring();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.wakeUp.rung = false;
      let handled = 0;
      try {
        handled = await this.processDue();
        failures = 0;
      } catch (err) {
        // Database down or similar: keep the loop alive, back off, and try again.
        failures++;
        this.log.error({ err: describeError(err) }, 'webhook processing loop failed; retrying');
        await this.wakeUp.sleep(Math.min(250 * 2 ** failures, 10_000));
        continue;
      }
      if (handled < this.batchSize) {
        if (!this.wakeUp.rung) await this.wakeUp.sleep(this.pollMs);
        // Let a burst gather: one batch of many events costs the database far less than many of few.
        if (this.running && this.lingerMs > 0) await new Promise((r) => setTimeout(r, this.lingerMs));
      }
    }
  }

  /** Processes one batch of due events. Returns how many were handled (stored or given up on). */
  async processDue(): Promise<number> {
    const batch = await this.claimAndStore({ limit: this.batchSize, maxBytes: MAX_BATCH_BYTES });
    if (batch.ok) return batch.claimed.length;
    if (batch.claimed.length === 1) {
      await this.recordFailure(batch.claimed[0]!, batch.error);
      return 1;
    }
    // One bad event must not hold back the others: go through this batch one event at a time.
    this.log.warn({ events: batch.claimed.length, err: describeError(batch.error) }, 'batch failed; processing its events one by one');
    for (const event of batch.claimed) {
      const one = await this.claimAndStore({ limit: 1, onlyId: event.id });
      if (!one.ok) await this.recordFailure(one.claimed[0]!, one.error);
    }
    return batch.claimed.length;
  }

  /**
   * Claims due events and stores them in one transaction. A failure to claim (the database itself)
   * is thrown; a failure to store comes back with the events it concerns.
   */
  private async claimAndStore(
    claim: Parameters<typeof claimDueEvents>[1],
  ): Promise<{ ok: true; claimed: ClaimedEvent[] } | { ok: false; claimed: ClaimedEvent[]; error: unknown }> {
    let claimed: ClaimedEvent[] = [];
    try {
      await this.database.db.transaction(async (tx) => {
        claimed = await claimDueEvents(tx, claim);
        if (claimed.length === 0) return;
        const batches = claimed.map(normalizeEvent);
        const changes = await storeBatches(tx, batches);
        await markProcessed(tx, claimed.map((e) => e.id));
        await notifyChanges(tx, { ...changes, topics: topicsOf(batches) });
      });
      if (claimed.length > 0) this.onOutcome?.({ processed: claimed.length, failed: 0 });
      return { ok: true, claimed };
    } catch (error) {
      if (claimed.length === 0) throw error;
      return { ok: false, claimed, error };
    }
  }

  private async recordFailure(event: ClaimedEvent, err: unknown): Promise<void> {
    const attempt = event.attempts + 1;
    const giveUp = attempt >= this.maxAttempts;
    const retryInMs = giveUp ? null : this.backoffMs(attempt);
    this.log.error(
      { eventId: event.id, attempt, giveUp, retryInMs, err: describeError(err) },
      giveUp ? 'webhook event failed; kept for an operator to retry' : 'webhook event failed; will retry',
    );
    await recordFailedAttempt(this.database.db, event.id, describeError(err), retryInMs);
    if (giveUp) await notifyChanges(this.database.db, { conversationIds: [], wamids: [], topics: ['processing'] });
    this.onOutcome?.({ processed: 0, failed: giveUp ? 1 : 0 });
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

