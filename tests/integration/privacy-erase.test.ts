import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import type { Auth } from '@/lib/auth/auth';
import type { GetErasePreviewResponse, PostEraseResponse } from '@/lib/contracts/privacy';
import { withApiErrors } from '@/lib/http/errors';
import type { ApiRoute } from '@/lib/http/route';
import { postConversationNote } from '@/lib/inbox/activity-api';
import { putConversationLabel } from '@/lib/inbox/labels-api';
import { MediaDownloader } from '@/lib/media/downloader';
import { fileStorage } from '@/lib/media/storage';
import { postConversationMessage, type OutboxApiDeps } from '@/lib/outbox/outbox-api';
import { OutboxSender } from '@/lib/outbox/sender';
import { getErasePreviewRoute, postEraseRoute, type PrivacyApiDeps } from '@/lib/privacy/privacy-api';
import { GraphApiClient } from '@/lib/whatsapp/graph-api';
import { type FakeGraph, startFakeGraph } from '@/tools/fake-graph';
import { messagesBody, status, textMessage } from '@/tools/meta-envelopes';
import { ORIGIN, request, type Credential } from '../helpers/auth';
import { noticesDuring } from '../helpers/change-notices';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { signInTeam } from '../helpers/team';
import { count, createPipeline, silentLog } from '../helpers/pipeline';

// Erasing a customer on PGlite and on PostgreSQL, through the routes: the preview counts what will go; the
// erase deletes their contact, conversations, messages (a queued one is never sent), status history, media
// rows and files (after commit; a file another customer's message shares stays), notes and labels; the raw
// bodies they came from are emptied (a retry from Meta is still a duplicate), a body still waiting keeps the
// other customer's entries; a late status for an erased wamid brings nothing back; the audit names the
// contact id and counts, never content; agents get 403; open inboxes get a change notice.

const ADMIN = { email: 'admin@erase.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@erase.test', password: 'agent-password-123', name: 'Agent Erase' };
const API_KEY = 'erase-test-key-0123456789';
const TOKEN = 'EAAG-erase-test-token-000000000000';
const VERSION = 'v23.0';

let graph: FakeGraph;
beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});

