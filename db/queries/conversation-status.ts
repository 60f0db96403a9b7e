import { and, eq, sql } from 'drizzle-orm';
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

export type StatusCounts = Record<ConversationStatus, number>;

/**
 * How many conversations have each status, on every number or one: one statement, read from the status
 * indexes alone (an index-only scan) once the table is vacuumed.
 */
export async function countConversationsByStatus(db: Executor, options: { phoneNumberId?: string } = {}): Promise<StatusCounts> {
  const count = (status: ConversationStatus) => sql<number>`count(*) filter (where ${conversations.status} = ${status})::int`;
  const [row] = await db
    .select({ open: count('open'), pending: count('pending'), resolved: count('resolved'), snoozed: count('snoozed') })
    .from(conversations)
    .where(and(options.phoneNumberId === undefined ? undefined : eq(conversations.phoneNumberId, options.phoneNumberId)));
  return { open: row?.open ?? 0, pending: row?.pending ?? 0, resolved: row?.resolved ?? 0, snoozed: row?.snoozed ?? 0 };
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
