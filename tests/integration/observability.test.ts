import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, sql, type Db } from '@/db/client';
import { postUser } from '@/lib/admin/users-api';
import { createAuth, ensureFirstAdmin, loadAuthSecret, type Auth } from '@/lib/auth/auth';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { checkHealth } from '@/lib/observability/health';
import { createMetrics, type Metrics } from '@/lib/observability/metrics';
import { getMetrics } from '@/lib/observability/metrics-api';
import { RejectionCounter } from '@/lib/whatsapp/rejections';
import { signBody } from '@/lib/whatsapp/signature';
import { receiveDelivery } from '@/lib/whatsapp/webhook';
import { ORIGIN, request, sessionCookie } from '../helpers/auth';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { SECRET, createPipeline, silentLog } from '../helpers/pipeline';
import { messagesBody, status, textMessage } from '../../tools/meta-envelopes';

// What an operator watches: Prometheus counters after a known set of webhooks, rejected requests
// counted by reason, and the health check a load balancer polls.

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@ticks.test', password: 'agent-password-123', name: 'Agent' };
const KEY = 'metrics-test-key-0123456789';

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const failed131047 = (wamid: string, ts: number) =>
  status(wamid, 'failed', ts, '4915112345678', {
    errors: [
      { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'More than 24 hours' } },
    ],
  });