describe.each(dbKinds)('erasing a customer on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  let db: Db;
  type Deps = PrivacyApiDeps & OutboxApiDeps & { auth: Auth };
  let deps: Deps;
  let admin: { cookie: string };
  let agent: { cookie: string };
  const key = { key: API_KEY };
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-erase-'));
  const storage = fileStorage(mediaDir);

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = testDb.database;
    db = database.db;
    const team = await signInTeam(db, { admin: ADMIN, agent: AGENT, apiKey: API_KEY });
    const auth = team.auth;
    admin = team.admin;
    agent = team.agent;
    deps = {
      db,
      apiKey: API_KEY,
      auth,
      storage,
      log: silentLog,
      mediaDownloads: false,
      sendingEnabled: true,
      outbox: { enabled: true, notify: () => {} },
    };
  });
  afterAll(async () => {
    await testDb?.drop();
    fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  const call = (
    // biome-ignore lint/suspicious/noExplicitAny: routes of several deps, all of which `deps` satisfies
    route: ApiRoute<any>,
    p: string,
    credential: Credential,
    params: Record<string, string>,
    init: { method?: string; body?: unknown } = {},
  ) =>
    withApiErrors(route)(
      request(p, credential, { ...init, origin: init.method && init.method !== 'GET' ? ORIGIN : undefined }),
      deps,
      params,
    );
  const preview = (contactId: string, credential: Credential = admin) =>
    call(getErasePreviewRoute, `/api/contacts/${contactId}/erase`, credential, { id: contactId });
  const erase = (contactId: string, credential: Credential = admin) =>
    call(postEraseRoute, `/api/contacts/${contactId}/erase`, credential, { id: contactId }, { method: 'POST' });

  let seq = 0;
  const now = () => Math.floor(Date.now() / 1000);
  const waIdOf = (n: number) => `4917${kind === 'pglite' ? 1 : 2}${String(n).padStart(8, '0')}`;
  const one = async <T>(query: ReturnType<typeof sql>) => (await queryRows<T>(db, query))[0]!;
  const conversationOf = async (waId: string) =>
    String(
      (
        await one<{ id: string | number }>(
          sql`select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = ${waId}`,
        )
      ).id,
    );
  const contactOf = async (waId: string) =>
    String((await one<{ id: string | number }>(sql`select id from contacts where wa_id = ${waId}`)).id);

  /** Puts `bytes` in media storage as a downloaded file of message `wamid`. */
  async function storeFile(wamid: string, bytes: string): Promise<string> {
    const temp = storage.tempPath();
    fs.writeFileSync(temp, bytes);
    const storageKey = await storage.put(temp, createHash('sha256').update(bytes).digest('hex'));
    await db.execute(sql`
      update media_items set state = 'downloaded', storage_key = ${storageKey}, size = ${bytes.length}
      where message_id = (select id from messages where wamid = ${wamid})`);
    return storageKey;
  }
  const fileExists = async (storageKey: string) => (await storage.stat(storageKey)) !== null;
  const imageMessage = (wamid: string, from: string, ts: number) => ({
    from,
    id: wamid,
    timestamp: String(ts),
    type: 'image',
    image: { id: `media-${wamid}`, mime_type: 'image/jpeg', sha256: 'x' },
  });

  it('erases everything of one customer and nothing of another, files after commit, and audits it without content', async () => {
    seq += 1;
    const pipeline = createPipeline(database);
    const erased = waIdOf(seq * 10 + 1);
    const kept = waIdOf(seq * 10 + 2);
    const tag = `${kind}-${seq}-${randomUUID().slice(0, 8)}`;
    const w = (name: string) => `wamid.${name}-${tag}`;
    const secretText = `My address is 12 Secret Street ${tag}`;

    // Both customers write; the erased one sends a photo whose bytes the kept one also sent, and one of their own.
    const firstBody = messagesBody({
      contacts: [{ profile: { name: 'Erin Erased' }, wa_id: erased }],
      messages: [
        textMessage(w('E1'), erased, secretText, now() - 120),
        imageMessage(w('E2'), erased, now() - 110),
        imageMessage(w('E3'), erased, now() - 100),
      ],
    });
    expect((await pipeline.post(firstBody)).status).toBe(200);
    expect(
      (
        await pipeline.post(
          messagesBody({
            contacts: [{ profile: { name: 'Kim Kept' }, wa_id: kept }],
            messages: [textMessage(w('K1'), kept, 'Hello from Kim', now() - 90), imageMessage(w('K2'), kept, now() - 80)],
          }),
        )
      ).status,
    ).toBe(200);
    await pipeline.drain();
    const sharedKey = await storeFile(w('E2'), `shared bytes ${tag}`);
    expect(await storeFile(w('K2'), `shared bytes ${tag}`)).toBe(sharedKey);
    const ownKey = await storeFile(w('E3'), `own bytes ${tag}`);

    const conversationId = await conversationOf(erased);
    const keptConversationId = await conversationOf(kept);
    const contactId = await contactOf(erased);

    // An agent's reply is delivered (a status history), a note, a label, and a reply still queued.
    const reply = await call(
      postConversationMessage,
      `/api/conversations/${conversationId}/messages`,
      key,
      { id: conversationId },
      {
        method: 'POST',
        body: { clientId: randomUUID(), type: 'text', text: `We will visit ${tag}` },
      },
    );
    expect(reply.status, await reply.clone().text()).toBe(202);
    const replyId = ((await reply.json()) as { id: string }).id;
    await db.execute(
      sql`update messages set wamid = ${w('OUT1')}, outbox_state = null, status = 'sent', next_send_at = null where id = ${Number(replyId)}`,
    );
    expect((await pipeline.post(messagesBody({ statuses: [status(w('OUT1'), 'delivered', now() - 50, erased)] }))).status).toBe(200);
    await pipeline.drain();
    const queued = await call(
      postConversationMessage,
      `/api/conversations/${conversationId}/messages`,
      key,
      { id: conversationId },
      {
        method: 'POST',
        body: { clientId: randomUUID(), type: 'text', text: `Queued for ${tag}` },
      },
    );
    expect(queued.status).toBe(202);
    const note = await call(
      postConversationNote,
      `/api/conversations/${conversationId}/notes`,
      admin,
      { id: conversationId },
      {
        method: 'POST',
        body: { text: `Customer lives at 12 Secret Street ${tag}` },
      },
    );
    expect(note.status, await note.clone().text()).toBe(201);
    const [label] = await queryRows<{ id: string | number }>(
      db,
      sql`insert into labels (name, colour) values (${`VIP ${tag}`}, 'sky') returning id`,
    );
    expect(
      (
        await call(
          putConversationLabel,
          `/api/conversations/${conversationId}/labels/${label!.id}`,
          key,
          { id: conversationId, labelId: String(label!.id) },
          { method: 'PUT' },
        )
      ).status,
    ).toBe(200);

    // A body still waiting to be processed carries both customers.
    const sharedBody = messagesBody({
      contacts: [
        { profile: { name: 'Erin Erased' }, wa_id: erased },
        { profile: { name: 'Kim Kept' }, wa_id: kept },
      ],
      messages: [
        textMessage(w('E4'), erased, `Pending secret ${tag}`, now() - 10),
        textMessage(w('K3'), kept, `Pending hello ${tag}`, now() - 5),
      ],
    });
    expect((await pipeline.post(sharedBody)).status).toBe(200);

    // What the dialog shows.
    const shown = await preview(contactId);
    expect(shown.status).toBe(200);
    expect((await shown.json()) as GetErasePreviewResponse).toEqual({
      contact: { id: contactId, name: 'Erin Erased', waId: erased, userId: null },
      counts: { conversations: 1, messages: 5, statusEvents: 1, mediaFiles: 2, notes: 1 },
    });

    // Agents may neither look nor erase.
    expect((await preview(contactId, agent)).status).toBe(403);
    expect((await erase(contactId, agent)).status).toBe(403);
    expect((await erase(contactId, key)).status).toBe(403);
    expect(await count(database, 'contacts', sql`where wa_id = ${erased}`)).toBe(1);

    let result: Response | undefined;
    const notices = await noticesDuring(
      database,
      async () => {
        result = await erase(contactId);
      },
      1,
    );
    if (!result) throw new Error('no answer');
    expect(result.status, await result.clone().text()).toBe(200);
    expect((await result.json()) as PostEraseResponse).toEqual({
      contactId,
      erased: {
        conversations: 1,
        messages: 5,
        statusEvents: 1,
        mediaFiles: 2,
        notes: 1,
        rawBodiesEmptied: 2,
        rawBodiesRedacted: 1,
        filesRemoved: 1,
        fileErrors: 0,
      },
    });
    expect(notices.some((ids) => ids.includes(Number(conversationId)))).toBe(true);

    // Nothing of them is left ...
    const mentionsThem = sql`where text like ${`%${tag}%`} and conversation_id <> ${Number(keptConversationId)}`;
    expect(await count(database, 'contacts', sql`where wa_id = ${erased}`)).toBe(0);
    expect(await count(database, 'conversations', sql`where id = ${Number(conversationId)}`)).toBe(0);
    expect(await count(database, 'messages', sql`where conversation_id = ${Number(conversationId)}`)).toBe(0);
    expect(await count(database, 'messages', mentionsThem)).toBe(0);
    expect(await count(database, 'status_events', sql`where wamid = ${w('OUT1')}`)).toBe(0);
    expect(await count(database, 'delivery_timings', sql`where wamid = ${w('OUT1')}`)).toBe(0);
    expect(await count(database, 'conversation_activity', sql`where conversation_id = ${Number(conversationId)}`)).toBe(0);
    expect(await count(database, 'conversation_labels', sql`where conversation_id = ${Number(conversationId)}`)).toBe(0);
    expect(await count(database, 'media_items', sql`where message_id not in (select id from messages)`)).toBe(0);
    expect(await fileExists(ownKey)).toBe(false);
    // ... and nothing of the other customer went: their messages, and the file their photo shares.
    expect(await count(database, 'messages', sql`where conversation_id = ${Number(keptConversationId)}`)).toBe(2);
    expect(await fileExists(sharedKey)).toBe(true);

    // The raw bodies they came from are emptied, their hashes kept: Meta's retry is still a duplicate.
    const bodies = await queryRows<{ size: number; deleted: boolean; state: string; body: Uint8Array }>(
      db,
      sql`select octet_length(body) as size, body_deleted_at is not null as deleted, state, body from webhook_events order by id`,
    );
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
    expect(bodies.filter((b) => text(b.body).includes(erased))).toEqual([]);
    expect(bodies.filter((b) => b.deleted).length).toBe(2);
    expect((await pipeline.post(firstBody)).status).toBe(200);
    // The body still waiting keeps the other customer: processed now, their message arrives, theirs does not.
    expect(bodies.some((b) => b.state === 'pending' && text(b.body).includes(`Pending hello ${tag}`))).toBe(true);
    await pipeline.drain();
    expect(await count(database, 'messages', sql`where wamid = ${w('K3')}`)).toBe(1);
    expect(await count(database, 'messages', sql`where wamid in (${w('E1')}, ${w('E4')})`)).toBe(0);
    expect(await count(database, 'contacts', sql`where wa_id = ${erased}`)).toBe(0);

    // A late status for one of their messages brings nothing back: no contact, no placeholder, no status.
    expect((await pipeline.post(messagesBody({ statuses: [status(w('OUT1'), 'read', now(), erased)] }))).status).toBe(200);
    await pipeline.drain();
    expect(await count(database, 'contacts', sql`where wa_id = ${erased}`)).toBe(0);
    expect(await count(database, 'messages', sql`where wamid = ${w('OUT1')}`)).toBe(0);
    expect(await count(database, 'status_events', sql`where wamid = ${w('OUT1')}`)).toBe(0);

    // The queued reply is never sent.
    graph.clearRequests();
    const sender = new OutboxSender(db, {
      graph: new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN }),
      storage,
      log: silentLog,
      messagesPerSecond: 1000,
    });
    expect(await sender.sendDue()).toBe(0);
    expect(graph.requests.filter((r) => r.method === 'POST')).toEqual([]);

    // The audit: who erased which contact id, and how much; no name, number or text.
    const audit = await queryRows<{
      actor_name: string;
      action: string;
      target_kind: string;
      target_id: string;
      target_name: string | null;
      details: unknown;
    }>(
      db,
      sql`select actor_name, action, target_kind, target_id, target_name, details from audit_log where action = 'contact.erased' and target_id = ${contactId}`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'contact.erased', target_kind: 'contact', target_id: contactId, target_name: null });
    const written = JSON.stringify(audit[0]);
    for (const secret of [erased, 'Erin', tag]) expect(written).not.toContain(secret);

    // Gone is gone.
    expect((await erase(contactId)).status).toBe(404);
    expect((await preview(contactId)).status).toBe(404);
  });

  it('removes a file whose download finished after its customer was erased', async () => {
    seq += 1;
    const pipeline = createPipeline(database);
    const waId = waIdOf(seq * 10 + 3);
    const wamid = `wamid.LATE-${kind}-${randomUUID().slice(0, 8)}`;
    const bytes = Buffer.from(`a photo still downloading ${randomUUID()}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The file's body waits for the test: the erase commits while the download is under way.
    let body: PassThrough | undefined;
    graph.add({ id: `media-${wamid}`, body: () => (body = new PassThrough()), mimeType: 'image/jpeg', sha256, fileSize: bytes.length });
    expect(
      (
        await pipeline.post(
          messagesBody({ contacts: [{ profile: { name: 'Lee Late' }, wa_id: waId }], messages: [imageMessage(wamid, waId, now())] }),
        )
      ).status,
    ).toBe(200);
    await pipeline.drain();
    const downloader = new MediaDownloader(db, {
      graph: { graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN, maxBytes: 1024 * 1024, timeoutMs: 10_000 },
      storage,
      log: silentLog,
    });
    const downloading = downloader.downloadDue();
    await expect.poll(() => body !== undefined).toBe(true);
    body!.write(bytes.subarray(0, 5));
    expect((await erase(await contactOf(waId))).status).toBe(200);
    body!.end(bytes.subarray(5));
    expect(await downloading).toBe(1);
    expect(await fileExists(sha256)).toBe(false);
    expect(await count(database, 'media_items', sql`where message_id not in (select id from messages)`)).toBe(0);
  });

  it('answers 404 for a contact id that cannot exist', async () => {
    expect((await preview('not-a-number')).status).toBe(404);
    expect((await erase('99999999999')).status).toBe(404);
  });
});
