import type { Database } from '@/db/client';
import { type BackgroundJob, startBackgroundJob, type WorkerData } from '@/lib/jobs/worker-thread';
import type { Logger } from '@/lib/log';
import { EventProcessor, type ProcessingOutcome } from './processor';

// Where the processor runs. On PostgreSQL: a worker thread with its own connections, so normalizing
// never delays an acknowledgement. On PGlite (one in-process database), or when the worker bundle was
// not built: in this thread.

export type ProcessorHandle = BackgroundJob;

export function startProcessor(
  database: Database,
  options: {
    /** Set to run on a worker thread (production on PostgreSQL). */
    thread: WorkerData | null;
    log: Logger;
    onOutcome?: (outcome: ProcessingOutcome) => void;
  },
): ProcessorHandle {
  const { log, onOutcome } = options;
  return startBackgroundJob(database, {
    ...options,
    what: 'processor',
    bundle: 'processor-worker',
    stopTimeoutMs: 8_000,
    inThisThread: () => new EventProcessor(database, { log, onOutcome }).start(),
  });
}
