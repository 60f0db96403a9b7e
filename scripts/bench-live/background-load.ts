// bench:live's background load, in a process of its own: other customers' webhooks at R per second
// (three messages to two statuses, as bench:ingest sends them). In the timing process its event loop
// (bodies, signatures, hundreds of sockets) delayed the very moments bench:live notes, so the load
// looked like server time. Run by bench-live.ts with `node --import tsx`; the parent sends 'stop' and
// gets back {posted, failed, failures, ackMs} (each answer's time from the POST, for the report).

import http from 'node:http';
import { signedHeaders } from '../../tools/meta-envelopes';
import { mixedBenchBody } from '../../tools/simulated-traffic';

const [url, perSecondArg, secret] = process.argv.slice(2);
const perSecond = Number(perSecondArg);
if (!url || !secret || !(perSecond > 0) || !process.send) {
  console.error('usage: background-load.ts <webhook url> <per second> <app secret> (forked by bench-live.ts)');
  process.exit(2);
}

// Meta keeps connections open; so do we, up to as many in flight as the cap below.
const MAX_IN_FLIGHT = 256;
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const target = new URL(url);
let posted = 0;
let failed = 0;
/** Why the failed ones failed: an HTTP status or the socket's error code. */
const failures: Record<string, number> = {};
let inFlight = 0;
const ackMs: number[] = [];

function post(body: string, started = performance.now()): void {
  inFlight++;
  const done = (outcome: number | string) => {
    inFlight--;
    if (outcome === 200) ackMs.push(performance.now() - started);
    else {
      failed++;
      failures[outcome] = (failures[outcome] ?? 0) + 1;
    }
  };
  const req = http.request(
    { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: signedHeaders(body, secret!) },
    (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 'no status'));
      res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    },
  );
  req.on('error', (err: NodeJS.ErrnoException) => {
    // A kept-alive socket the server closed as we reused it (its idle timeout): post again, as Node's
    // documentation advises and as Meta would; an identical body is stored once whatever happened to it.
    if (req.reusedSocket && err.code === 'ECONNRESET') {
      inFlight--;
      post(body, started);
      return;
    }
    done(err.code ?? err.message);
  });
  req.end(body);
}

const started = performance.now();
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
  while (posted < due && inFlight < MAX_IN_FLIGHT) post(mixedBenchBody(posted++).body);
}, 10);

// The parent ended without a 'stop' (a failed run): end too, rather than load the machine for nobody.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  agent.destroy();
  process.send!({ posted, failed, failures, seconds: (performance.now() - started) / 1000, ackMs }, () => process.exit(0));
});
