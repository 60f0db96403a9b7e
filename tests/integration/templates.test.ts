import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database } from '@/db/client';
import { findTemplate } from '@/db/queries/templates';
import type { GetTemplatesResponse, PostTemplateSyncResponse } from '@/lib/contracts/templates';
import { withApiErrors } from '@/lib/http/errors';
import { TemplateSync, type TemplateSyncOutcome } from '@/lib/templates/sync';
import { getTemplates, postTemplateSync, type TemplatesApiDeps } from '@/lib/templates/templates-api';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { type FakeGraph, type FakeTemplate, startFakeGraph } from '@/tools/fake-graph';
import { envelope, messagesBody, TEST_BUSINESS_NUMBER, TEST_WABA_ID, textMessage } from '@/tools/meta-envelopes';
import { createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import { parseEnv } from '@/lib/env';
import { ORIGIN, request, sessionCookie } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';

// Template sync on both databases against the fake Graph API over HTTP: every page is followed and stored,
// templates Meta no longer lists are deleted, two syncs of one account never run at once, a template
// webhook asks for a sync (spaced; an admin's request is not), a failure is recorded and retried later;
// GET /api/templates lists a number's templates by name, filtered by name and status.

const TOKEN = 'EAAG-templates-test-token-000000000';
const VERSION = 'v23.0';
const API_KEY = 'templates-test-key-0123456789';
const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const TEMPLATES_PATH = `/${VERSION}/${TEST_WABA_ID}/message_templates`;

const body = (text: string) => ({ type: 'BODY', text });
const template = (id: string, name: string, extra: Partial<FakeTemplate> = {}): FakeTemplate => ({
  id,
  name,
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'POSITIONAL',
  components: [body(`Hello {{1}}, this is ${name}.`)],
  ...extra,
});

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});

