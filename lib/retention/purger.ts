import type { Db } from '@/db/client';
import { ensureMonthPartitions } from '@/db/queries/partitions';
import {
  dropExpiredEventMonths,
  purgeEventHashes,
  purgeExpiredSessions,
  purgeRawEventBodies,
  purgeStaleSignInCounters,
} from '@/db/queries/retention';
import { describeError, type Logger } from '@/lib/log';

// Retention: what Ticks stops keeping, once an hour on every instance. Raw webhook events go
// RAW_EVENT_RETENTION_DAYS after they arrived (never sooner than Meta's 7 days of retries): a whole month
// at once (its partition dropped) once it is entirely that old and holds nothing pending or failed;
// otherwise their bodies are emptied, the rows kept. Their hashes, which recognize a retry, go at the same
// age. Failed events keep their bodies until an operator retries or discards them. Expired sessions and
// sign-in counters whose window is long over go too. The sweep also adds the coming months' partitions.
// Several instances sweeping at once only repeat each other's work: every statement is idempotent.

const DAY_MS = 86_400_000;
/** Sign-in counters count a minute at most (lib/auth/sign-in-throttle.ts); a day later they are history. */
const SIGN_IN_COUNTER_TTL_MS = DAY_MS;

export interface PurgeReport {
  /** Months of webhook events dropped whole, and the events they held. */
  rawEventMonths: number;
  rawEvents: number;
  /** Bodies emptied in months that could not go whole. */
  rawEventBodies: number;
  rawEventHashes: number;
  sessions: number;
  signInCounters: number;
}

export interface RetentionPurgerOptions {
  log: Logger;
  rawEventRetentionDays: number;
  /** First sweep this long after start (not during start-up), then every `intervalMs`. */
  firstDelayMs?: number;
  intervalMs?: number;
  onPurged?: (report: PurgeReport) => void;
}

export class RetentionPurger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly options: RetentionPurgerOptions,
  ) {}

  start(): this {
    this.schedule(this.options.firstDelayMs ?? 60_000);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep now (the timer's, and tests'); logged once, with what it removed. */
  async purge(now = new Date()): Promise<PurgeReport> {
    const cutoff = new Date(now.getTime() - this.options.rawEventRetentionDays * DAY_MS);
    const partitionsAdded = await ensureMonthPartitions(this.db, now);
    const months = await dropExpiredEventMonths(this.db, cutoff);
    const report: PurgeReport = {
      rawEventMonths: months.partitions,
      rawEvents: months.events,
      rawEventBodies: await purgeRawEventBodies(this.db, cutoff),
      rawEventHashes: await purgeEventHashes(this.db, cutoff),
      sessions: await purgeExpiredSessions(this.db),
      signInCounters: await purgeStaleSignInCounters(this.db, now.getTime() - SIGN_IN_COUNTER_TTL_MS),
    };
    this.options.onPurged?.(report);
    this.options.log.info({ ...report, partitionsAdded, rawEventRetentionDays: this.options.rawEventRetentionDays }, 'retention sweep');
    return report;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.purge()
        .catch((err) => this.options.log.warn({ err: describeError(err) }, 'retention sweep failed; trying again next time'))
        .finally(() => this.schedule(this.options.intervalMs ?? 3_600_000));
    }, delayMs);
    // Never what keeps a process alive.
    this.timer.unref();
  }
}
