import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request, type APIResponse, type FullConfig } from '@playwright/test';
import postgres from 'postgres';
import { CHROMIUM_PATH } from '../../tools/chromium';
import { startFakeGraph, type FakeGraph } from '../../tools/fake-graph';
import { dropStaleTestDatabases } from '../helpers/stale-databases';
import { ensureBuild, serverEnv, startServer, type RunningServer } from '../../tools/server-harness';
import { AUTH_DIR, E2E_ENV, E2E_GRAPH_TOKEN, E2E_MEDIA, E2E_USERS, storageStatePath } from './shared';

// Once per `playwright test`: a production build, a fresh database (PostgreSQL at TEST_DATABASE_URL,
// or PGlite in a temporary directory when no PostgreSQL answers locally), `next start` on it, and a
// signed-in browser state per role, and a fake Graph API the server downloads media from (E2E_MEDIA). What the tests need travels in process.env (the workers inherit
// it). The function it returns is the teardown: stop the server, drop the database.

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const chromium = CHROMIUM_PATH;
  if (!fs.existsSync(chromium)) {
    throw new Error(
      `No Chromium at ${chromium}: apt-get install -y chromium, or set CHROMIUM_PATH (Playwright's own browsers are never downloaded here).`,
    );
  }

  const started = Date.now();
  ensureBuild();
  const builtAt = Date.now();

  const database = await createDatabase();
  let server: RunningServer | undefined;
  let graph: FakeGraph | undefined;
  const teardown = async () => {
    if (server) {
      const code = await server.stop();
      // E2E_SERVER_LOG=/tmp/server.log keeps what the server logged (at info), for diagnosing a failure.
      if (process.env.E2E_SERVER_LOG) fs.writeFileSync(process.env.E2E_SERVER_LOG, server.output());
      if (code !== 0 && code !== null) console.warn(`e2e: the server exited with ${code}:\n${server.output().slice(-4000)}`);
    }
    await graph?.close();
    await database.drop();
  };

  try {
    graph = await startFakeGraph({ token: E2E_GRAPH_TOKEN, version: GRAPH_VERSION });
    graph.add({ id: E2E_MEDIA.image.id, mimeType: E2E_MEDIA.image.mimeType, body: Buffer.from(PNG_40X30_BASE64, 'base64') });
    graph.add({ id: E2E_MEDIA.audio.id, mimeType: E2E_MEDIA.audio.mimeType, body: toneWav(E2E_MEDIA.audio.seconds) });
    graph.add({ id: E2E_MEDIA.document.id, mimeType: E2E_MEDIA.document.mimeType, body: Buffer.from(TINY_PDF, 'latin1') });
    graph.add({
      id: E2E_MEDIA.damagedAudio.id,
      mimeType: E2E_MEDIA.damagedAudio.mimeType,
      body: Buffer.from('OggS, or so it says: not a single page of audio follows.'),
    });
    server = await startServer({
      ...database.env,
      WHATSAPP_ACCESS_TOKEN: E2E_GRAPH_TOKEN,
      WHATSAPP_GRAPH_URL: graph.url,
      WHATSAPP_GRAPH_VERSION: GRAPH_VERSION,
      ADMIN_EMAIL: E2E_USERS.admin.email,
      ADMIN_PASSWORD: E2E_USERS.admin.password,
      SIGN_IN_ATTEMPTS_PER_MINUTE: '1000',
      ...(process.env.E2E_SERVER_LOG ? { LOG_LEVEL: 'info' } : {}),
    });
    process.env[E2E_ENV.url] = server.url;
    process.env[E2E_ENV.webhookSecret] = serverEnv.WHATSAPP_APP_SECRET.split(',')[0]!;
    process.env[E2E_ENV.apiKey] = serverEnv.INBOX_API_KEY;
    process.env[E2E_ENV.graphUrl] = graph.url;
    if (database.env.DATABASE_URL) process.env[E2E_ENV.databaseUrl] = database.env.DATABASE_URL;
    else delete process.env[E2E_ENV.databaseUrl];
    delete process.env[E2E_ENV.agentError];

    fs.rmSync(AUTH_DIR, { recursive: true, force: true });
    fs.mkdirSync(AUTH_DIR, { recursive: true });
    const admin = await signIn(server.url, E2E_USERS.admin);
    try {
      await admin.storageState({ path: storageStatePath('admin') });
      // Only the agent's tests depend on this: if it fails they fail with the reason (helpers.ts), the rest run.
      try {
        const created = await admin.post('/api/admin/users', { data: { ...E2E_USERS.agent, role: 'agent' } });
        if (!created.ok()) throw new Error(`POST /api/admin/users answered ${created.status()}: ${await describeBody(created)}`);
        const agent = await signIn(server.url, E2E_USERS.agent);
        await agent.storageState({ path: storageStatePath('agent') });
        await agent.dispose();
      } catch (err) {
        process.env[E2E_ENV.agentError] = `no e2e agent: ${err instanceof Error ? err.message : String(err)}`;
      }
    } finally {
      await admin.dispose();
    }
  } catch (err) {
    await teardown();
    throw err;
  }

  console.log(
    `e2e: ${server.url} on ${database.label} (build check ${((builtAt - started) / 1000).toFixed(1)} s, ` +
      `database, server and sign-in ${((Date.now() - builtAt) / 1000).toFixed(1)} s)`,
  );
  return teardown;
}

