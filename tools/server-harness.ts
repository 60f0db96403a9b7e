import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { envSchema } from '../lib/env';
import { isProcessAlive } from '../lib/process-alive';

// Runs the production server the way users do (`npm start`: dist/production-server.mjs, Next behind the
// webhook lane), for tests that need the real thing (instrumentation, the route handlers, signals,
// crashes) and for bench:live. `via: 'next start'` runs Next's own server instead, where Next's route
// takes the webhook too.

const root = process.cwd();
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const productionServer = path.join(root, 'dist', 'production-server.mjs');

/**
 * Builds once per source change: `next build` takes a while, and every server test shares the result.
 * Test files run side by side, and two may need the build at once: one builds, the other waits for it
 * (a second `next build` in the same directory refuses to start).
 */
export function ensureBuild(): void {
  const lock = path.join(os.tmpdir(), `ticks-build-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.lock`);
  for (;;) {
    if (isBuilt()) return;
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Held by a process that died mid-build (a killed run): take it over.
      if (isStale(lock)) fs.rmSync(lock, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      fs.writeSync(fd, String(process.pid));
      if (isBuilt()) return;
      const result = spawnSync('npm', ['run', 'build'], {
        cwd: root,
        stdio: 'pipe',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      });
      if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
      return;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
    }
  }
}

function isBuilt(): boolean {
  const outputs = [
    path.join(root, '.next', 'BUILD_ID'),
    ...['production-server', 'processor-worker', 'sender-worker'].map((w) => path.join(root, 'dist', `${w}.mjs`)),
  ];
  const built = Math.min(...outputs.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  return built > 0 && newestSource() < built;
}

function isStale(lock: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    // Empty: its holder is writing its pid this instant, or died before it could.
    if (!pid) return Date.now() - fs.statSync(lock).mtimeMs > 10_000;
    return !isProcessAlive(pid);
  } catch {
    // Released meanwhile (ENOENT): nothing to take over.
    return false;
  }
}

/** The newest file the build reads. tools/, tests/ and scripts/ are not part of the app: editing them rebuilds nothing. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ['app', 'lib', 'db']) walk(path.join(root, d));
  for (const f of ['next.config.ts', 'instrumentation.ts', 'proxy.ts', 'package.json'])
    newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
  return newest;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const serverEnv = {
  WHATSAPP_APP_SECRET: 'server-test-secret',
  WHATSAPP_VERIFY_TOKEN: 'server-test-verify',
  INBOX_API_KEY: 'server-test-api-key-0123456789',
  LOG_LEVEL: 'warn',
};

/**
 * Every setting of the app, empty (= unset): `next start` loads the project's .env files under what the
 * process already has, and a developer's .env (`npm run dev` writes one, with ADMIN_EMAIL) must not
 * reach a test's server. Only what the test gives is set. NODE_ENV is production, as under `npm start`
 * (vitest's own `test` would otherwise pass down to the server); DATA_DIR is always given
 * where it matters (PGlite), and its default is the dev directory, which an empty value would not change.
 */
const unsetSettings = Object.fromEntries(
  Object.keys(envSchema.shape)
    .filter((name) => name !== 'NODE_ENV' && name !== 'DATA_DIR')
    .map((name) => [name, '']),
);

/**
 * Node flags for the server under test, for diagnosis (`BENCH_SERVER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" npm run bench:send`): Node refuses --cpu-prof in NODE_OPTIONS.
 */
/**
 * The server's script and arguments, before -p and -H: `npm start`'s by default, Next's own with
 * `via: 'next start'` or, for a benchmark's comparison, BENCH_VIA=next-start.
 */
export function serverCommand(via?: 'npm start' | 'next start'): string[] {
  const chosen = via ?? (process.env.BENCH_VIA === 'next-start' ? 'next start' : 'npm start');
  return chosen === 'next start' ? [nextBin, 'start'] : [productionServer];
}

export const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

export async function startServer(
  env: Record<string, string>,
  options: { waitReady?: boolean; via?: 'npm start' | 'next start' } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...serverNodeArgs, ...serverCommand(options.via), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: {
      ...process.env,
      ...unsetSettings,
      ...serverEnv,
      NODE_ENV: 'production',
      NEXT_MANUAL_SIG_HANDLE: '1',
      NEXT_TELEMETRY_DISABLED: '1',
      ...(process.env.BENCH_SERVER_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // BENCH_SERVER_LOG=file keeps the server's output for diagnosis: with BENCH_SERVER_LOG_LEVEL=info, one
  // line per webhook with its time in our handler; with BENCH_SERVER_NODE_ARGS=--trace-gc, every collection.
  const keep = process.env.BENCH_SERVER_LOG ? fs.createWriteStream(process.env.BENCH_SERVER_LOG) : null;
  const collect = (d: Buffer) => {
    out += d;
    keep?.write(d);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => keep?.end());
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  running.add(server);
  void exited.then(() => running.delete(server));
  if (options.waitReady !== false) await waitReady(server);
  return server;
}

const running = new Set<RunningServer>();

/**
 * Kills every server this process started that is still running, and waits for each to exit. For an
 * afterEach: a test that timed out never reached its own `finally`, and its server would otherwise hold
 * its port and its embedded database while the next test starts.
 */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop('SIGKILL')));
}

/** Ready = the webhook answers the handshake (the first request waits for start-up and migrations). */
async function waitReady(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 60_000;
  let ended = false;
  void server.exited.then(() => (ended = true));
  while (Date.now() < deadline && !ended) {
    try {
      const r = await fetch(
        `${server.url}/api/webhook?hub.mode=subscribe&hub.verify_token=${serverEnv.WHATSAPP_VERIFY_TOKEN}&hub.challenge=ok`,
      );
      if (r.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop('SIGKILL');
  throw new Error(`server did not become ready:\n${server.output()}`);
}
