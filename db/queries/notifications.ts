import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import { queryRows, type Executor } from '../client';
import { contacts, conversationActivity, conversations, mentions, messages, users } from '../schema';
import { hasUnread } from './assignment';
import { descNullsLast } from './conversations';

// What one agent is notified of, read from the conversations' own columns (assignee, unread count, the
// customer's latest message) and the mentions table: never a scan of the messages.

export async function getNotifyUnassigned(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db.select({ notifyUnassigned: users.notifyUnassigned }).from(users).where(eq(users.id, userId));
  return row?.notifyUnassigned ?? false;
}

export async function setNotifyUnassigned(db: Executor, userId: string, notifyUnassigned: boolean): Promise<void> {
  await db.update(users).set({ notifyUnassigned, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

/**
 * The conversations whose new messages concern the user: theirs, and the unassigned ones when they said so.
 * One condition each, queried apart: each is a range of conversations_unread_idx, where an OR of the two
 * would be read as a bitmap and every row visited.
 */
function concerning(userId: string, notifyUnassigned: boolean): SQL[] {
  const theirs = eq(conversations.assigneeId, userId);
  return notifyUnassigned ? [theirs, isNull(conversations.assigneeId)] : [theirs];
}

/** Their unread messages in all: the title's count. */
export async function countUnreadFor(db: Executor, userId: string, notifyUnassigned: boolean): Promise<number> {
  const sums = concerning(userId, notifyUnassigned).map(
    (whose) => sql`(select coalesce(sum(${conversations.unreadCount}), 0) from ${conversations} where ${and(whose, hasUnread)})`,
  );
  const [row] = await queryRows<{ unread: string | number }>(db, sql`select ${sql.join(sums, sql` + `)} as unread`);
  return Number(row?.unread ?? 0);
}

const latestInboundFirst = [sql`${conversations.lastInboundAt} desc nulls last`, descNullsLast(conversations.id)];

/** Those with unread messages, latest customer message first: the first `limit` of each kind, then of both. */
export async function listUnreadFor(db: Executor, userId: string, notifyUnassigned: boolean, limit: number) {
  const [first, second] = concerning(userId, notifyUnassigned).map((whose) =>
    db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(whose, hasUnread))
      .orderBy(...latestInboundFirst)
      .limit(limit),
  );
  const hits = (second === undefined ? first! : unionAll(first!, second)).as('hits');
  return db
    .select({
      id: conversations.id,
      contactName: sql<string | null>`coalesce(${contacts.name}, ${contacts.waId})`,
      unreadCount: conversations.unreadCount,
      lastInboundAt: conversations.lastInboundAt,
      preview: messages.text,
      assigneeId: conversations.assigneeId,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(messages, eq(messages.id, conversations.lastMessageId))
    .where(inArray(conversations.id, db.select({ id: hits.id }).from(hits)))
    .orderBy(...latestInboundFirst)
    .limit(limit);
}

/** Notes mentioning the user that they have not seen yet, newest first. */
export async function listUnseenMentions(db: Executor, userId: string, limit: number) {
  return db
    .select({
      activityId: mentions.activityId,
      conversationId: mentions.conversationId,
      contactName: sql<string | null>`coalesce(${contacts.name}, ${contacts.waId})`,
      byName: conversationActivity.actorName,
      text: sql<string>`coalesce(${conversationActivity.body}, '')`,
      createdAt: mentions.createdAt,
    })
    .from(mentions)
    .innerJoin(conversationActivity, eq(conversationActivity.id, mentions.activityId))
    .innerJoin(conversations, eq(conversations.id, mentions.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(mentions.userId, userId), isNull(mentions.seenAt)))
    .orderBy(desc(mentions.createdAt), desc(mentions.activityId))
    .limit(limit);
}

export async function countUnseenMentions(db: Executor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<string>`count(*)` })
    .from(mentions)
    .where(and(eq(mentions.userId, userId), isNull(mentions.seenAt)));
  return Number(row?.n ?? 0);
}