describe.each(dbKinds)('observability on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
  });
  afterAll(async () => testDb?.drop());
  beforeEach(async () => resetDatabase(testDb.database));

  describe('metrics', () => {
    let metrics: Metrics;
    beforeEach(() => {
      metrics = createMetrics(db, silentLog);
    });

    it('counts a known set of webhooks by outcome, the events processed and failed, and statuses by code', async () => {
      const pipeline = createPipeline(testDb.database, {
        onOutcome: (o, s) => metrics.observeWebhook(o, s),
        processor: { onOutcome: (o) => metrics.observeProcessing(o) },
      });
      const inbound = messagesBody({ messages: [textMessage('wamid.M-1', '4915112345678', 'hello')] });
      const statuses = messagesBody({
        statuses: [
          status('wamid.OUT-1', 'sent', 1767000100),
          status('wamid.OUT-1', 'delivered', 1767000101),
          failed131047('wamid.OUT-2', 1767000102),
        ],
      });
      const poison = messagesBody({ messages: [textMessage(`wamid.${randomBytes(6000).toString('hex')}`, '111', 'x')] });
      expect((await pipeline.post(inbound)).status).toBe(200);
      expect((await pipeline.post(inbound)).status).toBe(200); // Meta's retry: a duplicate
      expect((await pipeline.post(statuses)).status).toBe(200);
      expect((await pipeline.post(poison)).status).toBe(200);
      expect((await pipeline.post(inbound, { secret: 'a-wrong-app-secret' })).status).toBe(401);
      expect((await pipeline.post(inbound, { signature: null })).status).toBe(401);
      expect((await pipeline.post('{not json')).status).toBe(400);
      await pipeline.drain();

      const text = await metrics.render();
      expect(sample(text, 'ticks_webhook_requests_total{outcome="accepted",reason=""}')).toBe(3);
      expect(sample(text, 'ticks_webhook_requests_total{outcome="duplicate",reason=""}')).toBe(1);
      expect(sample(text, 'ticks_webhook_requests_total{outcome="rejected",reason="signature_mismatch"}')).toBe(1);
      expect(sample(text, 'ticks_webhook_requests_total{outcome="rejected",reason="signature_missing"}')).toBe(1);
      expect(sample(text, 'ticks_webhook_requests_total{outcome="rejected",reason="not_json"}')).toBe(1);
      expect(sample(text, 'ticks_webhook_request_duration_seconds_count{outcome="rejected"}')).toBe(3);
      expect(sample(text, 'ticks_events_processed_total')).toBe(2);
      expect(sample(text, 'ticks_events_failed_total')).toBe(1);
      expect(sample(text, 'ticks_events_failed')).toBe(1);
      expect(sample(text, 'ticks_events_pending')).toBe(0);
      expect(sample(text, 'ticks_processing_lag_seconds')).toBe(0);
      expect(sample(text, 'ticks_database_up')).toBe(1);
      expect(sample(text, 'ticks_delivery_statuses_total{status="sent",error_code="0"}')).toBe(1);
      expect(sample(text, 'ticks_delivery_statuses_total{status="delivered",error_code="0"}')).toBe(1);
      expect(sample(text, 'ticks_delivery_statuses_total{status="failed",error_code="131047"}')).toBe(1);
      // Process metrics come along (prefixed), for memory and event-loop lag.
      expect(text).toContain('ticks_process_resident_memory_bytes');
    });

    it('still answers when the database does not, with ticks_database_up 0', async () => {
      const hanging = { execute: () => new Promise(() => {}) } as unknown as Db;
      const offline = createMetrics(hanging, silentLog);
      offline.observeWebhook({ outcome: 'unavailable', status: 503 }, 0.01);
      const started = Date.now();
      const text = await offline.render();
      expect(Date.now() - started).toBeLessThan(4000);
      expect(sample(text, 'ticks_database_up')).toBe(0);
      expect(sample(text, 'ticks_webhook_requests_total{outcome="unavailable",reason=""}')).toBe(1);
      expect(sample(text, 'ticks_processing_lag_seconds')).toBeNaN();
    });

    it('is for API keys and admins: 401 without credentials, 403 for an agent', async () => {
      const env = parseEnv({
        WHATSAPP_APP_SECRET: 'metrics-test-secret',
        WHATSAPP_VERIFY_TOKEN: 'v',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        APP_URL: ORIGIN,
        SIGN_IN_ATTEMPTS_PER_MINUTE: '1000',
      });
      const auth: Auth = createAuth(db, env, await loadAuthSecret(db, env));
      await ensureFirstAdmin(auth, db, env);
      const deps = { db, apiKey: KEY, auth };
      const admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
      const created = await withApiErrors(postUser)(
        request('/api/admin/users', admin, { method: 'POST', body: { ...AGENT, role: 'agent' }, origin: ORIGIN }),
        deps,
      );
      expect(created.status).toBe(201);
      const agent = await sessionCookie(auth, AGENT.email, AGENT.password);
      const get = (credential: Parameters<typeof request>[1]) =>
        withApiErrors(getMetrics)(request('/api/metrics', credential), { ...deps, metrics });

      expect((await get(null)).status).toBe(401);
      expect((await get({ key: 'ticks_not-a-real-key' })).status).toBe(401);
      expect((await get(agent)).status).toBe(403);
      expect((await get(admin)).status).toBe(200);
      const res = await get({ key: KEY });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('# TYPE ticks_webhook_requests_total counter');
    });
  });

  describe('logs', () => {
    it('write one JSON line per webhook request, with outcome and duration, never the body or a secret', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const pipeline = createPipeline(testDb.database);
      const secretText = 'my card number is 4111 1111 1111 1111';
      const body = messagesBody({ messages: [textMessage('wamid.LOG-1', '4915112345678', secretText)] });
      const post = (init: { secret?: string } = {}) =>
        receiveDelivery(
          new Request('http://localhost/api/webhook', {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, init.secret ?? SECRET) },
          }),
          { config: pipeline.config, rawEvents: pipeline.rawEvents, log: logger },
        );
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(200);
      expect((await post({ secret: 'a-wrong-app-secret' })).status).toBe(401);
      expect(lines.map((l) => [l.msg, l.outcome, l.reason ?? null])).toEqual([
        ['webhook accepted', 'accepted', null],
        ['webhook accepted', 'duplicate', null],
        ['webhook rejected', 'rejected', 'signature_mismatch'],
      ]);
      for (const line of lines) {
        expect(typeof line.ms).toBe('number');
        expect(line.bytes).toBe(Buffer.byteLength(body));
      }
      const all = JSON.stringify(lines);
      expect(all).not.toContain('4111');
      expect(all).not.toContain(SECRET);
    });
  });

  describe('rejected requests', () => {
    const rejected = () =>
      queryRows<{ reason: string; n: string | number }>(
        db,
        sql`select reason, sum(count) as n from webhook_stats_hourly where kind = 'rejected' group by reason order by reason`,
      );

    it('are counted by reason, gathered in memory and written in one go', async () => {
      const counter = new RejectionCounter(db, silentLog);
      for (let i = 0; i < 5; i++) counter.record('signature_mismatch');
      counter.record('too_large');
      await counter.flush();
      counter.record('signature_mismatch');
      await counter.flush();
      expect((await rejected()).map((r) => [r.reason, Number(r.n)])).toEqual([
        ['signature_mismatch', 6],
        ['too_large', 1],
      ]);
    });

    it('are kept in memory while the database is down, and written once it is back', async () => {
      let down = true;
      const flaky = new Proxy(db, {
        get: (target, prop, receiver) =>
          prop === 'execute' && down ? () => Promise.reject(new Error('connection refused')) : Reflect.get(target, prop, receiver),
      });
      const counter = new RejectionCounter(flaky, silentLog);
      counter.record('not_json');
      counter.record('not_json');
      await counter.flush();
      expect(await rejected()).toEqual([]);
      counter.record('not_json');
      down = false;
      await counter.stop();
      expect((await rejected()).map((r) => [r.reason, Number(r.n)])).toEqual([['not_json', 3]]);
    });
  });

  describe('health', () => {
    const health = (database: Db, maxLagSeconds = 120) => checkHealth(database, { maxLagSeconds, log: silentLog });

    it('is 200 with the database reachable and nothing behind', async () => {
      const res = await health(db);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ status: 'ok', database: { reachable: true }, processing: { lagSeconds: 0, pending: 0, failed: 0 } });
      expect(res.headers.get('cache-control')).toMatch(/^no-store(, no-transform)?$/);
    });

    it('is 503 once processing is further behind than the threshold', async () => {
      await db.execute(sql`insert into webhook_events (body, body_sha256, received_at, next_attempt_at)
        values ('\\x7b7d'::bytea, '\\x01'::bytea, now() - interval '10 minutes', now() - interval '10 minutes')`);
      const res = await health(db, 60);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.status).toBe('lagging');
      expect(body.processing.pending).toBe(1);
      expect(body.processing.lagSeconds).toBeGreaterThanOrEqual(599);
      // Waiting for a retry that is not due yet is not lag.
      await db.execute(sql`update webhook_events set next_attempt_at = now() + interval '1 minute'`);
      expect((await health(db, 60)).status).toBe(200);
    });

    it('is 503 within seconds when the database does not answer', async () => {
      const hanging = { execute: () => new Promise(() => {}) } as unknown as Db;
      const started = Date.now();
      const res = await health(hanging);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'down', database: { reachable: false }, processing: null });
    });
  });
});
