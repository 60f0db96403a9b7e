import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request, type APIResponse, type FullConfig } from '@playwright/test';
import postgres from 'postgres';
import { ensureBuild, serverEnv, startServer, type RunningServer } from '../helpers/server';
import { AUTH_DIR, E2E_ENV, E2E_USERS, storageStatePath } from './shared';

// Once per `playwright test`: a production build, a fresh database (PostgreSQL at TEST_DATABASE_URL,
// or PGlite in a temporary directory when no PostgreSQL answers locally), `next start` on it, and a
// signed-in browser state per role. What the tests need travels in process.env (the workers inherit
// it). The function it returns is the teardown: stop the server, drop the database.

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    throw new Error(`No Chromium at ${chromium}: apt-get install -y chromium, or set CHROMIUM_PATH (Playwright's own browsers are never downloaded here).`);
  }

  const started = Date.now();
  ensureBuild();
  const builtAt = Date.now();

  const database = await createDatabase();
  let server: RunningServer | undefined;
  const teardown = async () => {
    if (server) {
      const code = await server.stop();
      if (code !== 0 && code !== null) console.warn(`e2e: the server exited with ${code}:\n${server.output().slice(-4000)}`);
    }
    await database.drop();
  };

  try {
    server = await startServer({
      ...database.env,
      ADMIN_EMAIL: E2E_USERS.admin.email,
      ADMIN_PASSWORD: E2E_USERS.admin.password,
      SIGN_IN_ATTEMPTS_PER_MINUTE: '1000',
    });
    process.env[E2E_ENV.url] = server.url;
    process.env[E2E_ENV.webhookSecret] = serverEnv.WHATSAPP_APP_SECRET.split(',')[0]!;
    process.env[E2E_ENV.apiKey] = serverEnv.INBOX_API_KEY;
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

  const name = `ticks_e2e_${randomBytes(6).toString('hex')}`;
  try {
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
