import { describe, expect, it } from 'vitest';
import { GroupCommit } from '@/lib/jobs/group-commit';

// Many callers' writes in one transaction (the outbox's record of Meta's answers).

/** A write that records its batches and finishes when released. */
function fakeWriter(fails: (items: number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      pending.push(() => (fails(items) ? reject(new Error(`write of ${items.join(',')} failed`)) : resolve()));
    });
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { batches, write, releaseAll };
}

describe('GroupCommit', () => {
  it('writes the first item at once, and those that arrive meanwhile together in the next write', async () => {
    const w = fakeWriter();
    const commit = new GroupCommit<number>(w.write);
    const done = [1, 2, 3, 4].map((n) => commit.add(n));
    expect(w.batches).toEqual([[1]]);
    await w.releaseAll();
    await Promise.all(done);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with lingerMs, a write under load waits that long after the last one to take more items; after a quiet spell, none', async () => {
    const LINGER = 300;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const w = fakeWriter();
    const commit = new GroupCommit<number>(w.write, { lingerMs: LINGER });
    const first = commit.add(1);
    expect(w.batches).toEqual([[1]]);
    await w.releaseAll();
    await first;
    // Just after a write: the next waits out the linger, and what comes meanwhile goes with it.
    const burst = [commit.add(2)];
    await sleep(0);
    burst.push(commit.add(3), commit.add(4));
    expect(w.batches).toEqual([[1]]);
    // Timers fire in the order they fall due: the linger's (set first, due first) before this one.
    await sleep(LINGER + 50);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.releaseAll();
    await Promise.all(burst);
    // A quiet spell longer than the linger: written at once.
    await sleep(LINGER + 50);
    const alone = commit.add(5);
    expect(w.batches).toEqual([[1], [2, 3, 4], [5]]);
    await w.releaseAll();
    await alone;
  });

  it('with lingerMs, a full batch does not wait', async () => {
    const w = fakeWriter();
    const commit = new GroupCommit<number>(w.write, { lingerMs: 10_000, maxBatch: 2 });
    const first = commit.add(1);
    await w.releaseAll();
    await first;
    const pair = [commit.add(2), commit.add(3)];
    expect(w.batches).toEqual([[1], [2, 3]]);
    await w.releaseAll();
    await Promise.all(pair);
  });

  it('a failed batch is written again item by item: only the item that fails alone is refused', async () => {
    const w = fakeWriter((items) => items.includes(3));
    const commit = new GroupCommit<number>(w.write);
    const first = commit.add(1);
    const rest = [2, 3, 4].map((n) =>
      commit.add(n).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    );
    await w.releaseAll();
    await first;
    expect(await Promise.all(rest)).toEqual(['ok', 'write of 3 failed', 'ok']);
    expect(w.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('caps a batch at maxBatch', async () => {
    const w = fakeWriter();
    const commit = new GroupCommit<number>(w.write, { maxBatch: 2 });
    const done = [1, 2, 3, 4, 5].map((n) => commit.add(n));
    await w.releaseAll();
    await Promise.all(done);
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
