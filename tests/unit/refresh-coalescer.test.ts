import { describe, expect, it } from 'vitest';
import {
  MIN_BACKGROUND_REFRESH_GAP_MS as GAP,
  MIN_REFRESH_GAP_MS as THREAD_GAP,
  RefreshCoalescer,
} from '@/app/_components/refresh-coalescer';

// How often a part of an open page refetches when change notices come: at once after a quiet spell,
// never two at a time, a burst folded into one more, and the last notice always followed by a refetch,
// so the page ends up current without flooding the server.

/** A clock whose timers run when the test moves it on. */
function manualClock() {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => void timers.push({ at: now + ms, run }),
    /** Moves to `until`, running each timer at its time (and what its promises do) in order. */
    async advanceTo(until: number) {
      for (;;) {
        await settle();
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = Math.max(now, next.at);
        next.run();
      }
      now = until;
      await settle();
    },
  };
}

/** A coalescer whose refetches take `tookMs` (or fail), noting when each started. */
function coalescer(options: { foreground?: boolean; tookMs?: number; fail?: boolean } = {}) {
  const clock = manualClock();
  const starts: number[] = [];
  const c = new RefreshCoalescer(
    (began) =>
      new Promise<void>((resolve, reject) => {
        began();
        starts.push(clock.now());
        clock.setTimer(() => (options.fail ? reject(new Error('503')) : resolve()), options.tookMs ?? 30);
      }),
    { foreground: options.foreground, now: clock.now, setTimer: clock.setTimer },
  );
  return { clock, starts, request: c.request };
}

/** Notices at these times (ms), then the clock moved on to `end`. */
async function notices(run: ReturnType<typeof coalescer>, times: number[], end: number) {
  for (const at of times) {
    await run.clock.advanceTo(at);
    run.request();
  }
  await run.clock.advanceTo(end);
}

describe('RefreshCoalescer', () => {
  it('refetches at once for the first notice after a quiet spell', async () => {
    for (const foreground of [false, true]) {
      const run = coalescer({ foreground });
      await notices(run, [5000], 6000);
      expect(run.starts).toEqual([5000]);
    }
  });

  it('folds a burst into exactly one more refetch, a gap after the first started, and never runs two at once', async () => {
    const background = coalescer({ tookMs: 50 });
    await notices(background, [0, 10, 20, 30, 40, 45, GAP - 10], 5000);
    expect(background.starts).toEqual([0, GAP]);

    const thread = coalescer({ foreground: true, tookMs: 50 });
    await notices(thread, [0, 10, 20, 30, 40, 45], 5000);
    expect(thread.starts).toEqual([0, THREAD_GAP]);
  });

  it('keeps the list to one refetch a gap under a stream of notices, and ends with one after the last', async () => {
    const run = coalescer({ tookMs: 30 });
    const times = Array.from({ length: 400 }, (_, i) => i * 25 + 7); // forty a second for ten seconds
    await notices(run, times, 20_000);
    expect(run.starts.length).toBeGreaterThanOrEqual(10_000 / GAP);
    expect(run.starts.length).toBeLessThanOrEqual(10_000 / GAP + 1);
    for (let i = 1; i < run.starts.length; i++) expect(run.starts[i]! - run.starts[i - 1]!).toBeGreaterThanOrEqual(GAP);
    expect(run.starts.at(-1)).toBeGreaterThan(times.at(-1)!);
  });

  it('makes a notice just after a refetch wait for the gap, but not the open thread’s', async () => {
    const background = coalescer({ tookMs: 30 });
    await notices(background, [0, GAP - 100], 5000);
    expect(background.starts).toEqual([0, GAP]);

    const thread = coalescer({ foreground: true, tookMs: 30 });
    await notices(thread, [0, 60], 5000);
    expect(thread.starts).toEqual([0, 60]);
  });

  it('spaces the refetches of a slow server by twice their time, two seconds at most', async () => {
    const slow = coalescer({ tookMs: 800 });
    await notices(slow, [0, 100], 10_000);
    expect(slow.starts).toEqual([0, 1600]);

    const slower = coalescer({ tookMs: 1500 });
    await notices(slower, [0, 100], 10_000);
    expect(slower.starts).toEqual([0, 2000]);
  });

  it('goes on after a refetch that failed', async () => {
    const run = coalescer({ fail: true });
    await notices(run, [0, 10, 3000], 6000);
    expect(run.starts).toEqual([0, GAP, 3000]);
  });
});
