import { createHash } from 'node:crypto';
import type { Database } from '@/db/client';
import {
  claimTemplateSync,
  listDueTemplateSyncs,
  listKnownAccounts,
  recordTemplateSyncFailure,
  requestTemplateSyncs,
  storeTemplateSync,
} from '@/db/queries/templates';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { JobRunner } from '@/lib/jobs/runner';
import { describeError, type Logger } from '@/lib/log';
import type { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { TEMPLATE_PAGE_SIZE, TEMPLATE_REFRESH_MS, TEMPLATE_SYNC_MIN_INTERVAL_MS, TEMPLATE_SYNC_RETRY_MS } from './sync-policy';

// Keeps a copy of every known WhatsApp Business Account's message templates (GET /{waba_id}/message_templates,
// every page), so the template picker and the outbox never ask Meta. The queue is template_syncs: a sync is
// asked for there (at start-up and by template webhooks, spaced by TEMPLATE_SYNC_MIN_INTERVAL_MS; by an admin,
// at once), so whichever instance looks first runs it. Each instance runs one sync at a time on the job
// runner, and takes the account's advisory lock first: two instances never sync one account together, and
// the second, once it has the lock, finds the sync done and skips it. A sync that dies midway loses only
// its request; the next start-up or the daily refresh asks again.

export interface TemplateSyncOptions {
  /** Null without an access token: nothing is synced. */
  graph: GraphApiClient | null;
  log: Logger;
  /** Look for due syncs this often besides being woken (requests from other instances, spaced requests coming due). */
  pollMs?: number;
  minIntervalMs?: number;
  refreshMs?: number;
  retryMs?: number;
  pageSize?: number;
  /** Per Meta call. */
  timeoutMs?: number;
  onOutcome?: (outcome: TemplateSyncOutcome) => void;
}

export type TemplateSyncOutcome =
  | { wabaId: string; result: 'synced'; stored: number; deleted: number; complete: boolean }
  | { wabaId: string; result: 'failed'; error: string }
  /** Not due once its lock was held: another instance had just synced it. */
  | { wabaId: string; result: 'skipped' };

/** Our own errors' messages are safe to keep (the Graph client redacts the token); at most this much of one. */
const MAX_ERROR_LENGTH = 500;

export class TemplateSync {
  private readonly runner: JobRunner<string, TemplateSyncOutcome>;
  private readonly minIntervalMs: number;
  private readonly refreshMs: number;
  /** Syncs in progress on this instance, by account: the advisory lock serializes instances, this one's own calls. */
  private readonly inProgress = new Map<string, Promise<unknown>>();

  constructor(
    private readonly database: Database,
    private readonly options: TemplateSyncOptions,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? TEMPLATE_SYNC_MIN_INTERVAL_MS;
    this.refreshMs = options.refreshMs ?? TEMPLATE_REFRESH_MS;
    this.runner = new JobRunner({
      name: 'template sync',
      concurrency: 1,
      claim: (limit) => listDueTemplateSyncs(this.database.db, { limit, refreshMs: this.refreshMs }),
      run: (wabaId, signal) => this.syncAccount(wabaId, signal),
      onOutcome: options.onOutcome,
      pollMs: options.pollMs ?? 60_000,
      claimRetryMs: exponentialBackoff({ firstMs: 1000, factor: 2, maxMs: 60_000 }),
      log: options.log,
    });
  }

  get enabled(): boolean {
    return this.options.graph !== null;
  }

  /** Asks for a (spaced) sync of every known account, then runs due syncs until stopped. */
  start(): this {
    if (!this.enabled) return this;
    this.runner.start();
    void this.request({ atOnce: false })
      .then(() => this.runner.notify())
      .catch((err) => this.options.log.warn({ err: describeError(err) }, 'could not ask for template syncs at start-up'));
    return this;
  }

  /** A sync may have been asked for (a template webhook stored on some instance): look now. */
  notify(): void {
    this.runner.notify();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /**
   * Asks for a sync of every known account: `atOnce` for an admin, else spaced. Resolves with the accounts
   * and when they were asked for (null: no account known) once the request is committed; the syncs run in
   * the background, and an account's synced_at at or after `requestedAt` says its sync answered this one.
   */
  async request({ atOnce }: { atOnce: boolean }): Promise<{ wabaIds: string[]; requestedAt: Date | null }> {
    const wabaIds = await listKnownAccounts(this.database.db);
    const requestedAt = await requestTemplateSyncs(this.database.db, wabaIds, { atOnce, minIntervalMs: this.minIntervalMs });
    if (atOnce) this.runner.notify();
    return { wabaIds, requestedAt };
  }

  /** One round by hand (tests, tools): runs the due syncs that fit and resolves when they have ended. */
  async syncDue(): Promise<string[]> {
    return this.runner.runDue();
  }

  /** Syncs one account if it is still due once its lock is held (after any sync of it in progress here). */
  async syncAccount(wabaId: string, signal?: AbortSignal): Promise<TemplateSyncOutcome | null> {
    const before = this.inProgress.get(wabaId);
    const mine = (before ?? Promise.resolve()).catch(() => {}).then(() => this.syncLocked(wabaId, signal));
    this.inProgress.set(wabaId, mine);
    try {
      return await mine;
    } finally {
      if (this.inProgress.get(wabaId) === mine) this.inProgress.delete(wabaId);
    }
  }

  private async syncLocked(wabaId: string, signal?: AbortSignal): Promise<TemplateSyncOutcome | null> {
    const graph = this.options.graph;
    if (graph === null) return null;
    const { log } = this.options;
    const db = this.database.db;
    try {
      return await this.database.withAdvisoryLock(lockKey(wabaId), async () => {
        const listedAt = await claimTemplateSync(db, wabaId, { refreshMs: this.refreshMs });
        if (listedAt === null) return { wabaId, result: 'skipped' as const };
        const started = performance.now();
        try {
          const { templates, complete } = await graph.fetchTemplates(wabaId, {
            pageSize: this.options.pageSize ?? TEMPLATE_PAGE_SIZE,
            timeoutMs: this.options.timeoutMs,
            signal,
          });
          const { stored, deleted } = await db.transaction((tx) => storeTemplateSync(tx, { wabaId, templates, complete, listedAt }));
          log.info({ wabaId, templates: stored, deleted, complete, ms: Math.round(performance.now() - started) }, 'templates synced');
          return { wabaId, result: 'synced' as const, stored, deleted, complete };
        } catch (err) {
          // Shutting down: its request is gone, and the next start-up asks again.
          if (signal?.aborted) return null;
          // The Graph client's own message says which call failed and Meta's code (the token redacted).
          const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
          log.warn({ wabaId, err: describeError(err), retryInMs: this.options.retryMs ?? TEMPLATE_SYNC_RETRY_MS }, 'template sync failed');
          await recordTemplateSyncFailure(db, wabaId, { error, retryMs: this.options.retryMs ?? TEMPLATE_SYNC_RETRY_MS });
          return { wabaId, result: 'failed' as const, error };
        }
      });
    } catch (err) {
      // Waiting for the lock outlasted the statement timeout: another instance is syncing it right now.
      if ((err as { code?: unknown } | null)?.code === '57014') return { wabaId, result: 'skipped' };
      throw err;
    }
  }
}

/** The advisory lock of one account's sync: a stable 48-bit number from its id (a collision only serializes two syncs). */
function lockKey(wabaId: string): number {
  return createHash('sha256').update(`ticks:template-sync:${wabaId}`).digest().readUIntBE(0, 6);
}
