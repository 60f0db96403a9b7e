import { and, asc, count, eq, max, ne, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { accounts, sessions, users } from '../schema';

// People who sign in. "Deactivated" is better-auth's `banned`: they cannot sign in, and their
// sessions are deleted in the same transaction, so every open browser of theirs is out at once.

/** Everyone, oldest first; or just the user `id` (an empty list when there is none). */
export async function listUsers(db: Executor, only?: { id: string }) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      banned: users.banned,
      createdAt: users.createdAt,
      lastSeenAt: max(sessions.updatedAt),
    })
    .from(users)
    .leftJoin(sessions, eq(sessions.userId, users.id))
    .where(only && eq(users.id, only.id))
    .groupBy(users.id)
    .orderBy(asc(users.createdAt), asc(users.id));
}
export type UserListRow = Awaited<ReturnType<typeof listUsers>>[number];

export async function getUser(db: Executor, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

/** Whether anyone can sign in yet (the first admin is created when nobody can). */
export async function hasAnyUser(db: Executor): Promise<boolean> {
  const [anyone] = await db.select({ id: users.id }).from(users).limit(1);
  return anyone !== undefined;
}

export async function findUserIdByEmail(db: Executor, email: string): Promise<string | null> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row?.id ?? null;
}

/** Whether the user with this email (as stored: lower case) is deactivated; false for nobody. */
export async function isDeactivated(db: Executor, email: string): Promise<boolean> {
  const [row] = await db.select({ banned: users.banned }).from(users).where(eq(users.email, email));
  return row?.banned === true;
}

/** Active admins other than `exceptId`: the last one may not be demoted or deactivated. */
export async function countOtherActiveAdmins(db: Executor, exceptId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), sql`${users.banned} is not true`, ne(users.id, exceptId)));
  return Number(row?.n ?? 0);
}

export async function setUserRole(db: Executor, id: string, role: string): Promise<void> {
  await db.update(users).set({ role, updatedAt: sql`now()` }).where(eq(users.id, id));
}

export async function setUserName(db: Executor, id: string, name: string): Promise<void> {
  await db.update(users).set({ name, updatedAt: sql`now()` }).where(eq(users.id, id));
}

/**
 * A new password hash, and every session of the user ends: whoever knew the old password is out.
 * `keepSessionId` spares one (the browser of an admin changing their own password).
 */
export async function setUserPassword(db: Executor, id: string, hash: string, options: { keepSessionId: string | null }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ password: hash })
      .where(and(eq(accounts.userId, id), eq(accounts.providerId, 'credential')));
    const keep = options.keepSessionId;
    await tx.delete(sessions).where(keep === null ? eq(sessions.userId, id) : and(eq(sessions.userId, id), ne(sessions.id, keep)));
  });
}

/**
 * Deactivates (and signs out everywhere) or reactivates a user. `onDeactivate` runs in the same
 * transaction when deactivating (their conversations are unassigned with it).
 */
export async function setUserActive(
  db: Executor,
  id: string,
  active: boolean,
  onDeactivate?: (tx: Executor) => Promise<void>,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ banned: !active, banReason: active ? null : 'Deactivated by an admin', updatedAt: sql`now()` })
      .where(eq(users.id, id));
    if (!active) await tx.delete(sessions).where(eq(sessions.userId, id));
    if (!active) await onDeactivate?.(tx);
  });
}
