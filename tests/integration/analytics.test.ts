import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { postUser } from '@/lib/admin/users-api';
import { getAnalytics, type AnalyticsResponse } from '@/lib/analytics/analytics-api';
import { analyticsResponseSchema } from '@/lib/contracts/analytics';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import type { AccessDeps } from '@/lib/auth/access';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { ORIGIN, request, sessionCookie } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline } from '../helpers/pipeline';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';

// The analytics aggregates on known data fed through the real webhook pipeline (so the rollups are
// filled by the real writers), read back through the real handler.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@ticks.test', password: 'agent-password-123', name: 'Agent' };

const A = { phoneNumberId: '106540352242922', display: '15551234567' };
const B = { phoneNumberId: '106540352243011', display: '5215598765432' };

/** Seconds since the epoch of 2026-01-10 at hh:mm:ss UTC. */
const at = (hh: number, mm = 0, ss = 0) => Date.UTC(2026, 0, 10, hh, mm, ss) / 1000;
const H = (hh: number) => `2026-01-10T${String(hh).padStart(2, '0')}:00:00.000Z`;

const error = (code: number) => ({ errors: [{ code, title: `Error ${code}`, message: `Error ${code}` }] });

describe.each(dbKinds)('analytics on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let pipeline: ReturnType<typeof createPipeline>;
  let auth: Auth;
  let deps: AccessDeps & { auth: Auth };
  let admin: { cookie: string };
  let agent: { cookie: string };
  let posted = 0;

  async function post(body: string) {
    expect((await pipeline.post(body)).status).toBe(200);
    posted += 1;
  }
  const statuses = (number: typeof A, items: ReturnType<typeof status>[]) => post(messagesBody({ statuses: items }, number));
  const recipient = '4915112345678';

  async function get(query: string, credential: { cookie: string } | null = admin): Promise<Response> {
    return withApiErrors(getAnalytics)(request(`/api/admin/analytics?${query}`, credential), deps);
  }
  async function analytics(query: string): Promise<AnalyticsResponse> {
    const res = await get(query);
    expect(res.status, await res.clone().text()).toBe(200);
    // Every answer is what the OpenAPI document promises (the schema it is generated from).
    return analyticsResponseSchema.parse(await res.json());
  }

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'analytics-test-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    auth = createAuth(database.db, env, await loadAuthSecret(database.db, env));
    await ensureFirstAdmin(auth, database.db, env);
    deps = { db: database.db, apiKey: undefined, auth };
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const created = await withApiErrors(postUser)(
      request('/api/admin/users', admin, { method: 'POST', body: { ...AGENT, role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    expect(created.status).toBe(201);
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);

    pipeline = createPipeline(database);
    // Number A: three delivered (10, 30, 20 s; two read after 100 and 300 s), three failed at 11:0x, one at 13:10.
    await statuses(A, [
      status('wamid.A1', 'sent', at(10, 1), recipient),
      status('wamid.A2', 'sent', at(10, 2), recipient),
      status('wamid.A3', 'sent', at(10, 3), recipient),
    ]);
    await statuses(A, [
      status('wamid.A1', 'delivered', at(10, 1, 10), recipient),
      status('wamid.A2', 'delivered', at(10, 2, 30), recipient),
      status('wamid.A3', 'delivered', at(10, 3, 20), recipient),
    ]);
    await statuses(A, [status('wamid.A1', 'read', at(10, 2, 40), recipient), status('wamid.A2', 'read', at(10, 7), recipient)]);
    await statuses(A, [
      status('wamid.A4', 'sent', at(11, 1), recipient),
      status('wamid.A5', 'sent', at(11, 2), recipient),
      status('wamid.A6', 'sent', at(11, 3), recipient),
    ]);
    await statuses(A, [
      status('wamid.A4', 'failed', at(11, 1, 5), recipient, error(131047)),
      status('wamid.A5', 'failed', at(11, 2, 5), recipient, error(131047)),
      status('wamid.A6', 'failed', at(11, 3, 5), recipient, error(131026)),
    ]);
    await statuses(A, [
      status('wamid.A7', 'sent', at(13, 10), recipient),
      status('wamid.A7', 'failed', at(13, 10, 1), recipient, error(99999)),
    ]);
    // Number B: one delivered after 60 s, one failed at 12:00.
    await statuses(B, [status('wamid.B1', 'sent', at(10, 5), recipient), status('wamid.B1', 'delivered', at(10, 6), recipient)]);
    await statuses(B, [
      status('wamid.B2', 'sent', at(12, 0), recipient),
      status('wamid.B2', 'failed', at(12, 0, 3), recipient, error(130429)),
    ]);
    // Inbound: A two texts at 10:30 and an image at 11:30, an audio at 13:20; B a text at 10:40.
    const contacts = [{ profile: { name: 'Maria' }, wa_id: recipient }];
    await post(
      messagesBody(
        {
          contacts,
          messages: [textMessage('wamid.IN1', recipient, 'hola', at(10, 30)), textMessage('wamid.IN2', recipient, 'hi', at(10, 31))],
        },
        A,
      ),
    );
    const media = { id: '1234567890', mime_type: 'image/jpeg', sha256: 'abc' };
    await post(
      messagesBody(
        { contacts, messages: [{ from: recipient, id: 'wamid.IN3', timestamp: String(at(11, 30)), type: 'image', image: media }] },
        A,
      ),
    );
    await post(
      messagesBody(
        {
          contacts,
          messages: [
            { from: recipient, id: 'wamid.IN4', timestamp: String(at(13, 20)), type: 'audio', audio: { ...media, mime_type: 'audio/ogg' } },
          ],
        },
        A,
      ),
    );
    await post(messagesBody({ contacts, messages: [textMessage('wamid.IN5', recipient, 'hey', at(10, 40))] }, B));
    await pipeline.drain();
  });
  afterAll(async () => {
    await test?.drop();
  });

  const DAY = 'range=custom&from=2026-01-10T10:00:00Z&to=2026-01-10T14:00:00Z';

  it('answers 401 without credentials and 403 for an agent', async () => {
    expect((await get(DAY, null)).status).toBe(401);
    expect((await get(DAY, agent)).status).toBe(403);
    expect((await get(DAY, admin)).status).toBe(200);
  });

  it('answers 400 for a bad range, time zone or custom range', async () => {
    for (const q of [
      'range=week',
      'tz=Mars/Base',
      'range=custom&from=2026-01-10T10:00:00Z',
      'range=custom&from=2026-01-10T10:00:00Z&to=2026-01-10T09:00:00Z',
      'range=custom&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    ]) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
    }
  });

  it('counts failures per code and bucket, the failure rate, and fills empty buckets', async () => {
    const r = await analytics(DAY);
    expect(r.range).toMatchObject({ key: 'custom', bucket: 'hour', from: H(10), to: H(14), businessPhoneNumberId: null });
    expect(r.failures.buckets.map((b) => [b.key, b.sent, b.failed, b.rate, b.byCode])).toEqual([
      [H(10), 4, 0, 0, {}],
      [H(11), 3, 3, 1, { 131047: 2, 131026: 1 }],
      [H(12), 1, 1, 1, { 130429: 1 }],
      [H(13), 1, 1, 1, { 99999: 1 }],
    ]);
    expect(r.failures.totals).toEqual({ sent: 9, failed: 5, rate: 5 / 9 });
    expect(r.failures.codes).toEqual([131047, 99999, 130429, 131026]);
    expect(r.topErrors.map((e) => [e.code, e.count, e.share])).toEqual([
      [131047, 2, 0.4],
      [99999, 1, 0.2],
      [130429, 1, 0.2],
      [131026, 1, 0.2],
    ]);
    expect(r.topErrors[0]!.summary).toMatch(/24-hour/);
    expect(r.topErrors[1]).toMatchObject({ summary: null, action: null });
  });

  it('gives the funnel and both medians exactly', async () => {
    const all = await analytics(DAY);
    expect(all.funnel).toEqual({ sent: 9, delivered: 4, read: 2, failed: 5, medianDeliveredSeconds: 25, medianReadSeconds: 200 });
    const a = await analytics(`${DAY}&businessPhoneNumberId=${A.phoneNumberId}`);
    expect(a.funnel).toEqual({ sent: 7, delivered: 3, read: 2, failed: 4, medianDeliveredSeconds: 20, medianReadSeconds: 200 });
  });

  it('counts inbound messages by type per bucket', async () => {
    const r = await analytics(DAY);
    expect(r.inbound.totals).toEqual([
      { type: 'text', count: 3 },
      { type: 'audio', count: 1 },
      { type: 'image', count: 1 },
    ]);
    expect(r.inbound.total).toBe(5);
    expect(r.inbound.buckets.map((b) => b.byType)).toEqual([{ text: 3 }, { image: 1 }, {}, { audio: 1 }]);
  });

  it('one business number vs all', async () => {
    const b = await analytics(`${DAY}&businessPhoneNumberId=${B.phoneNumberId}`);
    expect(b.range.businessPhoneNumberId).toBe(B.phoneNumberId);
    expect(b.failures.totals).toEqual({ sent: 2, failed: 1, rate: 0.5 });
    expect(b.topErrors.map((e) => [e.code, e.count, e.share])).toEqual([[130429, 1, 1]]);
    expect(b.inbound.totals).toEqual([{ type: 'text', count: 1 }]);
    expect(b.funnel).toMatchObject({ sent: 2, delivered: 1, medianDeliveredSeconds: 60, medianReadSeconds: null });
    expect(b.numbers.map((n) => n.phoneNumberId).sort()).toEqual([A.phoneNumberId, B.phoneNumberId]);
  });

  it('a custom range leaves out what falls outside it', async () => {
    const r = await analytics('range=custom&from=2026-01-10T10:00:00Z&to=2026-01-10T12:00:00Z');
    expect(r.failures.buckets.map((b) => b.key)).toEqual([H(10), H(11)]);
    expect(r.failures.totals).toEqual({ sent: 7, failed: 3, rate: 3 / 7 });
    expect(r.failures.codes).toEqual([131047, 131026]);
    expect(r.funnel).toMatchObject({ sent: 7, delivered: 4, read: 2, failed: 3 });
    expect(r.inbound.total).toBe(4);
    const none = await analytics('range=custom&from=2026-01-11T00:00:00Z&to=2026-01-11T03:00:00Z');
    expect(none.failures.buckets.map((b) => [b.sent, b.failed, b.rate])).toEqual([
      [0, 0, null],
      [0, 0, null],
      [0, 0, null],
    ]);
    expect(none.funnel).toEqual({ sent: 0, delivered: 0, read: 0, failed: 0, medianDeliveredSeconds: null, medianReadSeconds: null });
    expect(none.topErrors).toEqual([]);
  });

  it('daily buckets are the days of the given time zone', async () => {
    // In Tokyo (UTC+9) all of it happened on the evening of 2026-01-10.
    const r = await analytics('range=custom&from=2026-01-08T15:00:00Z&to=2026-01-12T15:00:00Z&tz=Asia/Tokyo');
    expect(r.range.bucket).toBe('day');
    expect(r.failures.buckets.map((b) => [b.key, b.failed])).toEqual([
      ['2026-01-09', 0],
      ['2026-01-10', 5],
      ['2026-01-11', 0],
      ['2026-01-12', 0],
    ]);
    // In Honolulu (UTC-10) the 10:xx UTC events were still on 2026-01-10 at 00:xx… and 13:xx at 03:xx: all the 10th too.
    const h = await analytics('range=custom&from=2026-01-09T00:00:00Z&to=2026-01-12T10:00:00Z&tz=Pacific/Honolulu');
    expect(h.failures.buckets.find((b) => b.key === '2026-01-10')?.sent).toBe(9);
    expect(h.failures.buckets.reduce((s, b) => s + b.sent, 0)).toBe(9);
  });

  it('webhook health: received and processed in the last 24 hours, and the backlog', async () => {
    const r = await analytics('range=24h');
    expect(r.range.bucket).toBe('hour');
    expect(r.failures.buckets).toHaveLength(24);
    expect(r.webhooks.totals).toEqual({ received: posted, processed: posted, failed: 0, rejected: 0 });
    expect(r.webhooks.buckets.reduce((s, b) => s + b.received, 0)).toBe(posted);
    expect(r.webhooks.backlog).toEqual({ pending: 0, lagSeconds: 0, failed: 0 });
    // The statuses were from January: nothing in the last 24 hours.
    expect(r.failures.totals.failed).toBe(0);
  });

  it('a replayed webhook does not count twice', async () => {
    const before = await analytics(DAY);
    const webhooksBefore = (await analytics('range=24h')).webhooks.totals;
    // The very same body again (Meta's retry), and the same statuses in another envelope.
    const again = messagesBody(
      {
        statuses: [status('wamid.A4', 'sent', at(11, 1), recipient), status('wamid.A4', 'failed', at(11, 1, 5), recipient, error(131047))],
      },
      A,
    );
    expect((await pipeline.post(again)).status).toBe(200);
    expect((await pipeline.post(again)).status).toBe(200);
    expect(
      (
        await pipeline.post(
          messagesBody(
            {
              contacts: [{ profile: { name: 'Maria' }, wa_id: recipient }],
              messages: [textMessage('wamid.IN1', recipient, 'hola', at(10, 30))],
            },
            A,
          ),
        )
      ).status,
    ).toBe(200);
    await pipeline.drain();
    const after = await analytics(DAY);
    expect(after.failures).toEqual(before.failures);
    expect(after.funnel).toEqual(before.funnel);
    expect(after.inbound).toEqual(before.inbound);
    // Two new bodies received (the exact repeat is stored once), both processed.
    const webhooksAfter = (await analytics('range=24h')).webhooks.totals;
    expect(webhooksAfter).toEqual({ ...webhooksBefore, received: webhooksBefore.received + 2, processed: webhooksBefore.processed + 2 });
  });
});
