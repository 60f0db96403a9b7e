import { expect } from 'vitest';
import type { Database } from '@/db/client';
import { CHANGES_CHANNEL, decodeChange } from '@/lib/realtime/changes';

/**
 * The change notices `database` delivers while `run` runs, as the conversations each named; waits until
 * at least `expectedAtLeast` have arrived (notices come after commit, asynchronously).
 */
export async function noticesDuring(database: Database, run: () => Promise<unknown>, expectedAtLeast: number): Promise<number[][]> {
  const notices: number[][] = [];
  const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => {
    const change = decodeChange(payload);
    if (change) notices.push(change.conversations);
  });
  try {
    await run();
    await expect.poll(() => notices.length, { timeout: 5000 }).toBeGreaterThanOrEqual(expectedAtLeast);
    return notices;
  } finally {
    await unlisten();
  }
}
