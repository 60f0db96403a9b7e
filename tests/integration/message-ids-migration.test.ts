import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { getMediaItem } from '@/db/queries/media';
import { findMessage } from '@/db/queries/messages';
import { dbKinds } from '../helpers/db';
import { databaseBefore } from '../helpers/migrations';
import { createPipeline } from '../helpers/pipeline';
import { messagesBody, textMessage } from '@/tools/meta-envelopes';

// Migration 0006 (messages get an id of their own) on a database that already has messages: every row is
// numbered, a conversation's last message and a media file follow their message to its id, and the
// webhook pipeline stores on as before.

describe.each(dbKinds)('migration 0006_message_ids on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await drop();
  });

  it('numbers existing messages and moves the references to their ids', async () => {
    ({ database, drop } = await databaseBefore(kind, '0006_message_ids'));
    const { db } = database;
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('106540352242922')`);
    await db.execute(sql`insert into contacts (id, wa_id) values (1, '4915112345678'), (2, '4915112345679')`);
    await db.execute(sql`
      insert into conversations (id, phone_number_id, contact_id, last_message_at, last_message_wamid, unread_count) values
        (1, '106540352242922', 1, '2026-01-01T00:01:00Z', 'wamid.OLD-2', 2),
        (2, '106540352242922', 2, '2026-01-01T00:02:00Z', 'wamid.OLD-3', 1)`);
    await db.execute(sql`
      insert into messages (wamid, conversation_id, direction, type, text, sent_at, status) values
        ('wamid.OLD-1', 1, 'inbound', 'text', 'first', '2026-01-01T00:00:00Z', 'received'),
        ('wamid.OLD-2', 1, 'inbound', 'image', null, '2026-01-01T00:01:00Z', 'received'),
        ('wamid.OLD-3', 2, 'inbound', 'text', 'other', '2026-01-01T00:02:00Z', 'received')`);
    await db.execute(sql`
      insert into media_items (wamid, media_id, kind, mime_type, state) values ('wamid.OLD-2', 'm-1', 'image', 'image/png', 'failed')`);

    await migrateDatabase(database);

    const rows = await queryRows<{ id: string | number; wamid: string }>(db, sql`select id, wamid from messages order by wamid`);
    const ids = rows.map((r) => Number(r.id));
    expect(rows.map((r) => r.wamid)).toEqual(['wamid.OLD-1', 'wamid.OLD-2', 'wamid.OLD-3']);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    const idOf = (wamid: string) => ids[rows.findIndex((r) => r.wamid === wamid)]!;

    const conversations = await queryRows<{ id: string | number; last_message_id: string | number }>(
      db,
      sql`select id, last_message_id from conversations order by id`,
    );
    expect(conversations.map((c) => Number(c.last_message_id))).toEqual([idOf('wamid.OLD-2'), idOf('wamid.OLD-3')]);
    expect(await getMediaItem(db, { wamid: 'wamid.OLD-2' })).toMatchObject({
      messageId: idOf('wamid.OLD-2'),
      mediaId: 'm-1',
      state: 'failed',
      wamid: 'wamid.OLD-2',
    });
    expect(await findMessage(db, { id: idOf('wamid.OLD-1') })).toMatchObject({ wamid: 'wamid.OLD-1', text: 'first' });

    // A wamid stays one message; a message Meta has not named yet has none, and there may be many such.
    await expect(
      db.execute(sql`insert into messages (wamid, conversation_id, direction, type, sent_at, status)
        values ('wamid.OLD-1', 1, 'inbound', 'text', now(), 'received')`),
    ).rejects.toThrow();
    const unnamed = await queryRows<{ id: string | number }>(
      db,
      sql`insert into messages (conversation_id, direction, type, sent_at, status)
        values (1, 'outbound', 'text', now(), 'pending'), (1, 'outbound', 'text', now(), 'pending') returning id`,
    );
    expect(unnamed.map((r) => Number(r.id)).every((id) => id > Math.max(...ids))).toBe(true);

    // The pipeline stores on: a new message in the old thread becomes its last message.
    const pipeline = createPipeline(database);
    const body = messagesBody({ messages: [textMessage('wamid.NEW-1', '4915112345678', 'after the upgrade', 1767226000)] });
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();
    const newMessage = await findMessage(db, { wamid: 'wamid.NEW-1' });
    expect(newMessage).toMatchObject({ conversationId: 1, text: 'after the upgrade' });
    const [first] = await queryRows<{ last_message_id: string | number }>(db, sql`select last_message_id from conversations where id = 1`);
    expect(Number(first!.last_message_id)).toBe(newMessage!.id);
  });
});
