import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { backfillMessageContent } from '@/lib/whatsapp/content-backfill';
import { contentOf, messageContentSchema } from '@/lib/whatsapp/message-types';
import { dbKinds } from '../helpers/db';
import { databaseBefore } from '../helpers/migrations';

// Migration 0007 (typed content) on a database that already has messages: the column comes empty and the
// start-up backfill fills it from each row's raw item with the same modules ingest uses. Placeholders
// (no raw) stay without; a second run finds nothing to do.

const RAW_ITEMS: Record<string, Record<string, unknown>> = {
  'wamid.TEXT': { id: 'wamid.TEXT', type: 'text', text: { body: 'Hola' } },
  'wamid.LOC': { id: 'wamid.LOC', type: 'location', location: { latitude: 19.43, longitude: -99.13, name: 'Zócalo' } },
  'wamid.CARD': {
    id: 'wamid.CARD',
    type: 'contacts',
    contacts: [{ name: { formatted_name: 'Ana Ruiz' }, phones: [{ phone: '+52 55 1234 5678', type: 'CELL' }] }],
  },
  'wamid.IMG': { id: 'wamid.IMG', type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg', caption: 'la factura' } },
  'wamid.ODD': { id: 'wamid.ODD', type: 'hologram', hologram: { text: 'from the future' } },
};

describe.each(dbKinds)('migration 0007_message_content on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await drop();
  });

  it('fills content for existing rows from raw, with the ingest modules, once', async () => {
    ({ database, drop } = await databaseBefore(kind, '0007_message_content'));
    const { db } = database;
    await db.execute(sql`insert into business_numbers (phone_number_id) values ('106540352242922')`);
    await db.execute(sql`insert into contacts (id, wa_id) values (1, '4915112345678')`);
    await db.execute(sql`insert into conversations (id, phone_number_id, contact_id) values (1, '106540352242922', 1)`);
    for (const [wamid, raw] of Object.entries(RAW_ITEMS)) {
      await db.execute(sql`
        insert into messages (wamid, conversation_id, direction, type, sent_at, status, raw)
        values (${wamid}, 1, 'inbound', ${String(raw.type)}, now(), 'received', ${JSON.stringify(raw)}::jsonb)`);
    }
    await db.execute(sql`
      insert into messages (wamid, conversation_id, direction, type, sent_at, status, placeholder)
      values ('wamid.PLACEHOLDER', 1, 'outbound', 'placeholder', now(), 'sent', true)`);

    await migrateDatabase(database);
    const progress: number[] = [];
    expect(await backfillMessageContent(db, (n) => progress.push(n))).toBe(Object.keys(RAW_ITEMS).length);
    expect(progress.at(-1)).toBe(Object.keys(RAW_ITEMS).length);

    const rows = await queryRows<{ wamid: string; content: unknown }>(db, sql`select wamid, content from messages order by wamid`);
    for (const row of rows) {
      if (row.wamid === 'wamid.PLACEHOLDER') {
        expect(row.content).toBeNull();
        continue;
      }
      expect(row.content, row.wamid).toEqual(contentOf(RAW_ITEMS[row.wamid]));
      expect(messageContentSchema.safeParse(row.content).success, row.wamid).toBe(true);
    }
    expect(rows.find((r) => r.wamid === 'wamid.LOC')?.content).toMatchObject({ type: 'location', name: 'Zócalo', latitude: 19.43 });
    expect(rows.find((r) => r.wamid === 'wamid.ODD')?.content).toMatchObject({ type: 'unknown', metaType: 'hologram' });
    expect(await backfillMessageContent(db)).toBe(0);
  });
});
