import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, users } from '@/db/schema';

// API keys for integrators. The key is shown once at creation; only its sha256 is stored, so a
// leaked database does not leak usable keys. Looking a key up by its hash needs no constant-time
// compare: timing can only reveal hashes, not keys.

const KEY_PREFIX = 'ticks_';
/** Characters of the key kept in clear to tell keys apart ("ticks_Ab3x…"). */
const SHOWN_CHARS = KEY_PREFIX.length + 6;
/** last_used_at is a hint, not an audit log: write it at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export interface CreatedApiKey {
  id: number;
  name: string;
  /** The whole key: returned this once, never stored. */
  key: string;
  prefix: string;
  createdAt: Date;
}

export async function createApiKey(db: Db, name: string, createdBy: string | null): Promise<CreatedApiKey> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const prefix = key.slice(0, SHOWN_CHARS);
  const [row] = await db
    .insert(apiKeys)
    .values({ name, prefix, keyHash: hashKey(key), createdBy })
    .returning({ id: apiKeys.id, createdAt: apiKeys.createdAt });
  if (!row) throw new Error('api key insert returned nothing');
  return { id: row.id, name, key, prefix, createdAt: row.createdAt };
}

export async function listApiKeys(db: Db) {
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

/** Revokes a key; false when there is no such key (revoking twice is fine). */
export async function revokeApiKey(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** The live key with this secret, or null (unknown or revoked). */
export async function findActiveApiKey(db: Db, key: string): Promise<{ id: number; name: string } | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashKey(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Not awaited: a slow write must not slow the request it describes.
    db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id)).catch(() => {});
  }
  return { id: row.id, name: row.name };
}
