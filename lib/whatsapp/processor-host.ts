import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from '@/db/client';
import { exponentialBackoff } from '@/lib/jobs/backoff';
import { describeError, type Logger } from '@/lib/log';
import { EventProcessor, type ProcessingOutcome } from './processor';
import type { ProcessorWorkerData } from './processor-worker';

// Where the processor runs. On PostgreSQL: a worker thread with its own connections, so normalizing
// never delays an acknowledgement. On PGlite (one in-process database), or when the worker bundle was
// not built: in this thread.

export interface ProcessorHandle {
  /** New events were committed. */
  notify(): void;
  stop(): Promise<void>;
}

export const workerBundle = path.join(/* turbopackIgnore: true */ process.cwd(), 'dist', 'processor-worker.mjs');

export function startProcessor(
  database: Database,
  options: {
    databaseUrl?: string;
    directUrl?: string;
    poolMax: number;
    logLevel: string;
    log: Logger;
    onOutcome?: (outcome: ProcessingOutcome) => void;
  },
): ProcessorHandle {
  if (database.kind === 'postgres' && options.databaseUrl && fs.existsSync(workerBundle)) {
    options.log.info('processor running on a worker thread');
    return new ProcessorThread(
      options.log,
      {
        databaseUrl: options.databaseUrl,
        directUrl: options.directUrl,
        poolMax: Math.max(2, Math.ceil(options.poolMax / 2)),
        logLevel: options.logLevel,
      },
      options.onOutcome,
    );
  }
  if (database.kind === 'postgres')
    options.log.warn({ workerBundle }, 'processor worker bundle missing (run npm run build); normalizing in the main thread');
  const processor = new EventProcessor(database, { log: options.log, onOutcome: options.onOutcome });
  processor.start();
  options.log.info('processor running on the main thread');
  return processor;
}

const restartDelay = exponentialBackoff({ firstMs: 500, factor: 2, maxMs: 30_000 });

/** The processor on a worker thread, restarted if it dies. */
class ProcessorThread implements ProcessorHandle {
  private worker!: Worker;
  private stopping = false;
  private restarts = 0;

  constructor(
    private readonly log: Logger,
    private readonly data: ProcessorWorkerData,
    private readonly onOutcome?: (outcome: ProcessingOutcome) => void,
  ) {
    this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(workerBundle, { workerData: this.data });
    this.worker = worker;
    worker.on('message', (m: unknown) => {
      if (m === 'ready') this.restarts = 0;
      else if (isOutcomeMessage(m)) this.onOutcome?.(m.outcome);
    });
    // describeError: an uncaught query error's message would list its parameters (message content).
    worker.on('error', (err) => this.log.error({ err: describeError(err) }, 'processor worker failed'));
    worker.on('exit', (code) => {
      if (this.stopping) return;
      // Events stay committed and pending; a fresh worker (or another instance) picks them up.
      const delay = restartDelay(++this.restarts);
      this.log.error({ code, restartInMs: delay }, 'processor worker exited; restarting');
      setTimeout(() => this.stopping || this.spawn(), delay).unref();
    });
  }

  /** A wake-up posted and not yet sent: every webhook of a group commit resolves in the same turn. */
  private wakePending = false;

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
    const worker = this.worker;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 8_000);
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

/** The worker reports what it processed, so this thread's metrics count it. */
export interface OutcomeMessage {
  type: 'outcome';
  outcome: ProcessingOutcome;
}

function isOutcomeMessage(m: unknown): m is OutcomeMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'outcome';
}
