import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '@/db/client';
import { findLiveApiKey, insertApiKey, markApiKeyUsed } from '@/db/queries/api-keys';

export { listApiKeys, revokeApiKey, type ApiKeyListRow } from '@/db/queries/api-keys';

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

export async function createApiKey(db: Executor, name: string, createdBy: string | null): Promise<CreatedApiKey> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const prefix = key.slice(0, SHOWN_CHARS);
  const row = await insertApiKey(db, { name, prefix, keyHash: hashKey(key), createdBy });
  return { id: row.id, name, key, prefix, createdAt: row.createdAt };
}

/** The live key with this secret, or null (unknown or revoked). */
export async function findActiveApiKey(db: Executor, key: string): Promise<{ id: number; name: string } | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const row = await findLiveApiKey(db, hashKey(key));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Not awaited: a slow write must not slow the request it describes.
    markApiKeyUsed(db, row.id).catch(() => {});
  }
  return { id: row.id, name: row.name };
}
