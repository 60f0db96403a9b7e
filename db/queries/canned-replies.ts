import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { cannedReplies } from '../schema';
import { isUniqueViolation } from './labels';

// Canned replies: shared ones have no owner (admins manage them), personal ones belong to one user. A
// shortcut is unique among the shared ones and among each user's own, whatever its case
// (canned_replies_owner_shortcut_key); a personal reply may share a shared one's shortcut.

export interface CannedReply {
  id: number;
  /** null: shared. */
  ownerUserId: string | null;
  shortcut: string;
  body: string;
}

const columns = {
  id: cannedReplies.id,
  ownerUserId: cannedReplies.ownerUserId,
  shortcut: cannedReplies.shortcut,
  body: cannedReplies.body,
};

/** The shared replies and, for a user, their own; by shortcut as people read it (case aside), shared first on a tie. */
export async function listCannedReplies(db: Executor, ownerUserId: string | null): Promise<CannedReply[]> {
  const visible =
    ownerUserId === null
      ? isNull(cannedReplies.ownerUserId)
      : or(isNull(cannedReplies.ownerUserId), eq(cannedReplies.ownerUserId, ownerUserId));
  return db
    .select(columns)
    .from(cannedReplies)
    .where(visible)
    .orderBy(asc(sql`lower(${cannedReplies.shortcut})`), sql`${cannedReplies.ownerUserId} nulls first`, asc(cannedReplies.id));
}

export async function findCannedReply(db: Executor, id: number): Promise<CannedReply | null> {
  const [row] = await db.select(columns).from(cannedReplies).where(eq(cannedReplies.id, id));
  return row ?? null;
}

/** A new reply, or 'duplicate' when its scope has the shortcut already (whatever the case). */
export async function createCannedReply(
  db: Executor,
  input: { ownerUserId: string | null; shortcut: string; body: string },
): Promise<CannedReply | 'duplicate'> {
  const [row] = await db.insert(cannedReplies).values(input).onConflictDoNothing().returning(columns);
  return row ?? 'duplicate';
}

/** Changes a reply's shortcut or body: null when there is none, 'duplicate' when its scope has the shortcut. */
export async function updateCannedReply(
  db: Executor,
  id: number,
  patch: { shortcut?: string; body?: string },
): Promise<CannedReply | 'duplicate' | null> {
  // Not when another reply of the same scope has the new shortcut: the update then changes nothing
  // (rather than failing, which would end the caller's transaction).
  const shortcutFree =
    patch.shortcut === undefined
      ? undefined
      : sql`not exists (select 1 from ${cannedReplies} as other where coalesce(other.owner_user_id, '') = coalesce(${cannedReplies.ownerUserId}, '')
          and lower(other.shortcut) = lower(${patch.shortcut}) and other.id <> ${cannedReplies.id})`;
  try {
    const [row] = await db
      .update(cannedReplies)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(and(eq(cannedReplies.id, id), shortcutFree))
      .returning(columns);
    if (row) return row;
    return (await findCannedReply(db, id)) ? 'duplicate' : null;
  } catch (err) {
    // Another request took the shortcut between the check and the write.
    if (isUniqueViolation(err)) return 'duplicate';
    throw err;
  }
}

/** Deletes a reply; false when there was none. */
export async function deleteCannedReply(db: Executor, id: number): Promise<boolean> {
  const rows = await db.delete(cannedReplies).where(eq(cannedReplies.id, id)).returning({ id: cannedReplies.id });
  return rows.length > 0;
}
