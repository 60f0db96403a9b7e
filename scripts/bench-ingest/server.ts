// The server under test: `npm start`'s (BENCH_VIA=next-start: Next's own) in its own process group on a given port and database, with
// what it logs at warn and above counted. (tools/server-harness.ts is the tests' harness; this one
// takes a fixed port, is stopped as a whole process group, and keeps a log tail for the report.)

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { serverCommand, serverNodeArgs } from '../../tools/server-harness';
import { BenchError, portIsFree, sleep } from './util';

export const SECRET = `bench-app-secret-${randomBytes(8).toString('hex')}`;
export const VERIFY_TOKEN = 'bench-verify-token';
const INBOX_API_KEY = `bench-inbox-api-key-${randomBytes(8).toString('hex')}`;

export interface Server {
  child: ChildProcess;
  pid: number;
  logTail: string[];
  logLines(): number;
  stop(): Promise<void>;
}

export async function startServer(dbUrl: string, port: number): Promise<Server> {
  if (!(await portIsFree(port))) throw new BenchError(`port ${port} is in use: pass another --port`);
  const child = spawn(process.execPath, [...serverNodeArgs, ...serverCommand(), '-p', String(port)], {
    cwd: process.cwd(),
    // Its own process group, so the whole server (and anything it forks) is stopped together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      INBOX_API_KEY,
      LOG_LEVEL: 'warn',
      NEXT_MANUAL_SIG_HANDLE: '1',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start next');
  const logTail: string[] = [];
  let logLines = 0;
  // Count what the app logs at warn and above (LOG_LEVEL=warn: every JSON line), and anything on stderr;
  // Next's start-up banner on stdout is kept for the tail but not counted.
  const keep = (counted: boolean) => (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (!line.trim()) continue;
      if (!counted && !line.trimStart().startsWith('{')) {
        logTail.push(line);
        if (logTail.length > 40) logTail.shift();
        continue;
      }
      logLines++;
      logTail.push(line);
      if (logTail.length > 40) logTail.shift();
    }
  };
  child.stdout!.on('data', keep(false));
  child.stderr!.on('data', keep(true));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const gone = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([exit, sleep(2_000)]);
    }
  };
  const server: Server = { child, pid, logTail, logLines: () => logLines, stop };

  // Ready when the handshake answers (instrumentation has opened the database and migrated by then).
  const deadline = Date.now() + 90_000;
  const probe = `http://127.0.0.1:${port}/api/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=ready`;
  for (;;) {
    if (exited) {
      throw new BenchError(`the server exited during start-up:\n${logTail.join('\n')}`);
    }
    try {
      const res = await fetch(probe, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      if (res.status === 200 && text === 'ready') return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new BenchError(`the server did not answer the handshake within 90 s:\n${logTail.join('\n')}`);
    }
    await sleep(200);
  }
}
