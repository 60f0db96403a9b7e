import { and, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { conversations, inboxSettings, users } from '../schema';
import type { ConversationStatus } from './conversation-status';
import { effectiveAvailability, isOnline } from './agents';
import { recordActivity } from './activity';
import type { ActivityActor, PersonRef } from '@/lib/contracts/activity';
import { SYSTEM_ACTORS } from '@/lib/contracts/activity';
import type { Availability } from '@/lib/contracts/agents';
import type { InboxSettings } from '@/lib/contracts/assignment';

// Who works on a conversation: set by an agent or an API key, taken away when the assignee is
// deactivated, and given round robin by auto-assignment. Each writes the trail in its own transaction.

/** An active (not deactivated) user as the trail names them, or null. */
export async function findAssignableUser(db: Executor, id: string): Promise<PersonRef | null> {
  const [row] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.id, id), sql`${users.banned} is not true`));
  return row ?? null;
}

export type AssignmentResult = { found: false } | { found: true; changed: boolean };

/**
 * Assigns a conversation to `assignee` (null: unassigns it) and records it on the trail; nothing happens
 * when it already is. The row is locked first, so two agents assigning at once each record what they
 * replaced. Call inside a transaction.
 */
export async function setAssignee(
  tx: Executor,
  conversationId: number,
  assignee: PersonRef | null,
  actor: ActivityActor,
): Promise<AssignmentResult> {
  const [current] = await queryRows<{ assignee_id: string | null; assignee_name: string | null }>(
    tx,
    sql`select c.assignee_id, u.name as assignee_name from conversations c left join users u on u.id = c.assignee_id
        where c.id = ${conversationId} for update of c`,
  );
  if (!current) return { found: false };
  if (current.assignee_id === (assignee?.id ?? null)) return { found: true, changed: false };
  await tx
    .update(conversations)
    .set({ assigneeId: assignee?.id ?? null, assignedAt: assignee ? sql`now()` : null })
    .where(eq(conversations.id, conversationId));
  const previous = current.assignee_id === null ? null : { id: current.assignee_id, name: current.assignee_name ?? '' };
  if (assignee) await recordActivity(tx, conversationId, actor, { action: 'assigned', details: { assignee, previous } });
  else if (previous) await recordActivity(tx, conversationId, actor, { action: 'unassigned', details: { previous } });
  return { found: true, changed: true };
}

/**
 * Unassigns every conversation of `userId` that is not resolved (a resolved one keeps who handled it), with
 * an 'unassigned' entry each; the deactivation of that user calls it in its transaction. Their ids.
 */
export async function unassignUnresolvedConversationsOf(tx: Executor, userId: string, actor: ActivityActor): Promise<number[]> {
  const [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId));
  if (!user) return [];
  const rows = await tx
    .update(conversations)
    .set({ assigneeId: null, assignedAt: null })
    .where(and(eq(conversations.assigneeId, userId), ne(conversations.status, 'resolved')))
    .returning({ id: conversations.id });
  const ids = rows.map((r) => r.id);
  await recordActivity(tx, ids, actor, { action: 'unassigned', details: { previous: user } });
  return ids;
}

// ---- Views ----

/** Whose conversations a list or a count is about: one user's, or nobody's. */
export type AssigneeFilter = { userId: string } | { unassigned: true };

/**
 * Has unread messages: spelled as conversations_unread_idx's predicate, a literal rather than a parameter,
 * so that any plan of the query (a generic one too) may read that index.
 */
export const hasUnread = sql`${conversations.unreadCount} > 0`;

export function assigneeCondition(filter: AssigneeFilter): SQL {
  return 'unassigned' in filter ? isNull(conversations.assigneeId) : eq(conversations.assigneeId, filter.userId);
}

export interface UnreadByViewOptions {
  userId: string | null;
  status?: ConversationStatus;
  phoneNumberId?: string;
}

/** The statement of countUnreadByView (exported for EXPLAIN checks). */
export function unreadByViewQuery(options: UnreadByViewOptions): SQL {
  const base = and(
    hasUnread,
    options.status === undefined ? undefined : eq(conversations.status, options.status),
    options.phoneNumberId === undefined ? undefined : eq(conversations.phoneNumberId, options.phoneNumberId),
  );
  const count = (where: SQL | undefined) => sql`(select count(*)::int from ${conversations} where ${and(base, where)})`;
  const mine = options.userId === null ? sql`0` : count(eq(conversations.assigneeId, options.userId));
  return sql`select ${mine} as mine, ${count(isNull(conversations.assigneeId))} as unassigned, ${count(undefined)} as "all"`;
}

/**
 * Per view, how many conversations have unread messages (of one status, and on one number, when given).
 * Each subquery reads conversations_unread_idx alone (its assignee's range, or all of it): only the
 * conversations with unread messages are in it. `mine` is left out (0) for callers that are nobody (API keys).
 */
export async function countUnreadByView(
  db: Executor,
  options: UnreadByViewOptions,
): Promise<{ mine: number; unassigned: number; all: number }> {
  const [row] = await queryRows<{ mine: number; unassigned: number; all: number }>(db, unreadByViewQuery(options));
  return { mine: Number(row?.mine ?? 0), unassigned: Number(row?.unassigned ?? 0), all: Number(row?.all ?? 0) };
}

// ---- Availability and settings ----

