import type { Db } from '@/db/client';
import { unreferencedStorageKeys } from '@/db/queries/erase';
import { claimDueMedia, markMediaDownloaded, recordMediaFailure, type ClaimedMedia } from '@/db/queries/media';
import { publicMessageId } from '@/lib/inbox/message-id';
import { describeError, type Logger } from '@/lib/log';
import { notifyChanges } from '@/lib/realtime/changes';
import { exponentialBackoff, retryDelay, type RetryPolicy } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import { GraphApiClient, type GraphApiConfig } from '@/lib/whatsapp/graph-api';
import { downloadMedia, MediaDownloadError } from './download-media';
import type { MediaStorage } from './storage';

// Downloads media files soon after their messages are stored, before Meta's URLs expire. The queue is
// media_items (the store adds a row in the same transaction as the message); this loop leases due items,
// downloads up to `concurrency` at once, and records the outcome. Every instance runs one: leases and
// SKIP LOCKED keep them from fetching the same file twice, and a crash only delays an item until its
// lease runs out.

export interface MediaDownloaderOptions {
  /** The Graph API client's settings (the token may be missing: then nothing is downloaded), and the download's limits. */
  graph: Omit<GraphApiConfig, 'accessToken'> & { accessToken: string | undefined; maxBytes: number; timeoutMs: number };
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
const defaultBackoff = exponentialBackoff({ firstMs: 5000, factor: 3, maxMs: 10 * 60_000 });

export class MediaDownloader {
  private readonly runner: JobRunner<ClaimedMedia, MediaOutcome>;
  private readonly graph: GraphApiClient | null;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly db: Db,
    private readonly options: MediaDownloaderOptions,
  ) {
    const { graphUrl, graphVersion, accessToken, mediaHosts, fetch } = options.graph;
    this.graph = accessToken ? new GraphApiClient({ graphUrl, graphVersion, accessToken, mediaHosts, fetch }) : null;
    this.retry = { maxAttempts: options.maxAttempts ?? MEDIA_MAX_ATTEMPTS, backoffMs: options.backoffMs ?? defaultBackoff };
    this.runner = new JobRunner({
      name: 'media downloads',
      concurrency: options.concurrency ?? 4,
      // The lease outlasts the download's own timeout (plus time to record the outcome), so a live download
      // never loses it, and a crashed one is picked up soon after.
      claim: (limit) => claimDueMedia(this.db, { limit, leaseMs: options.graph.timeoutMs + LEASE_MARGIN_MS }),
      run: (item, signal) => this.download(item, signal),
      onOutcome: options.onOutcome,
      pollMs: options.pollMs ?? 2000,
      claimRetryMs: exponentialBackoff({ firstMs: 1000, factor: 2, maxMs: 30_000 }),
      log: options.log,
    });
  }

  /** Without an access token nothing can be fetched: items stay pending (the thread says why). */
  get enabled(): boolean {
    return this.graph !== null;
  }

  start(): this {
    if (this.enabled) this.runner.start();
    return this;
  }

  /** New media may be queued: look now. */
  notify(): void {
    this.runner.notify();
  }

  /** Stops claiming, aborts downloads in flight (their leases run out; they are fetched again later). */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Claims and starts what fits; resolves when those downloads have ended. For tests: one round. */
  async downloadDue(): Promise<number> {
    return (await this.runner.runDue()).length;
  }

  private async download(item: ClaimedMedia, signal: AbortSignal): Promise<MediaOutcome | null> {
    const { log, graph: limits } = this.options;
    const started = performance.now();
    let conversationId: number | null;
    let outcome: MediaOutcome;
    try {
      const file = await downloadMedia(
        item.mediaId,
        { graph: this.graph!, maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs },
        this.options.storage,
        signal,
      );
      conversationId = await markMediaDownloaded(this.db, item.messageId, {
        storageKey: file.key,
        size: file.bytes,
        mimeType: file.mimeType,
      });
      // The message went while its file downloaded (its customer was erased): the file must not stay behind.
      if (conversationId === null) await this.removeOrphan(file.key);
      log.info(
        { messageId: item.messageId, wamid: item.wamid, kind: item.kind, bytes: file.bytes, ms: Math.round(performance.now() - started) },
        'media downloaded',
      );
      outcome = { result: 'downloaded', bytes: file.bytes };
    } catch (err) {
      if (signal.aborted) return null; // shutting down: the lease runs out and another run takes it
      const failure = err instanceof MediaDownloadError ? err : null;
      const reason = failure?.reason ?? 'unavailable';
      // Claiming counted this attempt already.
      const retryInMs = retryDelay(this.retry, item.attempts, failure ? failure.retryable : true);
      const error = describeError(err);
      log.warn(
        { messageId: item.messageId, wamid: item.wamid, kind: item.kind, reason, attempt: item.attempts, retryInMs, err: error },
        'media download failed',
      );
      outcome = { result: retryInMs === null ? 'failed' : 'retrying', reason };
      try {
        conversationId = await recordMediaFailure(this.db, item.messageId, { reason, error, retryInMs });
      } catch (dbErr) {
        log.error(
          { messageId: item.messageId, wamid: item.wamid, err: describeError(dbErr) },
          'could not record a media failure; its lease will run out',
        );
        return outcome;
      }
    }
    // Retrying too: the thread says why the last attempt failed and which one comes next.
    if (conversationId !== null) {
      const messageIds = [publicMessageId({ id: item.messageId, wamid: item.wamid })];
      await notifyChanges(this.db, { conversationIds: [conversationId], messageIds, topics: ['media'] }).catch(() => {});
    }
    return outcome;
  }

  private async removeOrphan(key: string): Promise<void> {
    try {
      for (const orphan of await unreferencedStorageKeys(this.db, [key])) await this.options.storage.remove(orphan);
    } catch (err) {
      this.options.log.error({ key, err: describeError(err) }, 'could not remove the file of a message that is gone');
    }
  }
}
