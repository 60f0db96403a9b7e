// Entry of the outbox sender's worker thread (bundled by scripts/build-dist.mjs into dist/). Its
// settings are the host's: a worker starts with a copy of the process's environment.
import { env } from '@/lib/env';
import { reportOutcome, runBackgroundJob } from '@/lib/jobs/worker-thread';
import { openMediaStorage } from '@/lib/media/open-storage';
import { startOutboxSender } from './sender-host';

await runBackgroundJob((database, log) =>
  startOutboxSender(database.db, env(), { storage: openMediaStorage(env()), log, onOutcome: reportOutcome }),
);
