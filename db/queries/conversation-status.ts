import { eq, sql, type SQL } from 'drizzle-orm';
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
 * How many conversations have each status, on every number or one: the sum of the changes triggers append
 * to conversation_status_counts (migration 0018), a few rows per key since the last compaction, however
 * many conversations there are. Exact and transactional: a change is counted in the statement that makes it.
 */
export async function countConversationsByStatus(db: Executor, options: { phoneNumberId?: string } = {}): Promise<StatusCounts> {
  const rows = await queryRows<{ status: ConversationStatus; count: string | number }>(db, conversationCountsQuery(options));
  const counts: StatusCounts = { open: 0, pending: 0, resolved: 0, snoozed: 0 };
  for (const r of rows) counts[r.status] = Number(r.count);
  return counts;
}

/** The statement of countConversationsByStatus (exported for EXPLAIN checks). */
export function conversationCountsQuery(options: { phoneNumberId?: string }): SQL {
  const number = options.phoneNumberId === undefined ? sql`` : sql`where phone_number_id = ${options.phoneNumberId}`;
  return sql`select status, sum(delta) as count from conversation_status_counts ${number} group by status`;
}

/**
 * Folds the appended changes into one row per number and status, in one statement: the rows it deletes are
 * summed into the rows it inserts, so a count read at any moment is the same before and after. Changes
 * appended meanwhile are left for the next time (they are not in the statement's snapshot). Returns how
 * many rows it folded (0: nothing to do).
 */
export async function compactConversationStatusCounts(db: Executor): Promise<number> {
  const [row] = await queryRows<{ folded: string | number }>(
    db,
    sql`with folded as (
          delete from conversation_status_counts
          where (phone_number_id, status) in (
            select phone_number_id, status from conversation_status_counts group by 1, 2 having count(*) > 1)
          returning phone_number_id, status, delta
        ), summed as (
          insert into conversation_status_counts (phone_number_id, status, delta)
          select phone_number_id, status, sum(delta) from folded group by 1, 2 having sum(delta) <> 0
        )
        select count(*) as folded from folded`,
  );
  return Number(row?.folded ?? 0);
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
