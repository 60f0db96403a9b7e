import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql, type Database, type Executor } from '@/db/client';
import { failedDeliveriesQuery } from '@/db/queries/error-log';
import { reconcileStatuses } from '@/db/writes/messages';
import { insertStatusEvents } from '@/db/writes/status-events';
import { DELIVERY_ORDER, deliveryRank, READ_STATUSES } from '@/lib/whatsapp/status';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// A status moves a message in place (a HOT update) when no indexed column changes and its page has room.
// Otherwise the new version of the row needs an entry in every index of messages, the trigrams of its
// text included, for each of sent, delivered and read (migration 0019). Counted here with PostgreSQL's
// own per-transaction counters, on pages filled by many messages, as on a live install. The room is a
// tenth of each page (fillfactor 90): a version or two of a message, so statuses of many messages on one
// page in one batch still move some of them out (bench:process: 53% of its status updates are HOT).

const MESSAGES = 2_000;
const MOVED = MESSAGES / 10;
const NUMBER = '1090000002';
const TEXT = 'Your order is on its way and should arrive on Thursday between nine and twelve. '.repeat(4);

describe.each(dbKinds)('status updates on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
    const { db } = database;
    await db.execute(sql`insert into business_numbers (phone_number_id) values (${NUMBER})`);
    await db.execute(sql`insert into contacts (wa_id) select '49152' || lpad(g::text, 8, '0') from generate_series(1, 50) g`);
    await db.execute(sql`insert into conversations (phone_number_id, contact_id) select ${NUMBER}, id from contacts`);
    await db.execute(sql`insert into messages (conversation_id, direction, type, text, sent_at, status, status_rank, status_at, wamid, content)
      select c.id, 'outbound', 'text', ${TEXT} || g, now(), 'sent', ${deliveryRank('sent')}, now(), 'wamid.hot.' || g,
        jsonb_build_object('v', 1, 'type', 'text', 'body', ${TEXT} || g)
      from generate_series(1, ${MESSAGES}::int) g join conversations c on c.id = (select min(id) from conversations) + g % 50`);
  }, 120_000);
  afterAll(async () => {
    await test?.drop();
  });

  /**
   * Records `status` for MOVED messages as the processor does, and counts the updates it made. One message
   * in ten: each on a page of its own (about nine fit a page), as statuses of messages sent apart arrive.
   */
  async function move(status: string, errors: unknown[] = []) {
    return database.db.transaction(async (tx) => {
      const before = await updateCounts(tx);
      const wamids = Array.from({ length: MOVED }, (_, i) => `wamid.hot.${i * 10 + 1}`);
      await insertStatusEvents(
        tx,
        wamids.map((wamid) => ({
          wamid,
          status,
          occurredAt: new Date(),
          recipientId: null,
          recipientUserId: null,
          errors,
          pricing: null,
          conversation: null,
          raw: { id: wamid, status },
          eventId: 1,
          phoneNumberId: NUMBER,
          errorCode: null,
        })),
        { delivery: DELIVERY_ORDER, read: READ_STATUSES },
      );
      const changed = await reconcileStatuses(tx, wamids, DELIVERY_ORDER);
      const after = await updateCounts(tx);
      return { changed: changed.length, updated: after.updated - before.updated, hot: after.hot - before.hot };
    });
  }

  /** The transaction's updates of messages so far (PGlite's counters also hold earlier transactions'). */
  async function updateCounts(tx: Executor) {
    const [counts] = await queryRows<{ updated: number; hot: number }>(
      tx,
      sql`select pg_stat_get_xact_tuples_updated('messages'::regclass)::int as updated,
        pg_stat_get_xact_tuples_hot_updated('messages'::regclass)::int as hot`,
    );
    return counts!;
  }

  it('moves messages from sent to delivered in place, their pages keeping room for them', async () => {
    expect(await move('delivered')).toEqual({ changed: MOVED, updated: MOVED, hot: MOVED });
    // The next one finds room again once the page is pruned of the old version, which waits until no
    // snapshot anywhere may still see it: in place or not depends on what else runs, so it is not counted.
    expect(await move('read')).toMatchObject({ changed: MOVED, updated: MOVED });
  });

  it('still lists a message that fails in the error log, newest first', async () => {
    const failed = await move('failed', [{ code: 131047, title: 'Re-engagement message' }]);
    expect(failed.changed).toBe(MOVED);
    const page = await failedDeliveriesQuery(database.db, { limit: 5, code: 131047 });
    expect(page).toHaveLength(5);
    expect(page.every((row) => row.statusAt !== null && row.wamid?.startsWith('wamid.hot.'))).toBe(true);
    const [count] = await queryRows<{ failed: number }>(
      database.db,
      sql`select count(*)::int as failed from messages where failed_at is not null`,
    );
    expect(count!.failed).toBe(MOVED);
  });
});
