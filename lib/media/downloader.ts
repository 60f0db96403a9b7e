import type { Db } from '@/db/client';
import { claimDueMedia, markMediaDownloaded, recordMediaFailure, type ClaimedMedia } from '@/db/queries/media';
import { describeError, type Logger } from '@/lib/log';
import { notifyChanges } from '@/lib/realtime/changes';
import { WakeUp } from '@/lib/wake-up';
import { downloadMedia, MediaDownloadError, type GraphConfig } from './graph-client';
import type { MediaStorage } from './storage';

// Downloads media files soon after their messages are stored, before Meta's URLs expire. The queue is
// media_items (the store adds a row in the same transaction as the message); this loop leases due items,
// downloads up to `concurrency` at once, and records the outcome. Every instance runs one: leases and
// SKIP LOCKED keep them from fetching the same file twice, and a crash only delays an item until its
// lease runs out.

export interface MediaDownloaderOptions {
  graph: Omit<GraphConfig, 'accessToken'> & { accessToken: string | undefined };
  storage: MediaStorage;
  log: Logger;
  concurrency?: number;
  /** Attempts before an item is failed for good (non-retryable reasons fail at once). */
  maxAttempts?: number;
  /** Delay before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  /** Look for due items this often (retries, other instances' leftovers) besides being woken. */
  pollMs?: number;
  /** Told how each attempt ended (metrics). */
  onOutcome?: (outcome: MediaOutcome) => void;
}

export type MediaOutcome = { result: 'downloaded'; bytes: number } | { result: 'failed' | 'retrying'; reason: string };

export const MEDIA_MAX_ATTEMPTS = 5;
const LEASE_MARGIN_MS = 5_000;
const defaultBackoff = (attempt: number) => Math.min(5000 * 3 ** (attempt - 1), 10 * 60_000);

export class MediaDownloader {
  private running = false;
  private readonly wakeUp = new WakeUp();
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: MediaDownloaderOptions,
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? MEDIA_MAX_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.pollMs = options.pollMs ?? 2000;
  }

  /** Without an access token nothing can be fetched: items stay pending (the thread says why). */
  get enabled(): boolean {
    return !!this.options.graph.accessToken;
  }

  start(): this {
    if (this.running || !this.enabled) return this;
    this.running = true;
    this.loop = this.run();
    return this;
  }

  /** New media may be queued: look now. */
  notify(): void {
    this.wakeUp.ring();
  }

  /** Stops claiming, aborts downloads in flight (their leases run out; they are fetched again later). */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.notify();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims and starts what fits; resolves when those downloads have ended. For tests: one round. */
  async downloadDue(): Promise<number> {
    const started = await this.claimAndStart();
    await Promise.allSettled([...this.inFlight]);
    return started;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.wakeUp.rung = false;
      try {
        await this.claimAndStart();
        failures = 0;
      } catch (err) {
        failures++;
        this.options.log.error({ err: describeError(err) }, 'media queue unavailable; retrying');
        await this.wakeUp.sleep(Math.min(500 * 2 ** failures, 30_000));
        continue;
      }
      if (!this.wakeUp.rung) await this.wakeUp.sleep(this.pollMs);
    }
  }

  private async claimAndStart(): Promise<number> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    // The lease outlasts the download's own timeout (plus time to record the outcome), so a live download
    // never loses it, and a crashed one is picked up soon after.
    const claimed = await claimDueMedia(this.db, { limit: free, leaseMs: this.options.graph.timeoutMs + LEASE_MARGIN_MS });
    for (const item of claimed) {
      const job = this.download(item).finally(() => {
        this.inFlight.delete(job);
        // A slot is free: the next due item need not wait for the poll.
        if (this.running) this.notify();
      });
      this.inFlight.add(job);
    }
    return claimed.length;
  }

  private async download(item: ClaimedMedia): Promise<void> {
    const { log } = this.options;
    const started = performance.now();
    let conversationId: number | null;
    try {
      const file = await downloadMedia(item.mediaId, { ...this.options.graph, accessToken: this.options.graph.accessToken! }, this.options.storage, this.abort.signal);
      conversationId = await markMediaDownloaded(this.db, item.wamid, { storageKey: file.key, size: file.bytes, mimeType: file.mimeType });
      log.info({ wamid: item.wamid, kind: item.kind, bytes: file.bytes, ms: Math.round(performance.now() - started) }, 'media downloaded');
      this.options.onOutcome?.({ result: 'downloaded', bytes: file.bytes });
    } catch (err) {
      if (this.abort.signal.aborted) return; // shutting down: the lease runs out and another run takes it
      const failure = err instanceof MediaDownloadError ? err : null;
      const reason = failure?.reason ?? 'unavailable';
      const retryable = failure ? failure.retryable : true;
      const retryInMs = retryable && item.attempts < this.maxAttempts ? this.backoffMs(item.attempts) : null;
      const error = describeError(err);
      log.warn({ wamid: item.wamid, kind: item.kind, reason, attempt: item.attempts, retryInMs, err: error }, 'media download failed');
      this.options.onOutcome?.({ result: retryInMs === null ? 'failed' : 'retrying', reason });
      try {
        conversationId = await recordMediaFailure(this.db, item.wamid, { reason, error, retryInMs });
      } catch (dbErr) {
        log.error({ wamid: item.wamid, err: describeError(dbErr) }, 'could not record a media failure; its lease will run out');
        return;
      }
    }
    // Retrying too: the thread says why the last attempt failed and which one comes next.
    if (conversationId !== null) {
      await notifyChanges(this.db, { conversationIds: [conversationId], wamids: [item.wamid], topics: ['media'] }).catch(() => {});
    }
  }
}
