// Entry of the processor's worker thread (bundled by scripts/build-worker.mjs into dist/).
// Normalizing on a thread of its own keeps the HTTP event loop free for acknowledgements, and puts
// the machine's second core to work. Messages from the host: 'wake' (new events) and 'stop'.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '@/db/client';
import { log } from '@/lib/log';
import { EventProcessor } from './processor';
import type { OutcomeMessage } from './processor-host';

export interface ProcessorWorkerData {
  databaseUrl: string;
  /** Set when databaseUrl is a pooler's (see db/client.ts). */
  directUrl?: string;
  poolMax: number;
  logLevel: string;
}

const data = workerData as ProcessorWorkerData;
log.level = data.logLevel;
const database = await openDatabase({ url: data.databaseUrl, directUrl: data.directUrl, poolMax: data.poolMax });
const processor = new EventProcessor(database, {
  log,
  onOutcome: (outcome) => parentPort!.postMessage({ type: 'outcome', outcome } satisfies OutcomeMessage),
});
processor.start();

parentPort!.on('message', (message: unknown) => {
  if (message === 'wake') processor.notify();
  if (message === 'stop') {
    void processor
      .stop()
      .then(() => database.close())
      .finally(() => parentPort!.postMessage('stopped'));
  }
});
parentPort!.postMessage('ready');