describe.each(dbKinds)('templates on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  const outcomes: TemplateSyncOutcome[] = [];
  const client = () => new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN });
  const makeSync = (db: Database = database, options: { pageSize?: number } = {}) =>
    new TemplateSync(db, { graph: client(), log: silentLog, pageSize: options.pageSize ?? 2, onOutcome: (o) => outcomes.push(o) });
  let sync: TemplateSync;
  let deps: TemplatesApiDeps;
  let admin: { cookie: string };
  let accessDeps: Omit<TemplatesApiDeps, 'templateSync'>;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    const env = parseEnv({
      WHATSAPP_APP_SECRET: 'templates-secret',
      WHATSAPP_VERIFY_TOKEN: 'v',
      INBOX_API_KEY: API_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      APP_URL: ORIGIN,
    });
    const auth = createAuth(database.db, env, await loadAuthSecret(database.db, env));
    await ensureFirstAdmin(auth, database.db, env);
    admin = await sessionCookie(auth, ADMIN.email, ADMIN.password);
    accessDeps = { db: database.db, apiKey: API_KEY, auth };
    // The inbox learns of the business number and its account from a webhook.
    const pipeline = createPipeline(database);
    const item = textMessage('wamid.templates-hello', '4915112345678', 'Hallo', Math.floor(Date.now() / 1000));
    expect((await pipeline.post(messagesBody({ messages: [item] }))).status).toBe(200);
    await pipeline.drain();
  });
  afterAll(async () => {
    await testDb?.drop();
  });
  beforeEach(async () => {
    await database.db.execute(sql`truncate message_templates, template_syncs`);
    graph.clearRequests();
    graph.clearScripts();
    outcomes.length = 0;
    sync = makeSync();
    deps = { ...accessDeps, templateSync: sync };
  });
  const postSync = (credential: { cookie: string } | { key: string }, d: TemplatesApiDeps = deps) =>
    postTemplateSync(request('/api/admin/templates/sync', credential, { method: 'POST', origin: ORIGIN }), d);

  const templateRequests = () => graph.requests.filter((r) => r.pathname === TEMPLATES_PATH);
  const stored = async () =>
    (
      await queryRows<{ id: string; name: string; status: string }>(
        database.db,
        sql`select id, name, status from message_templates order by id`,
      )
    ).map((r) => `${r.id}:${r.name}:${r.status}`);
  const syncRow = async () => {
    const [row] = await queryRows<{ synced_at: Date | string | null; requested_at: Date | string | null; last_error: string | null }>(
      database.db,
      sql`select synced_at, requested_at, last_error from template_syncs where waba_id = ${TEST_WABA_ID}`,
    );
    return row;
  };

  it('fetches every page, stores each template, and deletes those Meta no longer lists', async () => {
    graph.setTemplates(TEST_WABA_ID, [
      template('t1', 'order_update'),
      template('t2', 'appointment_reminder', { language: 'de' }),
      template('t3', 'welcome', { parameter_format: 'NAMED', components: [body('Hi {{first_name}}')] }),
      template('t4', 'promo', { status: 'PENDING', category: 'MARKETING' }),
      template('t5', 'shipping'),
    ]);
    // A never-synced account the inbox knows is due without being asked.
    await sync.syncDue();
    expect(outcomes).toEqual([{ wabaId: TEST_WABA_ID, result: 'synced', stored: 5, deleted: 0, complete: true }]);
    // Five templates, two a page: three requests, the later ones by paging.next.
    expect(templateRequests()).toHaveLength(3);
    expect(await stored()).toEqual([
      't1:order_update:APPROVED',
      't2:appointment_reminder:APPROVED',
      't3:welcome:APPROVED',
      't4:promo:PENDING',
      't5:shipping:APPROVED',
    ]);
    const welcome = await findTemplate(database.db, { wabaId: TEST_WABA_ID, name: 'welcome', language: 'en_US' });
    expect(welcome).toMatchObject({ id: 't3', parameterFormat: 'NAMED', components: [body('Hi {{first_name}}')] });
    expect(await findTemplate(database.db, { wabaId: TEST_WABA_ID, name: 'welcome', language: 'de' })).toBeNull();
    expect((await syncRow())?.synced_at).not.toBeNull();

    // Meta deleted two and paused one; an admin asks for a fresh copy.
    graph.setTemplates(TEST_WABA_ID, [
      template('t1', 'order_update', { status: 'PAUSED' }),
      template('t3', 'welcome', { parameter_format: 'NAMED', components: [body('Hi {{first_name}}')] }),
      template('t5', 'shipping'),
    ]);
    graph.clearRequests();
    outcomes.length = 0;
    expect(await sync.request({ atOnce: true })).toMatchObject({ wabaIds: [TEST_WABA_ID], requestedAt: expect.any(Date) });
    await sync.syncDue();
    expect(outcomes).toEqual([{ wabaId: TEST_WABA_ID, result: 'synced', stored: 3, deleted: 2, complete: true }]);
    expect(await stored()).toEqual(['t1:order_update:PAUSED', 't3:welcome:APPROVED', 't5:shipping:APPROVED']);
    // Done: nothing is due until asked again.
    graph.clearRequests();
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(0);
  });

  it('never syncs one account twice at once', async () => {
    graph.setTemplates(TEST_WABA_ID, [template('t1', 'order_update'), template('t2', 'welcome')]);
    // Meta answers slowly, so both are inside the sync together if nothing stops them.
    graph.scriptAlways({ path: TEMPLATES_PATH }, { kind: 'accept', delayMs: 300 });
    // On PostgreSQL, a second instance with a connection pool of its own; PGlite has one process, so two rounds of one.
    const other = kind === 'postgres' ? await openDatabase({ url: testDb.url, poolMax: 2 }) : null;
    try {
      const second = other ? makeSync(other, { pageSize: 100 }) : sync;
      const first = kind === 'postgres' ? makeSync(database, { pageSize: 100 }) : sync;
      await Promise.all([first.syncDue(), second.syncDue()]);
    } finally {
      await other?.close();
    }
    expect(templateRequests()).toHaveLength(1);
    expect(outcomes.filter((o) => o.result === 'synced')).toHaveLength(1);
    expect(outcomes.filter((o) => o.result !== 'synced' && o.result !== 'skipped')).toEqual([]);
    expect(await stored()).toHaveLength(2);
  });

  it('a template webhook asks for a sync, spaced from the last one; an admin is not held back', async () => {
    graph.setTemplates(TEST_WABA_ID, [template('t1', 'order_update', { status: 'PENDING' })]);
    await sync.syncDue();
    expect(await stored()).toEqual(['t1:order_update:PENDING']);

    // Meta approves it and says so.
    graph.setTemplates(TEST_WABA_ID, [template('t1', 'order_update')]);
    const pipeline = createPipeline(database);
    const statusUpdate = (event: string) =>
      JSON.stringify(
        envelope(
          [
            {
              field: 'message_template_status_update',
              value: { event, message_template_id: 't1', message_template_name: 'order_update', message_template_language: 'en_US' },
            },
          ],
          { time: Math.floor(Date.now() / 1000) },
        ),
      );
    expect((await pipeline.post(statusUpdate('APPROVED'))).status).toBe(200);
    await pipeline.drain();
    const asked = await syncRow();
    expect(asked?.requested_at).not.toBeNull();
    // Synced a moment ago: the webhook's sync waits for the spacing (5 minutes after the last).
    const waits = new Date(asked!.requested_at!).getTime() - new Date(asked!.synced_at!).getTime();
    expect(waits).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    graph.clearRequests();
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(0);

    // Its time comes (as if five minutes passed): it runs.
    await database.db.execute(sql`update template_syncs set requested_at = now() - interval '1 second'`);
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(1);
    expect(await stored()).toEqual(['t1:order_update:APPROVED']);

    // A second webhook right after is spaced again; an admin's request runs at once all the same.
    expect((await pipeline.post(statusUpdate('PAUSED'))).status).toBe(200);
    await pipeline.drain();
    graph.setTemplates(TEST_WABA_ID, [template('t1', 'order_update', { status: 'PAUSED' })]);
    graph.clearRequests();
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(0);
    const res = await postSync(admin);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as PostTemplateSyncResponse;
    expect(answer).toEqual({ wabaIds: [TEST_WABA_ID], requestedAt: expect.any(String) });
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(1);
    // The sync that answered it records Meta's list as of its start: no earlier than the request.
    const synced = new Date((await syncRow())!.synced_at!).getTime();
    expect(synced).toBeGreaterThanOrEqual(Date.parse(answer.requestedAt!));
    expect(await stored()).toEqual(['t1:order_update:PAUSED']);
  });

  it('a failed sync records Meta’s error and is tried again later, not at once', async () => {
    graph.setTemplates(TEST_WABA_ID, [template('t1', 'order_update')]);
    graph.script({ path: TEMPLATES_PATH }, { kind: 'meta-error', status: 400, code: 200, message: '(#200) Permissions error' });
    await sync.syncDue();
    expect(outcomes).toMatchObject([{ wabaId: TEST_WABA_ID, result: 'failed' }]);
    const failed = await syncRow();
    expect(failed?.last_error).toContain('code 200');
    expect(failed?.synced_at).toBeNull();
    expect(new Date(failed!.requested_at!).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    graph.clearRequests();
    await sync.syncDue();
    expect(templateRequests()).toHaveLength(0);
    // An admin's request does not wait for the retry.
    expect((await postSync(admin)).status).toBe(202);
    await sync.syncDue();
    expect(await stored()).toEqual(['t1:order_update:APPROVED']);
    expect((await syncRow())?.last_error).toBeNull();
  });

  describe('GET /api/templates', () => {
    const get = (query: Record<string, string>) =>
      withApiErrors(getTemplates)(
        new Request(`http://ticks.test/api/templates?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${API_KEY}` } }),
        deps,
      );

    it('lists the number’s templates by name, filtered by part of the name and by status', async () => {
      graph.setTemplates(TEST_WABA_ID, [
        template('t1', 'order_update'),
        template('t2', 'appointment_reminder', { language: 'de' }),
        template('t3', 'order_shipped', { status: 'REJECTED' }),
        template('t4', 'promo_100%', { category: 'MARKETING' }),
      ]);
      const before = await get({ businessPhoneNumberId: TEST_BUSINESS_NUMBER.phoneNumberId });
      expect(await before.json()).toEqual({ templates: [], syncedAt: null });
      await sync.syncDue();

      const all = (await (await get({ businessPhoneNumberId: TEST_BUSINESS_NUMBER.phoneNumberId })).json()) as GetTemplatesResponse;
      expect(all.templates.map((t) => t.name)).toEqual(['appointment_reminder', 'order_shipped', 'order_update', 'promo_100%']);
      expect(all.syncedAt).not.toBeNull();
      expect(all.templates[2]).toEqual({
        id: 't1',
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        status: 'APPROVED',
        parameterFormat: 'POSITIONAL',
        components: [body('Hello {{1}}, this is order_update.')],
      });

      const names = async (query: Record<string, string>) =>
        (
          (await (await get({ businessPhoneNumberId: TEST_BUSINESS_NUMBER.phoneNumberId, ...query })).json()) as GetTemplatesResponse
        ).templates.map((t) => t.name);
      expect(await names({ q: 'ORDER' })).toEqual(['order_shipped', 'order_update']);
      expect(await names({ q: 'order', status: 'APPROVED' })).toEqual(['order_update']);
      expect(await names({ status: 'approved' })).toEqual(['appointment_reminder', 'order_update', 'promo_100%']);
      // % and _ are letters of the name, not wildcards.
      expect(await names({ q: '%' })).toEqual(['promo_100%']);
      expect(await names({ q: 'r_u' })).toEqual(['order_update']);
    });

    it('404 for a number the inbox does not know; 400 without one, or with a character no text can hold', async () => {
      const res = await get({ businessPhoneNumberId: '999999' });
      expect(res.status).toBe(404);
      expect((await get({})).status).toBe(400);
      // A NUL reaches PostgreSQL, which refuses it in text: the caller's mistake, not a 500.
      const nul = await get({ businessPhoneNumberId: '\u0000' });
      expect(nul.status).toBe(400);
      expect(await nul.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/U\+0000/) } });
    });
  });

  describe('POST /api/admin/templates/sync', () => {
    it('admins only; without an access token 409 sending_disabled', async () => {
      expect((await postSync({ key: API_KEY })).status).toBe(403);
      const res = await postSync(admin, { ...deps, templateSync: new TemplateSync(database, { graph: null, log: silentLog }) });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: { code: 'sending_disabled' } });
    });
  });
});
