import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { apiKeys, users } from '../schema';

// API keys for integrators (lib/auth/api-keys.ts makes and checks them). Only a key's sha256 is stored.

export async function insertApiKey(
  db: Executor,
  key: { name: string; prefix: string; keyHash: Uint8Array; createdBy: string | null },
): Promise<{ id: number; createdAt: Date }> {
  const [row] = await db.insert(apiKeys).values(key).returning({ id: apiKeys.id, createdAt: apiKeys.createdAt });
  if (!row) throw new Error('api key insert returned nothing');
  return row;
}

export async function listApiKeys(db: Executor) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      createdBy: users.email,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .orderBy(desc(apiKeys.id));
}
export type ApiKeyListRow = Awaited<ReturnType<typeof listApiKeys>>[number];

/** Revokes a key; false when there is no such key (revoking twice is fine: the first time stays). */
export async function revokeApiKey(db: Executor, id: number): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** The unrevoked key with this hash, or null. */
export async function findLiveApiKey(
  db: Executor,
  keyHash: Uint8Array,
): Promise<{ id: number; name: string; lastUsedAt: Date | null } | null> {
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export async function markApiKeyUsed(db: Executor, id: number): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, id));
}

/** A key's name and whether it is revoked (the audit names what it revokes). */
export async function findApiKey(db: Executor, id: number): Promise<{ id: number; name: string; revokedAt: Date | null } | null> {
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, id));
  return row ?? null;
}
