import { and, eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { conversations, type ConversationRow } from '../schema';

// A conversation's status: set by an agent or an API key, counted per status for the inbox's tabs, and
// snoozes that ended opened again by the snooze waker. A customer's new message opens it again too, in
// the statement that stores the message (db/writes/conversations.ts bumpConversations).

export type ConversationStatus = ConversationRow['status'];

export type StatusChange = { status: Exclude<ConversationStatus, 'snoozed'> } | { status: 'snoozed'; snoozedUntil: Date };

/**
 * Sets a conversation's status (and when a snooze ends, only while snoozed). status_changed_at moves only
 * when the status does: snoozing a snoozed conversation again changes its time, not when it was snoozed.
 * Null when there is no such conversation.
 */
export async function setConversationStatus(
  db: Executor,
  id: number,
  change: StatusChange,
): Promise<{ id: number; status: ConversationStatus; snoozedUntil: Date | null } | null> {
  const [row] = await db
    .update(conversations)
    .set({
      status: change.status,
      snoozedUntil: change.status === 'snoozed' ? change.snoozedUntil : null,
      statusChangedAt: sql`case when ${conversations.status} = ${change.status} then ${conversations.statusChangedAt} else now() end`,
    })
    .where(eq(conversations.id, id))
    .returning({ id: conversations.id, status: conversations.status, snoozedUntil: conversations.snoozedUntil });
  return row ?? null;
}

/** The status as it is, with the row locked until the transaction ends (for the trail: what it was before). */
export async function lockConversationStatus(
  db: Executor,
  id: number,
): Promise<{ status: ConversationStatus; snoozedUntil: Date | null } | null> {
  const [row] = await db
    .select({ status: conversations.status, snoozedUntil: conversations.snoozedUntil })
    .from(conversations)
    .where(eq(conversations.id, id))
    .for('update');
  return row ?? null;
}

export type StatusCounts = Record<ConversationStatus, number>;

/**
 * How many conversations have each status, on every number or one: one statement, each status counted
 * from an index alone (conversations_status_idx, or the number's status index): an index-only scan of
 * that status's entries once the table is vacuumed. It reads every entry, so it grows with the table
 * (about 10 ms per 100,000 conversations); a count kept up to date would not.
 */
export async function countConversationsByStatus(db: Executor, options: { phoneNumberId?: string } = {}): Promise<StatusCounts> {
  const [row] = await queryRows<StatusCounts>(db, conversationCountsQuery(options));
  return {
    open: Number(row?.open ?? 0),
    pending: Number(row?.pending ?? 0),
    resolved: Number(row?.resolved ?? 0),
    snoozed: Number(row?.snoozed ?? 0),
  };
}

/** The statement of countConversationsByStatus (exported for EXPLAIN checks). */
export function conversationCountsQuery(options: { phoneNumberId?: string }): SQL {
  const number = options.phoneNumberId === undefined ? undefined : eq(conversations.phoneNumberId, options.phoneNumberId);
  // A subquery per status rather than count(*) filter (...) over the whole table: each reads only its own
  // index range, and no row is tested four times.
  const count = (status: ConversationStatus) =>
    sql`(select count(*)::int from ${conversations} where ${and(eq(conversations.status, status), number)})`;
  return sql`select ${count('open')} as open, ${count('pending')} as pending, ${count('resolved')} as resolved, ${count('snoozed')} as snoozed`;
}

/**
 * Opens up to `limit` conversations whose snooze has ended, and returns their ids. Every instance runs
 * it: FOR UPDATE SKIP LOCKED leaves rows another instance is opening to it, and a row that instance
 * opened meanwhile no longer matches once locked (PostgreSQL checks the WHERE again on the newest
 * version), so each snooze ends exactly once.
 */
export async function wakeDueSnoozes(db: Executor, limit: number): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`update conversations c set status = 'open', snoozed_until = null, status_changed_at = now()
        where c.id in (
          select id from conversations
          where status = 'snoozed' and snoozed_until <= now()
          order by snoozed_until
          limit ${limit}
          for update skip locked)
        and c.status = 'snoozed' and c.snoozed_until <= now()
        returning c.id`,
  );
  return rows.map((r) => Number(r.id));
}
