import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Db } from '@/db/client';
import {
  compactConversationStatusCounts,
  conversationCountsQuery,
  countConversationsByStatus,
  setConversationStatus,
  wakeDueSnoozes,
  type StatusCounts,
} from '@/db/queries/conversation-status';
import { deleteContactRows } from '@/db/queries/erase';
import { bumpConversations, insertConversations } from '@/db/writes/conversations';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';

// The inbox tabs' counts are kept by triggers (migration 0018) rather than counted: whatever writes
// conversations (new ones, a status set by hand, a customer's message opening one again, a snooze ending,
// erasure, truncation) and however compaction interleaves, they equal counting the conversations.

const A = '106540352242922';
const B = '106540352243011';

describe.each(dbKinds)('status counts on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let db: Db;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
    db = database.db;
  });
  afterAll(async () => {
    await test?.drop();
  });

  async function seedContacts(n: number): Promise<void> {
    await db.execute(sql`insert into business_numbers (phone_number_id) values (${A}), (${B}) on conflict do nothing`);
    await db.execute(sql`insert into contacts (wa_id) select (4915100000000 + g)::text from generate_series(1, ${n}::int) g`);
  }

  /** What the tabs show, on every number and on each, next to counting the rows. */
  async function countsAndTruth(): Promise<{ kept: StatusCounts[]; counted: StatusCounts[] }> {
    const counted = async (phoneNumberId?: string) => {
      const rows = await queryRows<{ status: keyof StatusCounts; n: string | number }>(
        db,
        sql`select status, count(*) as n from conversations ${phoneNumberId ? sql`where phone_number_id = ${phoneNumberId}` : sql``} group by status`,
      );
      const counts: StatusCounts = { open: 0, pending: 0, resolved: 0, snoozed: 0 };
      for (const r of rows) counts[r.status] = Number(r.n);
      return counts;
    };
    return {
      kept: [await countConversationsByStatus(db), await countConversationsByStatus(db, { phoneNumberId: A })],
      counted: [await counted(), await counted(A)],
    };
  }
  async function expectExact(): Promise<void> {
    const { kept, counted } = await countsAndTruth();
    expect(kept).toEqual(counted);
  }

  it('equals counting the conversations through every writer, before and after compaction', async () => {
    await resetDatabase(database);
    await seedContacts(40);
    await expectExact();
    // New conversations, some of them resolved (history brought them), one already there.
    await db.transaction((tx) =>
      insertConversations(
        tx,
        Array.from({ length: 40 }, (_, i) => ({ phoneNumberId: i % 3 === 0 ? B : A, contactId: i + 1, resolved: i % 5 === 0 })),
      ),
    );
    await db.transaction((tx) => insertConversations(tx, [{ phoneNumberId: A, contactId: 2 }]));
    await expectExact();
    expect((await countConversationsByStatus(db)).open + (await countConversationsByStatus(db)).resolved).toBe(40);

    const ids = (await queryRows<{ id: string | number }>(db, sql`select id from conversations order by id`)).map((r) => Number(r.id));
    const past = new Date(Date.now() - 60_000);
    for (const [i, id] of ids.entries()) {
      if (i % 4 === 1) await setConversationStatus(db, id, { status: 'pending' });
      if (i % 4 === 2) await setConversationStatus(db, id, { status: 'resolved' });
      if (i % 4 === 3)
        await setConversationStatus(db, id, { status: 'snoozed', snoozedUntil: i % 8 === 3 ? past : new Date(Date.now() + 3_600_000) });
    }
    await setConversationStatus(db, ids[2]!, { status: 'resolved' }); // unchanged: nothing to count
    await expectExact();
    expect(await compactConversationStatusCounts(db)).toBeGreaterThan(0);
    await expectExact();

    // A customer writes in four of them (pending, resolved, snoozed, open), and messages of ours in others.
    const at = new Date().toISOString();
    await db.transaction((tx) =>
      bumpConversations(tx, [
        ...ids.slice(0, 4).map((id) => ({ id, at, messageId: 1, unread: 1, inboundAt: at })),
        ...ids.slice(4, 12).map((id) => ({ id, at, messageId: 2, unread: 0, inboundAt: null })),
      ]),
    );
    await expectExact();
    // Five snoozes ended; the customer's message opened one of them already.
    expect((await wakeDueSnoozes(db, 100)).length).toBe(4);
    await expectExact();
    // Moves that change nothing counted (the common update on every message).
    await db.execute(sql`update conversations set last_message_at = now(), unread_count = unread_count + 1`);
    await db.execute(sql`update conversations set status = status`);
    await expectExact();

    // Erasure deletes a customer's conversations.
    await db.transaction((tx) => deleteContactRows(tx, 1));
    await db.transaction((tx) => deleteContactRows(tx, 4));
    await expectExact();
    await compactConversationStatusCounts(db);
    await expectExact();
    // Compacted: one row per number and status at most.
    const [rows] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from conversation_status_counts`);
    expect(Number(rows!.n)).toBeLessThanOrEqual(8);
    expect(await compactConversationStatusCounts(db)).toBe(0);
  });

  it('starts from nothing again when conversations are truncated', async () => {
    await resetDatabase(database);
    await seedContacts(3);
    await db.transaction((tx) => insertConversations(tx, [{ phoneNumberId: A, contactId: 1 }]));
    await db.execute(sql`truncate conversations cascade`);
    expect(await countConversationsByStatus(db)).toEqual({ open: 0, pending: 0, resolved: 0, snoozed: 0 });
    await db.transaction((tx) => insertConversations(tx, [{ phoneNumberId: A, contactId: 2 }]));
    await expectExact();
  });

  it('reads the kept counts alone, never the conversations', async () => {
    for (const options of [{}, { phoneNumberId: A }]) {
      const plan = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain ${conversationCountsQuery(options)}`);
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('conversation_status_counts');
      expect(text).not.toMatch(/on conversations\b/);
    }
  });

  it.runIf(kind === 'postgres')('stays exact with writers and compaction running at once', async () => {
    await resetDatabase(database);
    await seedContacts(400);
    await db.transaction((tx) =>
      insertConversations(
        tx,
        Array.from({ length: 200 }, (_, i) => ({ phoneNumberId: i % 2 ? A : B, contactId: i + 1 })),
      ),
    );
    const ids = (await queryRows<{ id: string | number }>(db, sql`select id from conversations order by id`)).map((r) => Number(r.id));
    const statuses = ['open', 'pending', 'resolved'] as const;
    let stop = false;
    const compactor = (async () => {
      while (!stop) await compactConversationStatusCounts(db);
    })();
    // Four writers: each changes statuses in transactions of a few conversations, some create new ones.
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let round = 0; round < 40; round++) {
          await db.transaction(async (tx) => {
            // In id order, as one transaction of a few changes locks rows: no deadlock between writers.
            const some = [0, 1, 2].map((k) => ids[(w * 53 + round * 7 + k * 13) % ids.length]!).sort((a, b) => a - b);
            for (const [k, id] of some.entries()) await setConversationStatus(tx, id, { status: statuses[(w + round + k) % 3]! });
            if (round % 8 === 0) await insertConversations(tx, [{ phoneNumberId: A, contactId: 200 + w * 50 + round / 8 + 1 }]);
          });
        }
      }),
    );
    stop = true;
    await compactor;
    await expectExact();
  });
});
