import type { Database } from '@/db/client';
import { BackgroundThread, type BackgroundJob, hasWorkerBundle, workerBundle, type WorkerData } from '@/lib/jobs/worker-thread';
import type { Logger } from '@/lib/log';
import { EventProcessor, type ProcessingOutcome } from './processor';

// Where the processor runs. On PostgreSQL: a worker thread with its own connections, so normalizing
// never delays an acknowledgement. On PGlite (one in-process database), or when the worker bundle was
// not built: in this thread.

export type ProcessorHandle = BackgroundJob;

const BUNDLE = 'processor-worker';

export function startProcessor(
  database: Database,
  options: {
    /** Set to run on a worker thread (production on PostgreSQL). */
    thread: WorkerData | null;
    log: Logger;
    onOutcome?: (outcome: ProcessingOutcome) => void;
  },
): ProcessorHandle {
  const { thread, log, onOutcome } = options;
  if (database.kind === 'postgres' && thread && hasWorkerBundle(BUNDLE)) {
    log.info('processor running on a worker thread');
    return new BackgroundThread(BUNDLE, thread, { log, onOutcome, stopTimeoutMs: 8_000 });
  }
  if (database.kind === 'postgres' && thread)
    log.warn({ workerBundle: workerBundle(BUNDLE) }, 'processor worker bundle missing (run npm run build); normalizing in the main thread');
  log.info('processor running on the main thread');
  return new EventProcessor(database, { log, onOutcome }).start();
}
