import { createHash } from 'node:crypto';
import { findErasedWamids } from '@/db/queries/erase';
import type { Executor } from '@/db/client';

// Erased messages are remembered by the sha256 of their wamid, never the wamid itself (it spells the
// customer's number): a status Meta reports late, or a message delivered again, is dropped on arrival
// instead of bringing the customer back as a placeholder.

export const wamidHash = (wamid: string): string => createHash('sha256').update(wamid).digest('hex');

/** Which of `wamids` belong to erased messages (one lookup by primary key). */
export async function erasedOf(db: Executor, wamids: Iterable<string>): Promise<Set<string>> {
  const unique = [...new Set(wamids)];
  if (unique.length === 0) return new Set();
  const erased = await findErasedWamids(db, unique.map(wamidHash));
  return erased.size === 0 ? erased : new Set(unique.filter((w) => erased.has(wamidHash(w))));
}
