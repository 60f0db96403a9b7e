import 'server-only';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from './auth/auth';
import type { AccessDeps } from './auth/access';
import { stampPeerAddresses } from './auth/peer-address';
import { env as readEnv, type Env } from './env';
import { describeError, log } from './log';
import { MediaDownloader } from './media/downloader';
import { openMediaStorage } from './media/open-storage';
import type { MediaStorage } from './media/storage';
import { createMetrics, type Metrics } from './observability/metrics';
import { ChangeHub } from './realtime/hub';
import { OpenThreads } from './realtime/open-threads';
import { readApiDeps, threadMessagesOf } from './inbox/read-api';
import { EventStreamLimiter } from './realtime/stream-limiter';
import { RejectionCounter } from './whatsapp/rejections';
import { RawEventLog } from './whatsapp/ingest';
import type { WebhookDeps } from './whatsapp/webhook';
import { type OutboxHandle, graphClientOf, startSender } from './outbox/sender-host';
import { backfillMessageContent } from './whatsapp/content-backfill';
import type { GraphApiClient } from './whatsapp/graph-api';
import { startProcessor, type ProcessorHandle } from './whatsapp/processor-host';
import { TemplateSync } from './templates/sync';
import { CustomerSignals } from './customer-signals/customer-signals';
import { SnoozeWaker } from './inbox/snooze-waker';
import type { JobRunner } from './jobs/runner';
import type { WorkerData } from './jobs/worker-thread';
import { startStatusCountCompactor } from './inbox/status-count-compactor';
import { RetentionPurger } from './retention/purger';
import { StatisticsKeeper } from './jobs/statistics-keeper';
import { AutoAssigner } from './inbox/auto-assigner';

// The server's long-lived parts, created once per process: the database, the raw event log the
// webhook commits to, and the processor that normalizes in the background. Kept on globalThis
// because `next dev` re-evaluates modules on every edit, and PGlite must never be opened twice.

export interface App {
  env: Env;
  database: Database;
  rawEvents: RawEventLog;
  processor: ProcessorHandle;
  auth: Auth;
  /** Change notices from every instance's processor, for the live inbox. */
  changes: ChangeHub;
  /** Threads read lately on this instance: their changed messages go out with the notices. */
  openThreads: OpenThreads;
  /** Open event streams per user and API key, on this instance. */
  eventStreams: EventStreamLimiter;
  /** What authorizeRequest needs: sessions, API keys from the database, and INBOX_API_KEY. */
  access: AccessDeps & { auth: Auth };
  /** Prometheus metrics of this instance (GET /api/metrics). */
  metrics: Metrics;
  /** Rejected webhook requests, counted by reason for the error log. */
  rejections: RejectionCounter;
  /** Downloaded media files. */
  mediaStorage: MediaStorage;
  /** Fetches media files from the Graph API as media messages arrive. */
  media: MediaDownloader;
  /** The one Graph API client for sending (null without WHATSAPP_ACCESS_TOKEN). */
  graph: GraphApiClient | null;
  /** Sends the messages agents write, in order, once each. */
  outbox: OutboxHandle;
  /** Keeps a copy of every known account's message templates. */
  templateSync: TemplateSync;
  /** Read receipts and the typing indicator. */
  customerSignals: CustomerSignals;
  /** Opens snoozed conversations again when their time comes. */
  snoozeWaker: SnoozeWaker;
  /** Folds the tabs' kept counts into one row per number and status. */
  statusCounts: JobRunner<never>;
  /** Deletes what Ticks no longer keeps: old raw bodies, expired sessions, stale sign-in counters. */
  retention: RetentionPurger;
  /** Gives unassigned open conversations to available agents, when the setting is on. */
  autoAssigner: AutoAssigner;
  /** Null on PGlite (see lib/jobs/statistics-keeper.ts). */
  statistics: StatisticsKeeper | null;
}

const holder = globalThis as typeof globalThis & { __ticksApp?: Promise<App> };

