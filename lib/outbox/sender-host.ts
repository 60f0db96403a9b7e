import type { Database, Db } from '@/db/client';
import type { Env } from '@/lib/env';
import { type BackgroundJob, startBackgroundJob, type WorkerData } from '@/lib/jobs/worker-thread';
import type { Logger } from '@/lib/log';
import type { MediaStorage } from '@/lib/media/storage';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { OutboxSender, type SendAttemptOutcome } from './sender';

// Where the outbox's sender runs. Like the processor (lib/whatsapp/processor-host.ts): on PostgreSQL in
// production, a worker thread of its own (dist/sender-worker.mjs), so a burst of sends never delays the
// API's answers and the requests to Meta use the machine's other core; on PGlite (one in-process
// database), in `next dev`, or when the bundle was not built: in this thread.

export interface OutboxHandle extends BackgroundJob {
  /** False without WHATSAPP_ACCESS_TOKEN: nothing is sent, and the API refuses new messages. */
  readonly enabled: boolean;
}

type SenderEnv = Pick<
  Env,
  | 'WHATSAPP_ACCESS_TOKEN'
  | 'WHATSAPP_GRAPH_URL'
  | 'WHATSAPP_GRAPH_VERSION'
  | 'WHATSAPP_MEDIA_HOSTS'
  | 'WHATSAPP_SEND_MPS'
  | 'OUTBOX_CONCURRENCY'
  | 'WHATSAPP_SEND_TIMEOUT_MS'
>;

/** The Graph API client the settings describe; null without an access token. */
export function graphClientOf(env: SenderEnv): GraphApiClient | null {
  return env.WHATSAPP_ACCESS_TOKEN
    ? new GraphApiClient({
        graphUrl: env.WHATSAPP_GRAPH_URL,
        graphVersion: env.WHATSAPP_GRAPH_VERSION,
        accessToken: env.WHATSAPP_ACCESS_TOKEN,
        mediaHosts: env.WHATSAPP_MEDIA_HOSTS,
      })
    : null;
}

/** The sender as the settings describe it, on `db`, started. */
export function startOutboxSender(
  db: Db,
  env: SenderEnv,
  deps: { storage: MediaStorage; log: Logger; onOutcome?: (outcome: SendAttemptOutcome) => void },
): OutboxSender {
  return new OutboxSender(db, {
    graph: graphClientOf(env),
    storage: deps.storage,
    log: deps.log,
    messagesPerSecond: env.WHATSAPP_SEND_MPS,
    concurrency: env.OUTBOX_CONCURRENCY,
    requestTimeoutMs: env.WHATSAPP_SEND_TIMEOUT_MS,
    onOutcome: deps.onOutcome,
  }).start();
}

export function startSender(
  database: Database,
  env: SenderEnv,
  options: {
    /** Set to run on a worker thread (production on PostgreSQL); its settings come from this process's environment. */
    thread: WorkerData | null;
    storage: MediaStorage;
    log: Logger;
    onOutcome?: (outcome: SendAttemptOutcome) => void;
  },
): OutboxHandle {
  const enabled = Boolean(env.WHATSAPP_ACCESS_TOKEN);
  const job = startBackgroundJob(database, {
    ...options,
    what: 'outbox sender',
    bundle: 'sender-worker',
    // Nothing to send without a token: no thread for it.
    thread: enabled ? options.thread : null,
    // Requests in flight are waited for on a stop: cut short, their outcome would be unknown.
    stopTimeoutMs: env.WHATSAPP_SEND_TIMEOUT_MS + 10_000,
    inThisThread: () => startOutboxSender(database.db, env, options),
  });
  return { enabled, notify: () => job.notify(), stop: () => job.stop() };
}
