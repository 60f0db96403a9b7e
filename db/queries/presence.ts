import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { conversations, mentions, presence, users } from '../schema';
import { TYPING_WITHIN_SECONDS, VIEWING_WITHIN_SECONDS } from '@/lib/contracts/presence';

// Who has which conversation open, per browser tab: each beat upserts the tab's row; readers count only
// recent rows, so a tab that vanished drops out by itself and nothing needs to clean up on time.

export interface Beat {
  clientId: string;
  userId: string;
  sessionId: string | null;
  conversationId: number | null;
  typing: boolean;
}

/** What others see of one tab: the conversation it shows (while it beats) and whether it types there. */
interface Seen {
  conversationId: number | null;
  typing: boolean;
}

const viewing = sql<boolean>`${presence.seenAt} > now() - make_interval(secs => ${VIEWING_WITHIN_SECONDS})`;
const typingNow = sql<boolean>`coalesce(${presence.typingAt} > now() - make_interval(secs => ${TYPING_WITHIN_SECONDS}), false)`;

/**
 * Records a tab's beat and answers the conversations whose viewers changed for everyone else (a tab came
 * or went, started or stopped typing): empty for a beat that only keeps things as they were. Run it in a
 * transaction: it reads the tab's row before writing it. A client id of another user's is left alone.
 */
export async function recordBeat(tx: Executor, beat: Beat): Promise<{ changed: number[]; isNewTab: boolean }> {
  const [before] = await tx
    .select({ userId: presence.userId, conversationId: presence.conversationId, viewing, typing: typingNow })
    .from(presence)
    .where(eq(presence.clientId, beat.clientId))
    .for('update');
  if (before && before.userId !== beat.userId) return { changed: [], isNewTab: false };
  await tx
    .insert(presence)
    .values({
      clientId: beat.clientId,
      userId: beat.userId,
      sessionId: beat.sessionId,
      conversationId: beat.conversationId,
      typingAt: beat.typing ? sql`now()` : null,
      seenAt: sql`now()`,
    })
    .onConflictDoUpdate({
      target: presence.clientId,
      set: {
        sessionId: beat.sessionId,
        conversationId: beat.conversationId,
        typingAt: beat.typing ? sql`now()` : null,
        seenAt: sql`now()`,
      },
    });
  const was: Seen = before?.viewing
    ? { conversationId: before.conversationId, typing: before.typing }
    : { conversationId: null, typing: false };
  return { changed: changedConversations(was, { conversationId: beat.conversationId, typing: beat.typing }), isNewTab: !before };
}

/** The conversations whose viewers look different once a tab goes from `was` to `now`. */
function changedConversations(was: Seen, now: Seen): number[] {
  if (was.conversationId === now.conversationId) {
    return now.conversationId !== null && was.typing !== now.typing ? [now.conversationId] : [];
  }
  return [was.conversationId, now.conversationId].filter((id): id is number => id !== null);
}

/** A tab closing: its row goes, and the conversation it was visibly showing, if any, has one viewer fewer. */
export async function removeTab(tx: Executor, clientId: string, userId: string): Promise<number[]> {
  const gone = await tx
    .delete(presence)
    .where(and(eq(presence.clientId, clientId), eq(presence.userId, userId)))
    .returning({ conversationId: presence.conversationId, viewing });
  return gone.flatMap((g) => (g.viewing && g.conversationId !== null ? [g.conversationId] : []));
}

/** Rows of tabs that stopped beating long ago (readers already ignore them after a minute). */
export async function purgeStalePresence(db: Executor): Promise<void> {
  await db.delete(presence).where(lt(presence.seenAt, sql`now() - interval '1 day'`));
}

/** Whether the conversation exists (a beat may only name one that does). */
export async function conversationExists(db: Executor, id: number): Promise<boolean> {
  const [row] = await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, id));
  return row !== undefined;
}

/** Everyone but `exceptUserId` with the conversation open now, one row per person, by name. */
export async function listViewers(db: Executor, conversationId: number, exceptUserId: string) {
  return db
    .select({ id: users.id, name: users.name, typing: sql<boolean>`bool_or(${typingNow})` })
    .from(presence)
    .innerJoin(users, eq(users.id, presence.userId))
    .where(and(eq(presence.conversationId, conversationId), viewing, sql`${presence.userId} <> ${exceptUserId}`))
    .groupBy(users.id, users.name)
    .orderBy(asc(sql`lower(${users.name})`), asc(users.id));
}

/** Opening a conversation is seeing the notes that mention you there: whether any were unseen. */
export async function markMentionsSeen(tx: Executor, userId: string, conversationId: number): Promise<boolean> {
  const marked = await tx
    .update(mentions)
    .set({ seenAt: sql`now()` })
    .where(and(eq(mentions.userId, userId), eq(mentions.conversationId, conversationId), isNull(mentions.seenAt)))
    .returning({ activityId: mentions.activityId });
  return marked.length > 0;
}
