// `npm start`: the production server. Next serves everything (`next()` as a custom server: the same
// request handling as `next start`), except Meta's webhook POSTs, which take the webhook lane
// (lib/http/webhook-lane.ts) once the app has started. Bundled to dist/production-server.mjs by
// `npm run build` (scripts/build-dist.mjs).
//
// Takes what `next start` takes: PORT (default 3000), -p/--port, -H/--hostname (default: every address),
// --keepAliveTimeout in ms. Signals are the app's (lib/server-lifecycle.ts): it finishes the batch in hand.

import http from 'node:http';
import { parseArgs } from 'node:util';
import { webhookLaneFor } from './webhook-lane';

const USAGE = 'Usage: npm start [-- -p PORT -H HOSTNAME --keepAliveTimeout MS]';

function startOptions(): { port: number; hostname: string | undefined; keepAliveTimeout: number | undefined } {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      hostname: { type: 'string', short: 'H' },
      keepAliveTimeout: { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const keepAliveTimeout = values.keepAliveTimeout === undefined ? undefined : Number(values.keepAliveTimeout);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${values.port ?? process.env.PORT}`);
  if (keepAliveTimeout !== undefined && !(Number.isInteger(keepAliveTimeout) && keepAliveTimeout >= 0))
    throw new Error(`--keepAliveTimeout is a number of milliseconds, not ${values.keepAliveTimeout}`);
  return { port, hostname: values.hostname, keepAliveTimeout };
}

let options: ReturnType<typeof startOptions>;
try {
  options = startOptions();
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
const { port, hostname, keepAliveTimeout } = options;

// As `next start` does, before Next is loaded: Next reads it as it starts.
(process.env as Record<string, string>).NODE_ENV ??= 'production';
process.title = 'ticks-server';
const { default: next } = await import('next');

const server = http.createServer((req, res) => {
  const lane = webhookLaneFor(req);
  if (lane) lane(req, res).catch((err: unknown) => answerFailure(req, res, err));
  else void handle(req, res);
});
if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;

const app = next({ dev: false, dir: process.cwd(), hostname: hostname ?? 'localhost', port, httpServer: server });
// Like `next start`, the port is open at once; requests that come during the start wait for it.
const prepared = app.prepare();
let nextHandler: ReturnType<typeof app.getRequestHandler> | undefined;
async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    if (!nextHandler) {
      await prepared;
      nextHandler = app.getRequestHandler();
    }
    await nextHandler(req, res);
  } catch (err) {
    answerFailure(req, res, err);
  }
}

/** What `next start` does with a request its handler threw on; the process goes on. */
function answerFailure(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  console.error(`Failed to handle request for ${req.url}`, err);
  if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
  else res.destroy();
}

server.once('error', (err) => {
  console.error(`Failed to start server: ${err.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const address = server.address();
  const shown = typeof address === 'object' && address ? `${hostname ?? 'localhost'}:${address.port}` : String(address);
  console.log(`Ticks listening on http://${shown}`);
});
await prepared.catch((err: unknown) => {
  console.error('Next could not start', err);
  process.exit(1);
});
