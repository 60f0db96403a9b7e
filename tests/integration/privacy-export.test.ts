import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import type { Auth } from '@/lib/auth/auth';
import type { CustomerExport, ExportLine } from '@/lib/contracts/privacy';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { postConversationNote } from '@/lib/inbox/activity-api';
import type { ReadApiDeps } from '@/lib/inbox/read-api';
import { EXPORT_PAGE_SIZE } from '@/lib/privacy/export';
import { getAdminExport, getContactExport, getConversationExport } from '@/lib/privacy/privacy-api';
import { messagesBody, status, textMessage } from '@/tools/meta-envelopes';
import { ORIGIN, request, type Credential } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { signInTeam } from '../helpers/team';
import { createPipeline, silentLog } from '../helpers/pipeline';

// Exports on PGlite and on PostgreSQL, through the routes: a conversation or a whole customer as one JSON
// file (messages oldest first in the read API's shape, their status history, media links, notes), for
// agents too; and every message of a date range as NDJSON for admins, walked page by page in the order of
// Meta's timestamps, only messages inside the range, with a header telling the total first.

const ADMIN = { email: 'admin@export.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@export.test', password: 'agent-password-123', name: 'Agent Export' };
const API_KEY = 'export-test-key-0123456789';

describe.each(dbKinds)('exports on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  let deps: ReadApiDeps & { auth: Auth; log: typeof silentLog };
  let admin: { cookie: string };
  let agent: { cookie: string };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const team = await signInTeam(db, { admin: ADMIN, agent: AGENT, apiKey: API_KEY });
    const auth = team.auth;
    admin = team.admin;
    agent = team.agent;
    deps = { db, apiKey: API_KEY, auth, log: silentLog, mediaDownloads: false };
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const call = (
    // biome-ignore lint/suspicious/noExplicitAny: routes of several deps, all of which `deps` satisfies
    route: ApiRoute<any>,
    p: string,
    credential: Credential,
    params: Record<string, string> = {},
    init: { method?: string; body?: unknown } = {},
  ) =>
    withApiErrors(route)(
      request(p, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }),
      deps,
      params,
    );
  async function json<T>(res: Response, statusCode = 200): Promise<T> {
    expect(res.status, await res.clone().text()).toBe(statusCode);
    return (await res.json()) as T;
  }

  it('exports a conversation and a whole customer as JSON files, for agents too', async () => {
    const tag = `${kind}-${randomUUID().slice(0, 8)}`;
    const waId = `4918${kind === 'pglite' ? 1 : 2}00000001`;
    const pipeline = createPipeline(database);
    const image = {
      from: waId,
      id: `wamid.IMG-${tag}`,
      timestamp: '1767000010',
      type: 'image',
      image: { id: 'media-1', mime_type: 'image/jpeg', sha256: 'x' },
    };
    expect(
      (
        await pipeline.post(
          messagesBody({
            contacts: [{ profile: { name: 'Ola Export' }, wa_id: waId }],
            messages: [
              textMessage(`wamid.T2-${tag}`, waId, 'second', 1767000020),
              textMessage(`wamid.T1-${tag}`, waId, 'first', 1767000000),
              image,
            ],
          }),
        )
      ).status,
    ).toBe(200);
    // Our reply, known from its statuses; and the same customer on a second number.
    expect(
      (
        await pipeline.post(
          messagesBody({
            statuses: [status(`wamid.OUT-${tag}`, 'sent', 1767000030, waId), status(`wamid.OUT-${tag}`, 'read', 1767000040, waId)],
          }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await pipeline.post(
          messagesBody(
            {
              contacts: [{ profile: { name: 'Ola Export' }, wa_id: waId }],
              messages: [textMessage(`wamid.N2-${tag}`, waId, 'other number', 1767000050)],
            },
            { phoneNumberId: '200000000000002', display: '15550000002' },
          ),
        )
      ).status,
    ).toBe(200);
    await pipeline.drain();
    const conversations = await queryRows<{ id: string | number; contact_id: string | number; phone_number_id: string }>(
      db,
      sql`select c.id, c.contact_id, c.phone_number_id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = ${waId} order by c.id`,
    );
    expect(conversations).toHaveLength(2);
    const conversationId = String(conversations[0]!.id);
    const contactId = String(conversations[0]!.contact_id);
    const note = await call(
      postConversationNote,
      `/api/conversations/${conversationId}/notes`,
      agent,
      { id: conversationId },
      {
        method: 'POST',
        body: { text: `Prefers mornings ${tag}` },
      },
    );
    expect(note.status).toBe(201);

    const res = await call(getConversationExport, `/api/conversations/${conversationId}/export`, agent, { id: conversationId });
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="ticks-conversation-${conversationId}.json"`);
    const one = await json<CustomerExport>(res);
    expect(one.contact).toMatchObject({ id: contactId, waId, name: 'Ola Export' });
    expect(one.conversations).toHaveLength(1);
    const [thread] = one.conversations;
    expect(thread!.id).toBe(conversationId);
    expect(thread!.messages.map((m) => m.wamid)).toEqual([`wamid.T1-${tag}`, `wamid.IMG-${tag}`, `wamid.T2-${tag}`, `wamid.OUT-${tag}`]);
    expect(thread!.messages[0]!.text).toBe('first');
    expect(thread!.messages[3]!.statusHistory.map((h) => h.status)).toEqual(['sent', 'read']);
    expect(thread!.messages[1]!.mediaFile?.url).toBe(`/api/media/${encodeURIComponent(thread!.messages[1]!.id)}`);
    expect(thread!.notes.map((n) => [n.action, n.body, n.actor.name])).toEqual([['note', `Prefers mornings ${tag}`, AGENT.name]]);

    const all = await json<CustomerExport>(
      await call(getContactExport, `/api/contacts/${contactId}/export`, { key: API_KEY }, { id: contactId }),
    );
    expect(all.conversations.map((c) => [c.id, c.messages.length, c.notes.length])).toEqual([
      [conversationId, 4, 1],
      [String(conversations[1]!.id), 1, 0],
    ]);
    expect(all.conversations[1]!.messages[0]!.text).toBe('other number');

    expect((await call(getConversationExport, '/api/conversations/99999999/export', agent, { id: '99999999' })).status).toBe(404);
    expect((await call(getContactExport, '/api/contacts/abc/export', agent, { id: 'abc' })).status).toBe(404);
  });

  it('streams every message of a date range as NDJSON in timestamp order, only those inside it, with the total first', async () => {
    const waId = `4918${kind === 'pglite' ? 1 : 2}00000009`;
    const [contact] = await queryRows<{ id: string | number }>(
      db,
      sql`insert into contacts (wa_id, name) values (${waId}, 'Bulk') returning id`,
    );
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('300000000000003') on conflict do nothing`);
    const [conversation] = await queryRows<{ id: string | number }>(
      db,
      sql`insert into conversations (phone_number_id, contact_id) values ('300000000000003', ${contact!.id}) returning id`,
    );
    // 3,000 messages over ~5 days of 2030, inserted out of order, two at each instant (the id breaks the tie).
    await db.execute(sql`
      insert into messages (conversation_id, direction, type, text, sent_at, status, wamid)
      select ${conversation!.id}, 'inbound', 'text', 'Bulk ' || g,
        timestamptz '2030-01-01 00:00:00+00' + ((g * 7919) % 1500) * interval '5 minutes', 'received', 'wamid.bulk-' || g
      from generate_series(1, 3000) g`);
    const from = '2030-01-02';
    const to = '2030-01-04T12:00:00Z';
    const [expected] = await queryRows<{ n: string | number }>(
      db,
      sql`select count(*) as n from messages where sent_at >= '2030-01-02T00:00:00Z' and sent_at < ${to}`,
    );
    const total = Number(expected!.n);
    expect(total).toBeGreaterThan(EXPORT_PAGE_SIZE);

    const res = await call(getAdminExport, `/api/admin/export?from=${from}&to=${encodeURIComponent(to)}`, admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="ticks-messages-2030-01-02-2030-01-04.ndjson"');
    // Read as it arrives: the first chunk is the header, before any page of messages.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    const header = JSON.parse(decoder.decode(first.value).trim()) as ExportLine;
    expect(header).toMatchObject({ kind: 'export', total, from: '2030-01-02T00:00:00.000Z', to: '2030-01-04T12:00:00.000Z' });
    // A message that arrives while the file streams, its timestamp inside the range (as today's are in a
    // range that ends tomorrow), is not in it: the file is the range as it stood when the export began,
    // and the end line's count is the header's total.
    await db.execute(sql`
      insert into messages (conversation_id, direction, type, text, sent_at, status, wamid)
      values (${conversation!.id}, 'inbound', 'text', 'Late arrival', '2030-01-04T11:59:00Z', 'received', ${`wamid.bulk-late-${kind}`})`);
    let text = '';
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportLine);
    expect(lines.at(-1)).toEqual({ kind: 'end', count: total });
    const messages = lines.flatMap((l) => (l.kind === 'message' ? [l.message] : []));
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((m) => m.id)).size).toBe(total);
    expect(messages.some((m) => m.text === 'Late arrival')).toBe(false);
    for (const m of messages) {
      expect(m.timestamp >= '2030-01-02T00:00:00.000Z' && m.timestamp < '2030-01-04T12:00:00.000Z', m.timestamp).toBe(true);
      expect(m.conversationId).toBe(String(conversation!.id));
      expect(m.contact).toEqual({ waId, userId: null, name: 'Bulk' });
    }
    const keys = messages.map((m) => [m.timestamp, Number(m.id)] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(keys).toEqual(sorted);
  });

  it('refuses bad or missing dates with a 400 naming the field, and anyone but an admin', async () => {
    const message = async (query: string) => {
      const res = await call(getAdminExport, `/api/admin/export${query}`, admin);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await message('?from=yesterday&to=2030-01-02')).toMatch(/from/);
    expect(await message('?from=2030-01-02')).toMatch(/to/);
    expect(await message('?from=2030-01-03&to=2030-01-02')).toMatch(/to: must be after from/);
    expect(await message('?from=2030-02-30&to=2030-03-02')).toMatch(/from/);
    expect((await call(getAdminExport, '/api/admin/export?from=2030-01-01&to=2030-01-02', agent)).status).toBe(403);
    expect((await call(getAdminExport, '/api/admin/export?from=2030-01-01&to=2030-01-02', { key: API_KEY })).status).toBe(403);
  });
});
