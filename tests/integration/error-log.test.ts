import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '@/db/client';
import { addWebhookStats } from '@/db/queries/webhook-stats';
import { postUser } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { parseEnv } from '@/lib/env';
import {
  getAccountEvents,
  getFailedDeliveries,
  getProcessingFailure,
  getProcessingFailures,
  getRejections,
  postProcessingDiscard,
  postProcessingRetry,
  type ErrorLogDeps,
  type GetAccountEventsResponse,
  type GetFailedDeliveriesResponse,
  type GetProcessingFailureResponse,
  type GetProcessingFailuresResponse,
  type GetRejectionsResponse,
  type PostRetryResponse,
} from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';
import { ORIGIN, request, sessionCookie, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, readPayload } from '../helpers/pipeline';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';

// The error log's API over data fed through the real webhook pipeline: failed deliveries (filters,
// search, pagination), processing failures and their retry, rejection counts, account events, access.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@ticks.test', password: 'agent-password-123', name: 'Agent Smith' };
const API_KEY = 'error-log-test-key-0123456789';

const NUMBER_A = { phoneNumberId: '900000000000001', display: '15550001111' };
const NUMBER_B = { phoneNumberId: '900000000000002', display: '15550002222' };
const ALICE = { waId: '491700000001', name: 'Alice Anders' };
const BOB = { waId: '491700000002', name: 'Bob Brandt' };
const T0 = 1767000000;

const metaError = (code: number, title: string, message = title, details = `${title} details`) => ({
  code,
  title,
  message,
  error_data: { details },
});

