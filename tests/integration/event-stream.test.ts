import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { sessions, users } from '@/db/schema';
import { deleteApiKey } from '@/lib/admin/api-keys-api';
import { patchUser, postUser, type UserResponse } from '@/lib/admin/users-api';
import type { Principal } from '@/lib/auth/access';
import { createApiKey, revokeApiKey } from '@/lib/auth/api-keys';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { parseEnv, type Env } from '@/lib/env';
import { withApiErrors, type ApiErrorBody } from '@/lib/http/errors';
import { CHANGES_CHANNEL, decodeChange, decodeNotice, encodeChange } from '@/lib/realtime/changes';
import { getEvents } from '@/lib/realtime/events-api';
import { ChangeHub } from '@/lib/realtime/hub';
import { EventStreamLimiter } from '@/lib/realtime/stream-limiter';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// The live inbox's stream: what a browser reads from GET /api/events when the processor (here: any
// NOTIFY on the channel, as another instance would send) commits changes.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const KEY = 'events-test-key-0123456789';

/** Reads SSE frames from a response body until `until` accepts the text so far (or times out). */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  until: (text: string) => boolean,
  ms = 5000,
): Promise<{ text: string; ended: boolean }> {
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
  let env: Env;
  let auth: Auth;
  let hub: ChangeHub;
  let streams: EventStreamLimiter;
  /** Another instance on the same database: its own connection and LISTEN (PGlite has one connection only). */
  let other: { database: Database; hub: ChangeHub };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const db = testDb.database.db;
    env = parseEnv({
      WHATSAPP_APP_SECRET: 'events-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: 'http://ticks.test',
    });
    auth = createAuth(db, env, await loadAuthSecret(db, env));
    await ensureFirstAdmin(auth, db, env);
    hub = await ChangeHub.start(testDb.database);
    streams = new EventStreamLimiter(env.EVENT_STREAMS_PER_PRINCIPAL);
    const otherDatabase = kind === 'postgres' ? await openDatabase({ url: testDb.url!, poolMax: 2 }) : testDb.database;
    other = { database: otherDatabase, hub: await ChangeHub.start(otherDatabase) };
  });
  afterAll(async () => {
    await other?.hub.stop();
    if (kind === 'postgres') await other?.database.close();
    await hub?.stop();
    await testDb?.drop();
  });

  interface OpenOptions {
    signal?: AbortSignal;
    pingIntervalMs?: number;
    /** The instance serving the stream. */
    on?: { database: Database; hub: ChangeHub };
    streams?: EventStreamLimiter;
  }
  const open = (credential: Credential, options: OpenOptions = {}) => {
    const req = request('/api/events', credential);
    const withSignal = options.signal ? new Request(req, { signal: options.signal }) : req;
    const on = options.on ?? { database: testDb.database, hub };
    return withApiErrors(getEvents)(withSignal, {
      db: on.database.db,
      apiKey: KEY,
      auth,
      hub: on.hub,
      streams: options.streams ?? streams,
      pingIntervalMs: options.pingIntervalMs,
    });
  };
  let adminSession: { cookie: string } | undefined;
  /** Signed in once (after the test that deletes the admin's sessions): sign-ins are rate limited. */
  const admin = async () => (adminSession ??= await sessionCookie(auth, ADMIN.email, ADMIN.password));
  const envKey: Principal = { kind: 'api-key', keyId: null, name: 'INBOX_API_KEY' };
  const keyPrincipal = (keyId: number): Principal => ({ kind: 'api-key', keyId, name: 'k' });

  let people = 0;
  /** A new user through the admin API, signed in. */
  async function newUser(role: 'agent' | 'admin') {
    people += 1;
    const person = { email: `person${people}@ticks.test`, name: `Person ${people}`, password: `password-of-person-${people}`, role };
    const res = await withApiErrors(postUser)(
      request('/api/admin/users', await admin(), { method: 'POST', body: person, origin: ORIGIN }),
      {
        db: testDb.database.db,
        apiKey: KEY,
        auth,
      },
    );
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as UserResponse;
    return { id: user.id, session: await sessionCookie(auth, person.email, person.password) };
  }
  const patch = async (as: Credential, id: string, body: Record<string, unknown>) =>
    withApiErrors(patchUser)(
      request(`/api/admin/users/${id}`, as, { method: 'PATCH', body, origin: ORIGIN }),
      { db: testDb.database.db, apiKey: KEY, auth },
      { id },
    );

  it('streams every committed change, as text/event-stream that nothing buffers', async () => {
    const abort = new AbortController();
    const res = await open({ key: KEY }, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-transform');
    const body = res.body!;
    expect((await readUntil(body, (t) => t.includes('event: ready'))).text).toMatch(/^retry: \d+\n\n/);

    const payload = encodeChange({ conversationIds: [7], messageIds: ['wamid.LIVE-1'] });
    await testDb.database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`);
    const { text } = await readUntil(body, (t) => t.includes('wamid.LIVE-1'));
    expect(text).toContain(`event: change\ndata: ${payload}\n\n`);
    abort.abort();
  });

  it('lets go of the hub when the browser hangs up', async () => {
    const before = hub.subscriberCount;
    const abort = new AbortController();
    const res = await open({ key: KEY }, { signal: abort.signal });
    await readUntil(res.body!, (t) => t.includes('event: ready'));
    expect(hub.subscriberCount).toBe(before + 1);
    abort.abort();
    await expect.poll(() => hub.subscriberCount).toBe(before);
  });

  it('ends with "signed-out" once the session behind it is revoked', async () => {
    const session = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const res = await open(session, { pingIntervalMs: 50 });
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

  describe('access that ends', () => {
    /** Reads until "signed-out"; true when it came within `ms` and the stream then ended. */
    async function signedOutWithin(body: ReadableStream<Uint8Array>, ms: number): Promise<boolean> {
      const { text, ended } = await readUntil(body, (t) => t.includes('event: signed-out'), ms);
      return text.includes('event: signed-out') && (ended || (await readUntil(body, () => false, 1000)).ended);
    }

    it('ends the streams of a revoked API key at once, on every instance, not at the next ping', async () => {
      const key = await createApiKey(testDb.database.db, 'dashboard', null);
      // One stream on this instance, one on the other; the default ping is 15 s away.
      const here = await open({ key: key.key });
      const there = await open({ key: key.key }, { on: other });
      expect([here.status, there.status]).toEqual([200, 200]);
      await readUntil(here.body!, (t) => t.includes('event: ready'));
      await readUntil(there.body!, (t) => t.includes('event: ready'));
      expect(streams.held(keyPrincipal(key.id))).toBe(2);

      const revoked = await withApiErrors(deleteApiKey)(
        request(`/api/admin/api-keys/${key.id}`, await admin(), { method: 'DELETE', origin: ORIGIN }),
        { db: testDb.database.db, apiKey: KEY, auth },
        { id: String(key.id) },
      );
      expect(revoked.status).toBe(200);
      expect(await signedOutWithin(here.body!, 3000)).toBe(true);
      expect(await signedOutWithin(there.body!, 3000)).toBe(true);
      expect(streams.held(keyPrincipal(key.id))).toBe(0);
      // And it cannot come back.
      expect((await open({ key: key.key })).status).toBe(401);
    });

    it('ends a stream whose API key was revoked without a notice, at the next ping', async () => {
      const key = await createApiKey(testDb.database.db, 'script', null);
      const res = await open({ key: key.key }, { pingIntervalMs: 50 });
      await readUntil(res.body!, (t) => t.includes('event: ready'));
      await revokeApiKey(testDb.database.db, key.id);
      expect(await signedOutWithin(res.body!, 3000)).toBe(true);
    });

    it('keeps INBOX_API_KEY streams through the pings', async () => {
      const abort = new AbortController();
      const res = await open({ key: KEY }, { signal: abort.signal, pingIntervalMs: 50 });
      const { text } = await readUntil(res.body!, (t) => t.split(': ping').length > 3);
      expect(text).not.toContain('signed-out');
      abort.abort();
    });

    it("ends a deactivated user's streams at once, on every instance", async () => {
      const agent = await newUser('agent');
      const here = await open(agent.session);
      const there = await open(agent.session, { on: other });
      await readUntil(here.body!, (t) => t.includes('event: ready'));
      await readUntil(there.body!, (t) => t.includes('event: ready'));
      expect((await patch(await admin(), agent.id, { active: false })).status).toBe(200);
      expect(await signedOutWithin(here.body!, 3000)).toBe(true);
      expect(await signedOutWithin(there.body!, 3000)).toBe(true);
    });

    it("ends a user's streams at once when a new password signs them out, but not an admin's own", async () => {
      const agent = await newUser('agent');
      const agentStream = await open(agent.session);
      await readUntil(agentStream.body!, (t) => t.includes('event: ready'));
      expect((await patch(await admin(), agent.id, { password: 'a-brand-new-password-1' })).status).toBe(200);
      expect(await signedOutWithin(agentStream.body!, 3000)).toBe(true);

      // An admin changing their own password keeps the session they are using (and its stream).
      const other = await newUser('admin');
      const abort = new AbortController();
      const own = await open(other.session, { signal: abort.signal });
      await readUntil(own.body!, (t) => t.includes('event: ready'));
      expect((await patch(other.session, other.id, { password: 'my-own-new-password-1' })).status).toBe(200);
      const { text, ended } = await readUntil(own.body!, () => false, 1000);
      expect(text).not.toContain('signed-out');
      expect(ended).toBe(false);
      abort.abort();
    });
  });

  describe('limits', () => {
    it('answers 429 to the stream after 10 of one API key, and not to anyone else', async () => {
      expect(env.EVENT_STREAMS_PER_PRINCIPAL).toBe(10);
      const streams = new EventStreamLimiter(env.EVENT_STREAMS_PER_PRINCIPAL);
      const abort = new AbortController();
      const opened = await Promise.all(Array.from({ length: 10 }, () => open({ key: KEY }, { signal: abort.signal, streams })));
      expect(opened.map((r) => r.status)).toEqual(Array(10).fill(200));

      const refused = await open({ key: KEY }, { signal: abort.signal, streams });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await refused.json()) as ApiErrorBody;
      expect(body.error.code).toBe('too_many_requests');
      expect(body.error.message).toMatch(/at most 10 per user or API key/);

      // Someone else is not held back.
      const session = await open(await admin(), { signal: abort.signal, streams });
      expect(session.status).toBe(200);
      abort.abort();
      expect(streams.held(envKey)).toBe(0);
    });

    it('frees the slot however a stream ends: hang-up, cancel, signed out', async () => {
      const one = new EventStreamLimiter(1);
      const hangUp = new AbortController();
      expect((await open({ key: KEY }, { signal: hangUp.signal, streams: one })).status).toBe(200);
      expect((await open({ key: KEY }, { streams: one })).status).toBe(429);
      hangUp.abort();
      expect(one.held(envKey)).toBe(0);

      const cancelled = await open({ key: KEY }, { streams: one });
      expect(cancelled.status).toBe(200);
      await cancelled.body!.cancel();
      expect(one.held(envKey)).toBe(0);

      const key = await createApiKey(testDb.database.db, 'once', null);
      const revoked = await open({ key: key.key }, { streams: one, pingIntervalMs: 50 });
      expect(one.held(keyPrincipal(key.id))).toBe(1);
      await revokeApiKey(testDb.database.db, key.id);
      await readUntil(revoked.body!, (t) => t.includes('event: signed-out'));
      expect(one.held(keyPrincipal(key.id))).toBe(0);

      const last = new AbortController();
      expect((await open({ key: KEY }, { signal: last.signal, streams: one })).status).toBe(200);
      last.abort();
    });

    it('drops a client that stops reading instead of queueing for it', async () => {
      const streams = new EventStreamLimiter(1);
      const before = hub.subscriberCount;
      const res = await open({ key: KEY }, { streams });
      expect(res.status).toBe(200);
      expect(hub.subscriberCount).toBe(before + 1);
      expect(streams.held(envKey)).toBe(1);
      // ~1.5 MB of notices in one statement, to a client that never reads.
      await testDb.database.db.execute(
        sql`select pg_notify(${CHANGES_CHANNEL}, json_build_object('conversations', json_build_array(i), 'messages', json_build_array('wamid.SLOW-' || i || repeat('x', 500)), 'topics', json_build_array(), 'partial', false)::text)
            from generate_series(1, 3000) as i`,
      );
      await expect.poll(() => hub.subscriberCount).toBe(before);
      expect(streams.held(envKey)).toBe(0);
      // What was queued is gone with it: the stream is errored, not waiting to be read.
      await expect(res.body!.getReader().read()).rejects.toThrow(/not reading/);
    });
  });
});

describe('change notices', () => {
  it('carry access that ended apart from changes, and read old payloads as before', () => {
    const change = encodeChange({ conversationIds: [1], messageIds: ['wamid.A'], topics: ['messages'] });
    expect(decodeNotice(change)).toEqual({
      kind: 'change',
      change: { conversations: [1], messages: ['wamid.A'], topics: ['messages'], partial: false },
    });
    // A payload from before topics existed.
    expect(decodeChange('{"conversations":[2],"messages":[]}')).toEqual({ conversations: [2], messages: [], topics: [], partial: false });
    expect(decodeNotice('{"access":{"apiKeys":[3,"x"],"users":["u1",4]}}')).toEqual({
      kind: 'access',
      access: { apiKeys: [3], users: ['u1'] },
    });
    expect(decodeNotice('{"access":{}}')).toEqual({ kind: 'access', access: { apiKeys: [], users: [] } });
    // Never handed on as a change.
    expect(decodeChange('{"access":{"apiKeys":[3]}}')).toBeNull();
    expect(decodeNotice('not json')).toBeNull();
  });
});