// ---- Media for the fake Graph API ----------------------------------------------------------------

const GRAPH_VERSION = 'v23.0';

/** 40×30, solid WhatsApp green, RGB. */
const PNG_40X30_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAK0lEQVR42u3NMQ0AAAgDsJnBGoYxhAw4mvRvavpExGKxWCwWi8VisVj8N15NfWj7qlvrMQAAAABJRU5ErkJggg==';

/** A 440 Hz tone: RIFF/WAVE, PCM 16-bit little-endian, 8 kHz, mono (44-byte header + samples). */
function toneWav(seconds: number): Buffer {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const data = samples * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return wav;
}

const TINY_PDF = [
  '%PDF-1.4',
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
  'trailer << /Root 1 0 R >>',
  '%%EOF',
  '',
].join('\n');

/** An API context holding the session cookie of this user, signed in through better-auth. */
async function signIn(baseURL: string, user: { email: string; password: string }) {
  // better-auth refuses mutations whose Origin is not the server's own (CSRF).
  const context = await request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  const response = await context.post('/api/auth/sign-in/email', { data: { email: user.email, password: user.password } });
  if (!response.ok()) {
    const text = await response.text();
    await context.dispose();
    throw new Error(`sign-in as ${user.email} answered ${response.status()}: ${text.slice(0, 300)}`);
  }
  return context;
}

/** The start of a JSON answer, or just "an HTML page" (Next's 404 page when the route is missing). */
async function describeBody(response: APIResponse): Promise<string> {
  const type = response.headers()['content-type'] ?? '';
  return type.includes('html') ? 'an HTML page' : (await response.text()).slice(0, 300);
}

interface E2eDatabase {
  /** DATABASE_URL or DATA_DIR for the server. */
  env: Record<string, string>;
  label: string;
  drop(): Promise<void>;
}

/** A fresh database: a new one on the PostgreSQL at TEST_DATABASE_URL, or PGlite when none answers locally. */
async function createDatabase(): Promise<E2eDatabase> {
  const explicit = process.env.TEST_DATABASE_URL;
  const baseUrl = explicit || 'postgres://postgres@127.0.0.1:5432/test';
  const admin = postgres(baseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (err) {
    await admin.end({ timeout: 1 }).catch(() => {});
    if (explicit) throw new Error(`TEST_DATABASE_URL (${baseUrl}) does not answer: ${String(err)}`);
    console.warn(`e2e: no PostgreSQL at ${baseUrl}, using PGlite in a temporary directory`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-e2e-'));
    return {
      env: { DATA_DIR: dir },
      label: 'PGlite',
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  const name = `ticks_e2e_${process.pid}_${randomBytes(6).toString('hex')}`;
  try {
    await dropStaleTestDatabases(admin).catch((err) => console.warn(`e2e: could not drop stale test databases: ${String(err)}`));
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    label: `PostgreSQL database ${name}`,
    async drop() {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 1 });
      }
    },
  };
}
