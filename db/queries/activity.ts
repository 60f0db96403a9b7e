import type { Executor } from '../client';
import { conversationActivity } from '../schema';
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
  const rows = await db
    .insert(conversationActivity)
    .values(
      ids.map((conversationId) => ({
        conversationId,
        actorKind: actor.kind,
        actorUserId: actor.kind === 'user' ? actor.userId : null,
        actorName: actor.name,
        action: entry.action,
        body: entry.action === 'note' ? entry.body : null,
        details: entry.details,
      })),
    )
    .returning({ id: conversationActivity.id });
  return rows.map((r) => r.id);
}