/** Sets whether auto-assignment may count on a user; false when there is no such active user. */
export async function setAvailability(db: Executor, userId: string, availability: Availability): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ availability })
    .where(and(eq(users.id, userId), sql`${users.banned} is not true`))
    .returning({ id: users.id });
  return rows.length > 0;
}

/** A user's availability with their role's default filled in (agents available, admins away). */
export async function getAvailability(db: Executor, userId: string): Promise<Availability | null> {
  const [row] = await db.select({ availability: effectiveAvailability }).from(users).where(eq(users.id, userId));
  if (!row) return null;
  return row.availability === 'available' ? 'available' : 'away';
}

export async function getInboxSettings(db: Executor): Promise<InboxSettings> {
  const [row] = await db
    .select({ autoAssign: inboxSettings.autoAssign, autoAssignCap: inboxSettings.autoAssignCap })
    .from(inboxSettings)
    .where(eq(inboxSettings.id, 1));
  // The migration makes the row; its defaults stand in should it ever be missing.
  return row ?? { autoAssign: false, autoAssignCap: 10 };
}

/** Changes the settings (the row is locked, so the before and after an audit records are exact). */
export async function updateInboxSettings(
  tx: Executor,
  change: Partial<InboxSettings>,
): Promise<{ before: InboxSettings; after: InboxSettings }> {
  await tx.insert(inboxSettings).values({ id: 1 }).onConflictDoNothing();
  const [before] = await tx
    .select({ autoAssign: inboxSettings.autoAssign, autoAssignCap: inboxSettings.autoAssignCap })
    .from(inboxSettings)
    .where(eq(inboxSettings.id, 1))
    .for('update');
  const [after] = await tx
    .update(inboxSettings)
    .set({ ...change, updatedAt: sql`now()` })
    .where(eq(inboxSettings.id, 1))
    .returning({ autoAssign: inboxSettings.autoAssign, autoAssignCap: inboxSettings.autoAssignCap });
  return { before: before!, after: after! };
}

// ---- Auto-assignment ----

/**
 * The unassigned open conversations, longest waiting first (exported for EXPLAIN checks). The unassigned
 * index read backwards, so spelled as its exact reverse (nulls first on id too, or PostgreSQL sorts);
 * conversations without a message yet come first (rare).
 */
export function waitingForAssignment(db: Executor, limit: number) {
  return db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.status, 'open'), isNull(conversations.assigneeId)))
    .orderBy(sql`${conversations.lastMessageAt} asc nulls first`, sql`${conversations.id} asc nulls first`)
    .limit(limit);
}

/** Fixed, arbitrary: every instance takes this transaction advisory lock around a pass. */
const AUTO_ASSIGN_LOCK = 7_413_020_613;

export interface AutoAssignment {
  conversationId: number;
  assignee: PersonRef;
}

/**
 * One pass of auto-assignment, inside `tx`: up to `limit` unassigned open conversations, longest waiting
 * first, go round robin to the active, online, available users below the cap, whoever was auto-assigned
 * longest ago first. Passes on every instance take one advisory lock for the transaction, so they run one
 * after another and each counts what the one before assigned: no conversation is assigned twice and the
 * cap holds. An agent assigning by hand meanwhile wins (the update re-checks that it is unassigned).
 */
export async function autoAssignPass(tx: Executor, limit: number): Promise<AutoAssignment[]> {
  const settings = await getInboxSettings(tx);
  if (!settings.autoAssign) return [];
  await tx.execute(sql`select pg_advisory_xact_lock(${AUTO_ASSIGN_LOCK})`);
  const waiting = await waitingForAssignment(tx, limit);
  if (waiting.length === 0) return [];
  // Spelled out: inside select() drizzle leaves columns unqualified, and "id" would be the conversation's.
  const openCount = sql<number>`(select count(*)::int from conversations c where c.assignee_id = "users"."id" and c.status = 'open')`;
  const agents = await tx
    .select({ id: users.id, name: users.name, open: openCount })
    .from(users)
    .where(and(sql`${users.banned} is not true`, isOnline, sql`${effectiveAvailability} = 'available'`))
    .orderBy(sql`${users.lastAutoAssignedAt} asc nulls first`, users.id);
  // A queue in round-robin order; whoever reaches the cap leaves it.
  const queue = agents.map((a) => ({ ...a, open: Number(a.open) })).filter((a) => a.open < settings.autoAssignCap);
  const made: AutoAssignment[] = [];
  for (const { id } of waiting) {
    const agent = queue.shift();
    if (!agent) break;
    const assigned = await tx
      .update(conversations)
      .set({ assigneeId: agent.id, assignedAt: sql`now()` })
      .where(and(eq(conversations.id, id), eq(conversations.status, 'open'), isNull(conversations.assigneeId)))
      .returning({ id: conversations.id });
    if (assigned.length === 0) {
      queue.unshift(agent);
      continue;
    }
    const assignee = { id: agent.id, name: agent.name };
    // clock_timestamp, not now(): the order of this pass's turns carries over to the next pass.
    await tx.update(users).set({ lastAutoAssignedAt: sql`clock_timestamp()` }).where(eq(users.id, agent.id));
    await recordActivity(tx, id, SYSTEM_ACTORS.autoAssignment, { action: 'assigned', details: { assignee, previous: null } });
    made.push({ conversationId: id, assignee });
    agent.open++;
    if (agent.open < settings.autoAssignCap) queue.push(agent);
  }
  return made;
}