describe.each(dbKinds)('error log on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let auth: Auth;
  let deps: ErrorLogDeps & { auth: Auth };
  let admin: { cookie: string };
  let agent: { cookie: string };
  let pipeline: ReturnType<typeof createPipeline>;
  const key: Credential = { key: API_KEY };

  async function get<T>(handler: (req: Request, d: ErrorLogDeps) => Promise<Response>, path: string, credential: Credential = key) {
    const res = await withApiErrors(handler)(request(path, credential), deps);
    return { status: res.status, body: (await res.json()) as T };
  }

  async function retry(body: unknown, credential: Credential = admin) {
    const res = await withApiErrors(postProcessingRetry)(
      request('/api/errors/processing/retry', credential, { method: 'POST', body, origin: ORIGIN }),
      deps,
    );
    return { status: res.status, body: (await res.json()) as PostRetryResponse };
  }

  async function discard(body: unknown, credential: Credential = admin) {
    const res = await withApiErrors(postProcessingDiscard)(
      request('/api/errors/processing/discard', credential, { method: 'POST', body, origin: ORIGIN }),
      deps,
    );
    return { status: res.status, body: (await res.json()) as { discarded: number } };
  }

  async function postStatuses(number: typeof NUMBER_A, statuses: Record<string, unknown>[]) {
    const res = await pipeline.post(messagesBody({ statuses }, { phoneNumberId: number.phoneNumberId, display: number.display }));
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'error-log-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: API_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    auth = createAuth(database.db, env, await loadAuthSecret(database.db, env));
    await ensureFirstAdmin(auth, database.db, env);
    pipeline = createPipeline(database);
    deps = {
      db: database.db,
      apiKey: API_KEY,
      auth,
      processor: { notify: () => void pipeline.drain().catch(() => {}) },
      retryWaitMs: 10_000,
    };
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    const created = await withApiErrors(postUser)(
      request('/api/admin/users', admin, { method: 'POST', body: { ...AGENT, role: 'agent' }, origin: ORIGIN }),
      deps,
    );
    expect(created.status).toBe(201);
    agent = await sessionCookie(auth, AGENT.email, AGENT.password);

    // The customers write first (names), then our outbound messages fail.
    for (const [number, customer, wamid] of [
      [NUMBER_A, ALICE, 'wamid.in-alice-a'],
      [NUMBER_A, BOB, 'wamid.in-bob-a'],
      [NUMBER_B, ALICE, 'wamid.in-alice-b'],
      [NUMBER_B, BOB, 'wamid.in-bob-b'],
    ] as const) {
      const res = await pipeline.post(
        messagesBody(
          {
            contacts: [{ wa_id: customer.waId, profile: { name: customer.name } }],
            messages: [textMessage(wamid, customer.waId, 'hello', T0)],
          },
          { phoneNumberId: number.phoneNumberId, display: number.display },
        ),
      );
      expect(res.status).toBe(200);
    }
    await postStatuses(NUMBER_A, [
      status('wamid.f1', 'failed', T0 + 100, ALICE.waId, { errors: [metaError(131047, 'Re-engagement message')] }),
    ]);
    await postStatuses(NUMBER_A, [
      status('wamid.f2', 'failed', T0 + 200, BOB.waId, { errors: [metaError(131026, 'Message undeliverable')] }),
    ]);
    await postStatuses(NUMBER_B, [
      status('wamid.f3', 'failed', T0 + 300, ALICE.waId, { errors: [metaError(131047, 'Re-engagement message')] }),
    ]);
    // Nine at the same second: the wamid breaks the tie.
    await postStatuses(
      NUMBER_B,
      Array.from({ length: 9 }, (_, i) =>
        status(`wamid.f4-${i}`, 'failed', T0 + 400, BOB.waId, { errors: [metaError(130429, 'Rate limit hit')] }),
      ),
    );
    await postStatuses(NUMBER_A, [
      status('wamid.f5', 'failed', T0 + 500, BOB.waId, { errors: [metaError(999999, 'Strange new error', 'Something odd')] }),
    ]);
    await postStatuses(NUMBER_A, [status('wamid.ok', 'delivered', T0 + 600, ALICE.waId)]);
    await pipeline.drain();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  describe('failed deliveries', () => {
    it('lists failures newest first with recipient, number, preview, errors and an explanation', async () => {
      const { status: code, body } = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries');
      expect(code).toBe(200);
      expect(body.failures.map((f) => f.id)).toEqual([
        'wamid.f5',
        ...Array.from({ length: 9 }, (_, i) => `wamid.f4-${8 - i}`),
        'wamid.f3',
        'wamid.f2',
        'wamid.f1',
      ]);
      expect(body.nextCursor).toBeNull();
      const f1 = body.failures.at(-1)!;
      expect(f1).toMatchObject({
        failedAt: new Date((T0 + 100) * 1000).toISOString(),
        contact: { waId: ALICE.waId, name: ALICE.name },
        businessPhoneNumberId: NUMBER_A.phoneNumberId,
        displayPhoneNumber: NUMBER_A.display,
        placeholder: true,
        preview: { text: 'Sent from another system' },
        errors: [
          { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', details: 'Re-engagement message details' },
        ],
      });
      expect(f1.explanation?.code).toBe(131047);
      expect(f1.explanation?.summary).toMatch(/24-hour/);
      expect(f1.explanation?.action).toBeTruthy();
      // The conversation it links to is Alice's on number A.
      const [conversation] = await queryRows<{ id: string | number }>(
        database.db,
        sql`select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = ${ALICE.waId} and c.phone_number_id = ${NUMBER_A.phoneNumberId}`,
      );
      expect(f1.conversationId).toBe(String(conversation!.id));
      // Unknown codes: no explanation, Meta's own title and message.
      expect(body.failures[0]).toMatchObject({
        explanation: null,
        errors: [{ code: 999999, title: 'Strange new error', message: 'Something odd' }],
      });
    });

    it('filters by error code, business number and time range', async () => {
      const byCode = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries?code=131047');
      expect(byCode.body.failures.map((f) => f.id)).toEqual(['wamid.f3', 'wamid.f1']);
      const byNumber = await get<GetFailedDeliveriesResponse>(
        getFailedDeliveries,
        `/api/errors/deliveries?businessPhoneNumberId=${NUMBER_A.phoneNumberId}`,
      );
      expect(byNumber.body.failures.map((f) => f.id)).toEqual(['wamid.f5', 'wamid.f2', 'wamid.f1']);
      const both = await get<GetFailedDeliveriesResponse>(
        getFailedDeliveries,
        `/api/errors/deliveries?code=131047&businessPhoneNumberId=${NUMBER_B.phoneNumberId}`,
      );
      expect(both.body.failures.map((f) => f.id)).toEqual(['wamid.f3']);
      const from = new Date((T0 + 200) * 1000).toISOString();
      const to = new Date((T0 + 400) * 1000).toISOString();
      const range = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, `/api/errors/deliveries?from=${from}&to=${to}`);
      expect(range.body.failures.map((f) => f.id)).toEqual(['wamid.f3', 'wamid.f2']);
      const none = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries?code=470');
      expect(none.body).toEqual({ failures: [], nextCursor: null });
    });

    it('searches by recipient name or number', async () => {
      const byName = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries?q=alice');
      expect(byName.body.failures.map((f) => f.id)).toEqual(['wamid.f3', 'wamid.f1']);
      const byNumber = await get<GetFailedDeliveriesResponse>(
        getFailedDeliveries,
        `/api/errors/deliveries?q=${encodeURIComponent('+49 1700 000 002')}&code=131026`,
      );
      expect(byNumber.body.failures.map((f) => f.id)).toEqual(['wamid.f2']);
      const like = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries?q=%25');
      expect(like.body.failures).toEqual([]);
    });

    it('pages through every failure without duplicates or gaps', async () => {
      const all = (await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries')).body.failures.map((f) => f.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const path: string = `/api/errors/deliveries?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        const { body } = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, path);
        expect(body.failures.length).toBeLessThanOrEqual(4);
        seen.push(...body.failures.map((f) => f.id));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(13);
      // Also with a filter.
      const first = await get<GetFailedDeliveriesResponse>(getFailedDeliveries, '/api/errors/deliveries?limit=5&code=130429');
      const second = await get<GetFailedDeliveriesResponse>(
        getFailedDeliveries,
        `/api/errors/deliveries?limit=5&code=130429&cursor=${first.body.nextCursor}`,
      );
      expect([...first.body.failures, ...second.body.failures].map((f) => f.id)).toEqual(
        Array.from({ length: 9 }, (_, i) => `wamid.f4-${8 - i}`),
      );
      expect(second.body.nextCursor).toBeNull();
    });

    it('refuses bad parameters with a 400', async () => {
      for (const query of ['code=abc', 'cursor=%%%', 'from=yesterday', 'limit=0', `cursor=${Buffer.from('[1]').toString('base64url')}`]) {
        const { status: code } = await get(getFailedDeliveries, `/api/errors/deliveries?${query}`);
        expect(code, query).toBe(400);
      }
    });

    it('uses the failed-deliveries indexes', async () => {
      if (kind !== 'postgres') return;
      // A handful of rows would be scanned whatever the indexes: make scans and sorts look expensive.
      const plans = await database.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        await tx.execute(sql`set local enable_sort = off`);
        const plan = async (where: ReturnType<typeof sql>) =>
          (
            await queryRows<{ 'QUERY PLAN': string }>(
              tx as unknown as Database['db'],
              sql`explain select id from messages where failed_at is not null ${where}
                  order by failed_at desc nulls last, id desc nulls last limit 10`,
            )
          )
            .map((p) => p['QUERY PLAN'])
            .join('\n');
        return [await plan(sql`and (errors -> 0 ->> 'code') = '131047'`), await plan(sql`and (failed_at, id) < (now(), 1)`)];
      });
      expect(plans[0]).toMatch(/messages_failed_code_idx/);
      expect(plans[1]).toMatch(/messages_failed_idx/);
      expect(plans.join('\n')).not.toMatch(/Sort/);
    });
  });

  describe('account events', () => {
    it('shows a timeline, newest first, each with a summary, in pages', async () => {
      await database.db.execute(sql`delete from account_events`);
      for (const file of [
        'message_template_status_update.json',
        'phone_number_quality_update.json',
        'account_update.json',
        'unknown_field.json',
        'value_errors.json',
      ]) {
        expect((await pipeline.post(readPayload(file))).status).toBe(200);
        await pipeline.drain();
      }
      const { body } = await get<GetAccountEventsResponse>(getAccountEvents, '/api/errors/account-events');
      expect(body.events.map((e) => e.field)).toEqual([
        'errors',
        'some_future_field',
        'account_update',
        'phone_number_quality_update',
        'message_template_status_update',
      ]);
      const template = body.events.at(-1)!;
      expect(template.summary.text).toContain('Template "order_update" (en_US) REJECTED');
      expect(template.summary.text).toContain('invalid format');
      expect(body.events[0]!.summary.text).toContain('131000');
      expect(body.events[1]!.summary.text).toBe('some_future_field: SOMETHING_NEW');

      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const path: string = `/api/errors/account-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await get<GetAccountEventsResponse>(getAccountEvents, path);
        seen.push(...res.body.events.map((e) => e.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(body.events.map((e) => e.id));
    });
  });

  describe('processing failures', () => {
    let poisonId: string;
    let goodId: string;

    beforeAll(async () => {
      await database.db.execute(sql`delete from webhook_events where state <> 'processed'`);
      // A wamid too large for a btree index: storing it fails in the database (as in webhook-pipeline.test.ts).
      const poison = messagesBody({ messages: [textMessage(`wamid.${randomBytes(6000).toString('hex')}`, '111', 'x')] });
      expect((await pipeline.post(poison)).status).toBe(200);
      await pipeline.drain();
      const [failed] = await queryRows<{ id: string | number }>(database.db, sql`select id from webhook_events where state = 'failed'`);
      poisonId = String(failed!.id);
      // A good event that failed for a passing reason: a retry stores it.
      const good = messagesBody({ messages: [textMessage('wamid.retry-good', '4917011112222', 'retry me', T0 + 50)] });
      expect((await pipeline.post(good)).status).toBe(200);
      const [row] = await queryRows<{ id: string | number }>(database.db, sql`select id from webhook_events where state = 'pending'`);
      goodId = String(row!.id);
    });

    beforeEach(async () => {
      await database.db.execute(
        sql`update webhook_events set state = 'failed', attempts = 5, last_error = 'connection reset', failed_at = now() where id = ${Number(goodId)}`,
      );
      await database.db.execute(sql`delete from messages where wamid = 'wamid.retry-good'`);
    });

    it('lists them newest first, and shows one with its raw body pretty-printed', async () => {
      const { body } = await get<GetProcessingFailuresResponse>(getProcessingFailures, '/api/errors/processing');
      expect(body.failures.map((f) => f.id)).toEqual([goodId, poisonId]);
      const poison = body.failures[1]!;
      expect(poison.attempts).toBe(5);
      expect(poison.error).toMatch(/index/i);
      expect(poison.size).toBeGreaterThan(12_000);
      expect(poison.failedAt).not.toBeNull();

      const page = await get<GetProcessingFailuresResponse>(getProcessingFailures, '/api/errors/processing?limit=1');
      expect(page.body.failures.map((f) => f.id)).toEqual([goodId]);
      const next = await get<GetProcessingFailuresResponse>(
        getProcessingFailures,
        `/api/errors/processing?limit=1&cursor=${page.body.nextCursor}`,
      );
      expect(next.body).toEqual({ failures: [poison], nextCursor: null });

      const one = await get<GetProcessingFailureResponse>(
        (req, d) => getProcessingFailure(req, d, { id: goodId }),
        `/api/errors/processing/${goodId}`,
      );
      expect(one.body).toMatchObject({ id: goodId, state: 'failed', error: 'connection reset', bodyIsJson: true });
      expect(one.body.body).toContain('\n  "object": "whatsapp_business_account"');
      expect(JSON.parse(one.body.body)).toMatchObject({ object: 'whatsapp_business_account' });
      const missing = await withApiErrors((req: Request, d: ErrorLogDeps) => getProcessingFailure(req, d, { id: '999999' }))(
        request('/api/errors/processing/999999', key),
        deps,
      );
      expect(missing.status).toBe(404);
    });

    it('retries one event: stored this time', async () => {
      const { status: code, body } = await retry({ ids: [goodId] });
      expect(code).toBe(200);
      expect(body).toEqual({ requeued: 1, processed: 1, failed: 0, pending: 0, failures: [] });
      const [row] = await queryRows<{ wamid: string }>(database.db, sql`select wamid from messages where wamid = 'wamid.retry-good'`);
      expect(row).toBeDefined();
      const list = await get<GetProcessingFailuresResponse>(getProcessingFailures, '/api/errors/processing');
      expect(list.body.failures.map((f) => f.id)).toEqual([poisonId]);
    });

    it('retries all: reports which ones failed again and why', async () => {
      const { status: code, body } = await retry({ all: true });
      expect(code).toBe(200);
      expect(body).toMatchObject({ requeued: 2, processed: 1, failed: 1, pending: 0 });
      expect(body.failures).toHaveLength(1);
      expect(body.failures[0]!.id).toBe(poisonId);
      expect(body.failures[0]!.error).toMatch(/index/i);
      // Failing again is final at once: it is back in the list.
      const list = await get<GetProcessingFailuresResponse>(getProcessingFailures, '/api/errors/processing');
      expect(list.body.failures.map((f) => f.id)).toEqual([poisonId]);
    });

    it('discards one event an admin gives up on: it leaves the list and is never processed', async () => {
      expect((await discard({ ids: [goodId] }, agent)).status).toBe(403);
      expect((await discard({ ids: [goodId] }, key)).status).toBe(403);
      expect((await discard({ ids: [] })).status).toBe(400);
      expect(await discard({ ids: [goodId] })).toEqual({ status: 200, body: { discarded: 1 } });
      // Already discarded: nothing left to discard, and a retry does not bring it back.
      expect((await discard({ ids: [goodId] })).body).toEqual({ discarded: 0 });
      expect((await retry({ ids: [goodId] })).body.requeued).toBe(0);
      const list = await get<GetProcessingFailuresResponse>(getProcessingFailures, '/api/errors/processing');
      expect(list.body.failures.map((f) => f.id)).toEqual([poisonId]);
      const one = await get<GetProcessingFailureResponse>(
        (req, d) => getProcessingFailure(req, d, { id: goodId }),
        `/api/errors/processing/${goodId}`,
      );
      expect(one.body).toMatchObject({ state: 'discarded', bodyDeletedAt: null });
      expect(await queryRows(database.db, sql`select 1 from messages where wamid = 'wamid.retry-good'`)).toEqual([]);
    });

    it('answers with zero counts when there is nothing to retry, and 400 for a bad body', async () => {
      expect((await retry({ ids: ['987654'] })).body).toEqual({ requeued: 0, processed: 0, failed: 0, pending: 0, failures: [] });
      expect((await retry({ ids: [] })).status).toBe(400);
      expect((await retry({ all: false })).status).toBe(400);
    });
  });

  describe('rejected requests', () => {
    beforeEach(async () => {
      await database.db.execute(sql`delete from webhook_stats_hourly where kind = 'rejected'`);
    });

    it('counts the last 24 hours by reason, and warns about a signature rejection in the last hour', async () => {
      const now = Date.now();
      await addWebhookStats(database.db, [
        { kind: 'rejected', reason: 'signature_mismatch', count: 3, at: new Date(now - 60_000) },
        { kind: 'rejected', reason: 'too_large', count: 2, at: new Date(now - 3 * 3600_000) },
        { kind: 'rejected', reason: 'not_json', count: 7, at: new Date(now - 30 * 3600_000) },
      ]);
      // Another shard (or another instance's write) of the same hour adds up.
      await addWebhookStats(database.db, [{ kind: 'rejected', reason: 'too_large', count: 1, at: new Date(now - 3 * 3600_000 + 1000) }]);
      const { status: code, body } = await get<GetRejectionsResponse>(getRejections, '/api/errors/rejections');
      expect(code).toBe(200);
      expect(body.reasons).toEqual([
        { reason: 'signature_mismatch', count: 3, lastAt: new Date(now - 60_000).toISOString() },
        { reason: 'too_large', count: 3, lastAt: new Date(now - 3 * 3600_000 + 1000).toISOString() },
      ]);
      expect(body.signatureWarning).toEqual({ count: 3, lastAt: new Date(now - 60_000).toISOString() });
    });

    it('does not warn about an old signature rejection', async () => {
      await addWebhookStats(database.db, [
        { kind: 'rejected', reason: 'signature_missing', count: 1, at: new Date(Date.now() - 2 * 3600_000) },
      ]);
      const { body } = await get<GetRejectionsResponse>(getRejections, '/api/errors/rejections');
      expect(body.reasons.map((r) => r.reason)).toEqual(['signature_missing']);
      expect(body.signatureWarning).toBeNull();
    });
  });

  describe('access', () => {
    const reads: [string, (req: Request, d: ErrorLogDeps) => Promise<Response>][] = [
      ['/api/errors/deliveries', getFailedDeliveries],
      ['/api/errors/processing', getProcessingFailures],
      ['/api/errors/rejections', getRejections],
      ['/api/errors/account-events', getAccountEvents],
    ];

    it('answers 401 without credentials', async () => {
      for (const [path, handler] of reads) expect((await get(handler, path, null)).status, path).toBe(401);
      expect((await retry({ all: true }, null)).status).toBe(401);
    });

    it('lets agents read, and only admins retry', async () => {
      for (const [path, handler] of reads) expect((await get(handler, path, agent)).status, path).toBe(200);
      expect((await retry({ all: true }, agent)).status).toBe(403);
      expect((await retry({ all: true }, key)).status).toBe(403);
      expect((await retry({ ids: ['987654'] }, admin)).status).toBe(200);
    });

    it('refuses a retry from another site', async () => {
      const res = await withApiErrors(postProcessingRetry)(
        request('/api/errors/processing/retry', admin, { method: 'POST', body: { all: true }, origin: 'https://evil.example' }),
        deps,
      );
      expect(res.status).toBe(403);
    });
  });
});
