import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '@/db/schema';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { CHANGES_CHANNEL, encodeChange } from '@/lib/realtime/changes';
import { getEvents } from '@/lib/realtime/events-api';
import { ChangeHub } from '@/lib/realtime/hub';
import { request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The live inbox's stream: what a browser reads from GET /api/events when the processor (here: any
// NOTIFY on the channel, as another instance would send) commits changes.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const KEY = 'events-test-key-0123456789';

/** Reads SSE frames from a response body until `until` accepts the text so far (or times out). */
async function readUntil(body: ReadableStream<Uint8Array>, until: (text: string) => boolean, ms = 5000): Promise<{ text: string; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  try {
    while (!until(text) && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (next === null) break;
      if (next.done) return { text, ended: true };
      text += decoder.decode(next.value, { stream: true });
    }
    return { text, ended: false };
  } finally {
    reader.releaseLock();
  }
}

describe.each(dbKinds)('change event stream on %s', (kind) => {
  let testDb: TestDatabase;
  let auth: Auth;
  let hub: ChangeHub;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const db = testDb.database.db;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'events-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: 'http://ticks.test',
    });
    auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    hub = await ChangeHub.start(testDb.database);
  });
  afterAll(async () => {
    await hub?.stop();
    await testDb?.drop();
  });

  const open = (credential: Credential, signal?: AbortSignal, pingIntervalMs?: number) => {
    const req = request('/api/events', credential);
    const withSignal = signal ? new Request(req, { signal }) : req;
    return withApiErrors(getEvents)(withSignal, { db: testDb.database.db, apiKey: KEY, auth, hub, pingIntervalMs });
  };

  it('streams every committed change, as text/event-stream that nothing buffers', async () => {
    const abort = new AbortController();
    const res = await open({ key: KEY }, abort.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-transform');
    const body = res.body!;
    expect((await readUntil(body, (t) => t.includes('event: ready'))).text).toMatch(/^retry: \d+\n\n/);

    const payload = encodeChange({ conversationIds: [7], wamids: ['wamid.LIVE-1'] });
    await testDb.database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`);
    const { text } = await readUntil(body, (t) => t.includes('wamid.LIVE-1'));
    expect(text).toContain(`event: change\ndata: ${payload}\n\n`);
    abort.abort();
  });

  it('lets go of the hub when the browser hangs up', async () => {
    const before = hub.subscriberCount;
    const abort = new AbortController();
    const res = await open({ key: KEY }, abort.signal);
    await readUntil(res.body!, (t) => t.includes('event: ready'));
    expect(hub.subscriberCount).toBe(before + 1);
    abort.abort();
    await expect.poll(() => hub.subscriberCount).toBe(before);
  });

  it('ends with "signed-out" once the session behind it is revoked', async () => {
    const session = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const res = await open(session, undefined, 50);
    expect(res.status).toBe(200);
    await readUntil(res.body!, (t) => t.includes('event: ready'));

    const [admin] = await testDb.database.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN.email));
    await testDb.database.db.delete(sessions).where(eq(sessions.userId, admin!.id));
    const { text, ended } = await readUntil(res.body!, (t) => t.includes('event: signed-out'), 5000);
    expect(text).toContain('event: signed-out');
    expect(ended || (await readUntil(res.body!, () => false, 1000)).ended).toBe(true);
  });

  it('refuses a browser without a session', async () => {
    expect((await open(null)).status).toBe(401);
  });
});
