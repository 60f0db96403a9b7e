import { getApp, stopApp, webhookDepsOf } from './app';
import { EnvError } from './env';
import { openWebhookLane } from './http/webhook-lane';
import { log } from './log';
import { receiveNodeDelivery } from './whatsapp/webhook';

/**
 * Opens the database and migrates before the server takes traffic. If that fails the process exits:
 * a server that stays up answering 500 to everything would make Meta give up on us silently.
 */
export async function startServer(): Promise<void> {
  try {
    const app = await getApp();
    // Under `npm start`, webhook POSTs are answered from here on without going through Next.
    const deps = webhookDepsOf(app);
    openWebhookLane((req, res) => receiveNodeDelivery(req, res, deps));
  } catch (err) {
    if (err instanceof EnvError) console.error(err.message);
    else log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'ticks could not start');
    process.exit(1);
  }
  // Under `npm start` (a server of ours) and with NEXT_MANUAL_SIG_HANDLE=1 (`npm run dev`) Next leaves signals to us:
  // finish the batch in hand and close the database before exiting.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      void stopApp()
        .catch((err) => log.error({ err: String(err) }, 'shutdown failed'))
        .finally(() => process.exit(0));
    });
  }
}
