import fs from 'node:fs';
import path from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type Database, openDatabase } from '@/db/client';
import { describeError, log as workerLog, type Logger } from '@/lib/log';
import { exponentialBackoff } from './backoff';

// A background job (the webhook processor, the outbox's sender) on a worker thread of its own: its own
// event loop and database connections, so its work never delays an HTTP answer, and the machine's other
// core does it. The host side (BackgroundThread) and the worker side (runBackgroundJob) speak a small
// protocol: to the worker 'wake' (new work) and 'stop'; from it 'ready', 'stopped' and outcomes for metrics.

/** A bundle built by scripts/build-dist.mjs (`npm run build`), e.g. dist/sender-worker.mjs. */
export const workerBundle = (name: string) => path.join(/* turbopackIgnore: true */ process.cwd(), 'dist', `${name}.mjs`);

const hasWorkerBundle = (name: string) => fs.existsSync(workerBundle(name));

/** What a job on either side of the thread offers: told of new work, and stopped. */
export interface BackgroundJob {
  notify(): void;
  stop(): Promise<void>;
}

/** What a worker needs to open its own connections and log like the host. */
export interface WorkerData {
  databaseUrl: string;
  /** Set when databaseUrl is a pooler's (see db/client.ts). */
  directUrl?: string;
  poolMax: number;
  /** See OpenOptions.genericPlans (db/client.ts). */
  genericPlans?: boolean;
  logLevel: string;
}

interface OutcomeMessage<O> {
  type: 'outcome';
  outcome: O;
}

const isOutcomeMessage = <O>(m: unknown): m is OutcomeMessage<O> =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'outcome';

const restartDelay = exponentialBackoff({ firstMs: 500, factor: 2, maxMs: 30_000 });

/** The host's handle on a job running in dist/<name>.mjs, restarted if it dies. */
export class BackgroundThread<O> implements BackgroundJob {
  private worker!: Worker;
  /** Between its exit and the restart: a stop then has nothing to wait for. */
  private exited = false;
  private stopping = false;
  private restarts = 0;
  /** A wake-up posted and not yet sent: every notify of one turn (a group commit's webhooks) sends one. */
  private wakePending = false;

  constructor(
    private readonly name: string,
    private readonly data: unknown,
    private readonly options: {
      log: Logger;
      onOutcome?: (outcome: O) => void;
      /** How long a stop may take before the thread is ended regardless. */
      stopTimeoutMs: number;
    },
  ) {
    this.spawn();
  }

  private spawn(): void {
    const { log, onOutcome } = this.options;
    const worker = new Worker(workerBundle(this.name), { workerData: this.data });
    this.worker = worker;
    this.exited = false;
    worker.on('message', (m: unknown) => {
      if (m === 'ready') this.restarts = 0;
      else if (isOutcomeMessage<O>(m)) onOutcome?.(m.outcome);
    });
    // describeError: an uncaught query error's message would list its parameters (message content).
    worker.on('error', (err) => log.error({ err: describeError(err) }, `${this.name} failed`));
    worker.on('exit', (code) => {
      this.exited = true;
      if (this.stopping) return;
      // Its work stays committed in the database; a fresh thread (or another instance) picks it up.
      const delay = restartDelay(++this.restarts);
      log.error({ code, restartInMs: delay }, `${this.name} exited; restarting`);
      setTimeout(() => this.stopping || this.spawn(), delay).unref();
    });
  }

  notify(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.worker.postMessage('wake');
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    const worker = this.worker;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.stopTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.on('message', (m) => m === 'stopped' && done());
      worker.on('exit', done);
      worker.postMessage('stop');
    });
    await worker.terminate();
  }
}

/**
 * Runs a job on a thread of its own (dist/<bundle>.mjs) when the host asks for one (`thread`: production
 * on PostgreSQL) and the bundle was built; otherwise in this thread (`inThisThread`: PGlite, one in-process
 * database; `next dev`, where edits take effect; a build without the bundle, which is logged).
 */
export function startBackgroundJob<O>(
  database: Database,
  options: {
    /** In log lines: "processor", "outbox sender". */
    what: string;
    bundle: string;
    thread: WorkerData | null;
    log: Logger;
    onOutcome?: (outcome: O) => void;
    stopTimeoutMs: number;
    inThisThread: () => BackgroundJob;
  },
): BackgroundJob {
  const { what, bundle, thread, log } = options;
  if (database.kind === 'postgres' && thread) {
    if (hasWorkerBundle(bundle)) {
      log.info(`${what} running on a worker thread`);
      return new BackgroundThread<O>(bundle, thread, options);
    }
    log.warn({ workerBundle: workerBundle(bundle) }, `${what} worker bundle missing (run npm run build); running in the main thread`);
  }
  log.info(`${what} running on the main thread`);
  return options.inThisThread();
}

/**
 * The worker's side (the entry of a bundle): opens the database as the host said, makes the job with it,
 * and runs the job as the host says until it is stopped and the database closed.
 */
export async function runBackgroundJob(make: (database: Database, log: Logger) => BackgroundJob): Promise<void> {
  const data = workerData as WorkerData;
  workerLog.level = data.logLevel;
  const database = await openDatabase({
    url: data.databaseUrl,
    directUrl: data.directUrl,
    poolMax: data.poolMax,
    genericPlans: data.genericPlans,
  });
  const job = make(database, workerLog);
  parentPort!.on('message', (message: unknown) => {
    if (message === 'wake') job.notify();
    if (message === 'stop') {
      void job
        .stop()
        .then(() => database.close())
        .finally(() => parentPort!.postMessage('stopped'));
    }
  });
  parentPort!.postMessage('ready');
}

/** From the worker: how one piece of work ended, for the host's metrics. */
export function reportOutcome<O>(outcome: O): void {
  parentPort!.postMessage({ type: 'outcome', outcome } satisfies OutcomeMessage<O>);
}
