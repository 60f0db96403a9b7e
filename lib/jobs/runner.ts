import { setMaxListeners } from 'node:events';
import { describeError, type Logger } from '@/lib/log';
import { WakeUp } from './wake-up';

// The one loop of background work over a queue in the database: claim due units of work, run up to
// `concurrency` at once, look again as soon as told there is news (notify) or every `pollMs` otherwise
// (retries coming due, another instance's leftovers), back off while the queue is unreachable, and
// stop cleanly, waiting for what is in flight. Each queue keeps its own rules: how a unit is claimed
// (a lease, or row locks for one transaction), what running it means, and what a failure costs
// (backoff.ts). The event processor, the media downloader and the outbox run on it.
//
// Why not pg-boss or graphile-worker: both keep jobs in tables of their own and expect a node-postgres
// pool with several connections (graphile-worker LISTENs on one); on PGlite (one in-process connection,
// no LISTEN across processes) pg-boss runs only through a hand-written adapter (timgit/pg-boss#563) and
// graphile-worker not at all (graphile/worker#441 asks even for postgres.js). And our queues are domain
// rows the inbox shows (webhook_events, media_items), one of them claimed by the very transaction that
// stores its work: a library's job table would be a second copy of their state.

export interface JobRunnerOptions<Job, Outcome> {
  /** In log lines: "webhook processing", "media downloads". */
  name: string;
  /**
   * Claims up to `limit` due units of work. A unit may be one item (a leased media download) or a
   * batch claimed and done in one transaction (webhook events). Throwing means the queue itself is
   * unavailable: the loop backs off and tries again.
   */
  claim: (limit: number) => Promise<Job[]>;
  /**
   * Runs one unit and says how it ended (null: nothing to tell). Recording a failure and scheduling the
   * retry are the unit's own business; a throw is only logged. `signal` aborts when the runner stops.
   */
  run: (job: Job, signal: AbortSignal) => Promise<Outcome | null>;
  /** Told how each unit ended (metrics). */
  onOutcome?: (outcome: Outcome, job: Job) => void;
  /** Units running at once. Default 1. */
  concurrency?: number;
  /** Look for due work this often besides being woken. */
  pollMs: number;
  /**
   * While work keeps coming, claims are at least this far apart, so a burst gathers into few claims.
   * After a quiet spell the first news is claimed at once. Default 0.
   */
  lingerMs?: number;
  /**
   * Whether a claim found enough to call it a burst, worth letting the next one gather for `lingerMs`.
   * Default: it found anything. A queue fed one item at a time (a webhook now and then) says no for one
   * item, and each is claimed the moment it comes.
   */
  burst?: (claimed: Job[]) => boolean;
  /**
   * Claims are at least this far apart even when they find nothing: for a queue woken by every change
   * notice whose work may wait a moment (auto-assignment), so a stream of notices costs a few looks a
   * second rather than one each. Default 0.
   */
  claimGapMs?: number;
  /** Whether more may be due at once after this claim. Default: it filled every free slot. */
  backlogged?: (claimed: Job[], limit: number) => boolean;
  /** Delay after the n-th failure in a row to claim. */
  claimRetryMs: (failures: number) => number;
  log: Logger;
}

export class JobRunner<Job, Outcome = never> {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly wakeUp = new WakeUp();
  private readonly inFlight = new Set<Promise<void>>();
  /** The loop is waiting for a unit to end; that unit's end wakes it without ringing. */
  private waitingForSlot = false;
  private abort: AbortController;
  private readonly concurrency: number;

  constructor(private readonly options: JobRunnerOptions<Job, Outcome>) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.abort = this.stopController();
  }

  /**
   * What aborts the units in flight when the runner stops. Each may listen on it while it waits (the
   * sender's slots): Node warns of a leak past 10 listeners on one signal, which 11 sends waiting for
   * their slots made (the sender runs up to 256), so the limit is the runner's own.
   */
  private stopController(): AbortController {
    const controller = new AbortController();
    setMaxListeners(Math.max(10, this.concurrency), controller.signal);
    return controller;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.abort.signal.aborted) this.abort = this.stopController();
    this.loop = this.runLoop();
  }

  /** New work may be due: look now rather than at the next poll. */
  notify(): void {
    this.wakeUp.ring();
  }

  /** Stops claiming, aborts the signal the running units were given, and waits for them to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.notify();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  /** One round by hand (tests, tools): claims what fits, runs it, and resolves with the claimed units once all in flight have ended. */
  async runDue(): Promise<Job[]> {
    const claimed = await this.claimAndStart();
    await Promise.all([...this.inFlight]);
    return claimed;
  }

  private async runLoop(): Promise<void> {
    const {
      pollMs,
      lingerMs = 0,
      claimGapMs = 0,
      backlogged = (claimed, limit) => claimed.length >= limit,
      burst = (claimed) => claimed.length > 0,
    } = this.options;
    let failures = 0;
    /** When the last claim that found a burst was made, and the last claim at all (performance.now()). */
    let lastWorkAt = Number.NEGATIVE_INFINITY;
    let lastClaimAt = Number.NEGATIVE_INFINITY;
    while (this.running) {
      this.wakeUp.rung = false;
      const free = this.concurrency - this.inFlight.size;
      let more = true;
      try {
        if (free > 0) {
          const claimedAt = performance.now();
          lastClaimAt = claimedAt;
          const claimed = await this.claimAndStart();
          if (claimed.length > 0 && burst(claimed)) lastWorkAt = claimedAt;
          more = backlogged(claimed, free);
        }
        failures = 0;
      } catch (err) {
        // Database down or similar: keep the loop alive, back off, and try again.
        failures++;
        this.options.log.error({ err: describeError(err) }, `${this.options.name}: queue unavailable; retrying`);
        await this.wakeUp.sleep(this.options.claimRetryMs(failures));
        continue;
      }
      if (this.inFlight.size >= this.concurrency) {
        this.waitingForSlot = true;
        await Promise.race(this.inFlight);
        this.waitingForSlot = false;
      }
      if (!more) {
        if (!this.wakeUp.rung) await this.wakeUp.sleep(pollMs);
        // Let a burst gather: one claim of many costs the database far less than many of few. Adaptive:
        // a claim waits out what is left of lingerMs since the last one that found a burst, so the first
        // webhook after a quiet spell shows at once, and under load claims come one per lingerMs.
        const gather = Math.max(lastWorkAt + lingerMs, lastClaimAt + claimGapMs) - performance.now();
        if (this.running && gather > 0) await new Promise((r) => setTimeout(r, gather));
      }
    }
  }

  private async claimAndStart(): Promise<Job[]> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return [];
    const claimed = await this.options.claim(free);
    for (const job of claimed) this.startOne(job);
    return claimed;
  }

  private startOne(job: Job): void {
    const { run, onOutcome, log, name } = this.options;
    // Started on the next tick, so `running` is set before its own clean-up can run.
    const running: Promise<void> = Promise.resolve().then(async () => {
      try {
        const outcome = await run(job, this.abort.signal);
        if (outcome !== null) onOutcome?.(outcome, job);
      } catch (err) {
        log.error({ err: describeError(err) }, `${name}: a job failed unexpectedly`);
      } finally {
        this.inFlight.delete(running);
        // A slot is free: more due work (say, the next message of a conversation) need not wait for the poll.
        if (this.running && !this.waitingForSlot) this.notify();
      }
    });
    this.inFlight.add(running);
  }
}
