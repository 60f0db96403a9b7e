import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { cursorTimestamp, jsonb, queryRows, type Executor } from '../client';
import { conversationActivity, conversations, mentions, users } from '../schema';
import type { ActivityActor, ActivityEntry } from '@/lib/contracts/activity';

// A conversation's trail: written in the transaction of the action it records, so an action and its
// entry commit together or not at all.

/** Records `entry` on each of `conversationIds` (one statement), as done by `actor` now. */
export async function recordActivity(
  db: Executor,
  conversationIds: number | readonly number[],
  actor: ActivityActor,
  entry: ActivityEntry,
): Promise<number[]> {
  const ids = typeof conversationIds === 'number' ? [conversationIds] : conversationIds;
  if (ids.length === 0) return [];
  // Written as SQL rather than with drizzle's insert builder, which took 90 µs of CPU to build the
  // statement: every posted message records one (bench:send).
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`insert into conversation_activity (conversation_id, actor_kind, actor_user_id, actor_name, action, body, details)
        select c::bigint, ${actor.kind}::text, ${actor.kind === 'user' ? actor.userId : null}::text, ${actor.name}::text,
          ${entry.action}::text, ${entry.action === 'note' ? entry.body : null}::text, ${jsonb(entry.details ?? {})}
        from jsonb_array_elements_text(${jsonb(ids)}) as x(c)
        returning id`,
  );
  return rows.map((r) => Number(r.id));
}

export interface ActivityRecord {
  id: number;
  at: Date;
  /** cursorTimestamp of `at`: the page's key. */
  sortAt: string;
  actorKind: 'user' | 'api-key' | 'system';
  actorUserId: string | null;
  actorName: string;
  action: string;
  body: string | null;
  details: unknown;
}

export interface ActivityKey {
  at: string;
  id: number;
}

const activityColumns = {
  id: conversationActivity.id,
  at: conversationActivity.at,
  sortAt: cursorTimestamp<string>(conversationActivity.at),
  actorKind: conversationActivity.actorKind,
  actorUserId: conversationActivity.actorUserId,
  actorName: conversationActivity.actorName,
  action: conversationActivity.action,
  body: conversationActivity.body,
  details: conversationActivity.details,
};

/** A conversation's trail, newest first, `limit` entries before `before` (its index walked backwards). */
export async function listActivity(
  db: Executor,
  conversationId: number,
  options: { limit: number; before?: ActivityKey },
): Promise<{ rows: ActivityRecord[]; hasMore: boolean }> {
  const { before } = options;
  const rows = await db
    .select(activityColumns)
    .from(conversationActivity)
    .where(
      and(
        eq(conversationActivity.conversationId, conversationId),
        before && sql`(${conversationActivity.at}, ${conversationActivity.id}) < (${before.at}::timestamptz, ${before.id})`,
      ),
    )
    .orderBy(desc(conversationActivity.at), desc(conversationActivity.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export const activityKeyOf = (row: ActivityRecord): ActivityKey => ({ at: row.sortAt, id: row.id });

/** One entry, as listActivity shows it. */
export async function getActivity(db: Executor, id: number): Promise<ActivityRecord | null> {
  const [row] = await db.select(activityColumns).from(conversationActivity).where(eq(conversationActivity.id, id));
  return row ?? null;
}

/** Whether the conversation exists (a note on none is a 404, not a foreign-key error). */
export async function conversationExists(db: Executor, conversationId: number): Promise<boolean> {
  const [row] = await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversationId));
  return row !== undefined;
}

/** Everyone who can sign in, by id and name: whom a note can mention. */
export async function listActivePeople(db: Executor): Promise<{ id: string; name: string }[]> {
  return db.select({ id: users.id, name: users.name }).from(users).where(sql`${users.banned} is not true`);
}

/** A mention row per person a note mentions: their notifications until they have seen it. */
export async function insertMentions(db: Executor, activityId: number, conversationId: number, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insert(mentions)
    .values(userIds.map((userId) => ({ activityId, conversationId, userId })))
    .onConflictDoNothing();
}

/** The mentions of these notes (tests, and whoever shows them). */
export async function mentionsOf(db: Executor, activityIds: readonly number[]) {
  if (activityIds.length === 0) return [];
  return db
    .select()
    .from(mentions)
    .where(inArray(mentions.activityId, [...activityIds]));
}

/** The notes of these conversations, oldest first (an export). */
export async function listNotes(
  db: Executor,
  conversationIds: readonly number[],
): Promise<(ActivityRecord & { conversationId: number })[]> {
  if (conversationIds.length === 0) return [];
  return db
    .select({ ...activityColumns, conversationId: conversationActivity.conversationId })
    .from(conversationActivity)
    .where(and(inArray(conversationActivity.conversationId, [...conversationIds]), eq(conversationActivity.action, 'note')))
    .orderBy(conversationActivity.at, conversationActivity.id);
}