/** The running app, started on first use (instrumentation starts it before the first request). */
export function getApp(): Promise<App> {
  if (!holder.__ticksApp) {
    const starting = Promise.resolve().then(() => startApp(readEnv()));
    // A failed start is not cached: the next caller tries again rather than failing forever.
    starting.catch(() => {
      if (holder.__ticksApp === starting) holder.__ticksApp = undefined;
    });
    holder.__ticksApp = starting;
  }
  return holder.__ticksApp;
}

export async function startApp(env: Env): Promise<App> {
  log.level = env.LOG_LEVEL;
  // Sign-in limits need the client's real address: the socket's, which Next does not pass on.
  stampPeerAddresses();
  const started = Date.now();
  const database = await openDatabase({
    url: env.DATABASE_URL,
    directUrl: env.DATABASE_DIRECT_URL,
    dataDir: env.DATA_DIR,
    poolMax: env.DATABASE_POOL_MAX,
    // The pool of pages and API routes; the processor's worker thread opens its own, without a limit.
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  let auth: Auth;
  try {
    await migrateDatabase(database);
    const filled = await backfillMessageContent(database.db, (n) => {
      if (n % 50_000 === 0) log.info({ messages: n }, 'filling in message content from raw items (migration 0007)…');
    });
    if (filled > 0) log.info({ messages: filled }, 'message content filled in from raw items (migration 0007)');
    auth = createAuth(database.db, env, await loadAuthSecret(database.db, env));
    await ensureFirstAdmin(auth, database.db, env);
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
  const metrics = createMetrics(database.db, log);
  // The processor and the sender run on threads of their own with connections of their own, on PostgreSQL
  // in production; `next dev` keeps them in this thread, where edits to them take effect.
  const onThread = (poolMax: number, more: Partial<WorkerData> = {}): WorkerData | null =>
    env.NODE_ENV === 'production' && env.DATABASE_URL
      ? { databaseUrl: env.DATABASE_URL, directUrl: env.DATABASE_DIRECT_URL, poolMax, logLevel: env.LOG_LEVEL, ...more }
      : null;
  const processor = startProcessor(database, {
    thread: onThread(Math.max(2, Math.ceil(env.DATABASE_POOL_MAX / 2))),
    log,
    onOutcome: (outcome) => metrics.observeProcessing(outcome),
  });
  const changes = await ChangeHub.start(database);
  const rawEvents = new RawEventLog(database.db, { timeoutMs: env.WEBHOOK_DB_TIMEOUT_MS });
  const rejections = new RejectionCounter(database.db, log).start();
  const mediaStorage = openMediaStorage(env);
  const media = new MediaDownloader(database.db, {
    graph: {
      graphUrl: env.WHATSAPP_GRAPH_URL,
      graphVersion: env.WHATSAPP_GRAPH_VERSION,
      accessToken: env.WHATSAPP_ACCESS_TOKEN,
      mediaHosts: env.WHATSAPP_MEDIA_HOSTS,
      maxBytes: env.MEDIA_MAX_BYTES,
      timeoutMs: env.MEDIA_TIMEOUT_MS,
    },
    storage: mediaStorage,
    concurrency: env.MEDIA_CONCURRENCY,
    log,
    onOutcome: (outcome) => metrics.observeMedia(outcome),
  }).start();
  // Scratch files of downloads a crash cut short (their jobs are downloaded again).
  void mediaStorage
    .sweepScratch(60 * 60_000)
    .then((n) => n > 0 && log.info({ files: n }, 'removed scratch files of interrupted media downloads'))
    .catch((err) => log.warn({ err: describeError(err) }, 'could not sweep media scratch files'));
  if (!media.enabled) log.warn('WHATSAPP_ACCESS_TOKEN is not set: media files will not be downloaded (messages show them as waiting)');
  // Media queued to download (on any instance): look at once rather than at the next poll. Not on every
  // new message: most carry no file, and each look is a claim.
  changes.subscribe((notice) => (notice.topics.includes('downloads') || notice.partial) && media.notify());
  const graph = graphClientOf(env);
  const outbox = startSender(database, env, {
    // A claim, a batch of Meta's answers and the odd release at a time: a few connections do.
    // Generic plans: every statement of the sender finds its rows by key, and planning each run was most
    // of PostgreSQL's work for them (see db/client.ts).
    thread: onThread(Math.max(2, Math.ceil(env.DATABASE_POOL_MAX / 4)), { genericPlans: true }),
    storage: mediaStorage,
    log,
    onOutcome: (outcome) => metrics.observeSend(outcome),
  });
  if (!outbox.enabled) log.warn('WHATSAPP_ACCESS_TOKEN is not set: agents cannot send messages');
  // A message queued on another instance: this one may send it as soon as its conversation's turn comes.
  changes.subscribe((notice) => (notice.topics.includes('outbox') || notice.partial) && outbox.notify());
  const templateSync = new TemplateSync(database, { graph, log }).start();
  const customerSignals = new CustomerSignals(database.db, { graph, readReceipts: env.WHATSAPP_SEND_READ_RECEIPTS, log });
  // A template webhook stored on any instance asked for a sync: look now.
  changes.subscribe((notice) => (notice.topics.includes('account') || notice.partial) && templateSync.notify());
  const snoozeWaker = new SnoozeWaker(database.db, { log }).start();
  const statusCounts = startStatusCountCompactor(database.db, { log });
  const retention = new RetentionPurger(database.db, {
    log,
    rawEventRetentionDays: env.RAW_EVENT_RETENTION_DAYS,
    onPurged: (report) => metrics.observePurge(report),
  }).start();
  const autoAssigner = new AutoAssigner(database.db, { log }).start();
  // Tables that grew get fresh planner statistics when autovacuum is off or behind.
  const statistics = database.kind === 'postgres' ? new StatisticsKeeper(database.db, { log }).start() : null;
  // Any change on any instance may free or bring a conversation (its own notices too: one more pass finds nothing).
  changes.subscribe(() => autoAssigner.notify());
  log.info({ database: database.kind === 'postgres' ? 'postgres' : `pglite (${env.DATA_DIR})`, ms: Date.now() - started }, 'ticks ready');
  const access = { db: database.db, apiKey: env.INBOX_API_KEY, auth };
  const eventStreams = new EventStreamLimiter(env.EVENT_STREAMS_PER_PRINCIPAL);
  const app: App = {
    env,
    database,
    rawEvents,
    processor,
    auth,
    access,
    changes,
    openThreads: new OpenThreads(),
    eventStreams,
    metrics,
    rejections,
    mediaStorage,
    media,
    graph,
    outbox,
    templateSync,
    customerSignals,
    snoozeWaker,
    statusCounts,
    retention,
    autoAssigner,
    statistics,
  };
  const readDeps = readApiDeps(app);
  changes.sendThreadMessagesWith((change) => threadMessagesOf(readDeps, change));
  return app;
}

/** Stops background work and closes the database (PGlite must close cleanly or the next start recovers). */
export async function stopApp(): Promise<void> {
  const app = await holder.__ticksApp?.catch(() => undefined);
  if (!app) return;
  await app.processor.stop();
  await app.outbox.stop();
  await app.templateSync.stop();
  await app.snoozeWaker.stop();
  await app.statusCounts.stop();
  await app.retention.stop();
  await app.autoAssigner.stop();
  await app.statistics?.stop();
  await app.customerSignals.settled();
  await app.media.stop();
  await app.rejections.stop();
  await app.changes.stop();
  await app.database.close();
  holder.__ticksApp = undefined;
}

/** What the webhook needs of the app, for both ways a delivery arrives (lib/whatsapp/webhook.ts). */
export function webhookDepsOf(app: App): WebhookDeps {
  return {
    config: {
      appSecrets: app.env.WHATSAPP_APP_SECRET,
      verifyToken: app.env.WHATSAPP_VERIFY_TOKEN,
      maxBodyBytes: app.env.WEBHOOK_MAX_BODY_BYTES,
    },
    rawEvents: app.rawEvents,
    log,
    onAccepted: () => app.processor.notify(),
    onOutcome: (result, seconds) => {
      app.metrics.observeWebhook(result, seconds);
      if (result.outcome === 'rejected') app.rejections.record(result.reason);
    },
  };
}
