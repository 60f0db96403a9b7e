// Entry of the processor's worker thread (bundled by scripts/build-dist.mjs into dist/).
// Normalizing on a thread of its own keeps the HTTP event loop free for acknowledgements, and puts
// the machine's second core to work (lib/jobs/worker-thread.ts).
import { reportOutcome, runBackgroundJob } from '@/lib/jobs/worker-thread';
import { EventProcessor } from './processor';

await runBackgroundJob((database, log) => new EventProcessor(database, { log, onOutcome: reportOutcome }).start());
