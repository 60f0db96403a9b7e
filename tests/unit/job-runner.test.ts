import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { exponentialBackoff, retryDelay } from '@/lib/jobs/backoff';
import { JobRunner, type JobRunnerOptions } from '@/lib/jobs/runner';

// The one loop of background work, over an in-memory queue: concurrency, waking, polling, lingering,
// backing off while the queue is unreachable, and stopping with work in flight.

const log = pino({ level: 'silent' });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('backoff', () => {
  it('grows by the factor from the first delay, capped', () => {
    const processor = exponentialBackoff({ firstMs: 2000, factor: 4, maxMs: 10 * 60_000 });
    expect([1, 2, 3, 4, 5, 6].map(processor)).toEqual([2000, 8000, 32_000, 128_000, 512_000, 600_000]);
    const media = exponentialBackoff({ firstMs: 5000, factor: 3, maxMs: 10 * 60_000 });
    expect([1, 2, 3, 4, 5].map(media)).toEqual([5000, 15_000, 45_000, 135_000, 405_000]);
  });

  it('gives a delay until the attempts are used up, and none for a failure retrying cannot fix', () => {
    const policy = { maxAttempts: 3, backoffMs: (n: number) => n * 10 };
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n))).toEqual([10, 20, null, null]);
    expect(retryDelay(policy, 1, false)).toBeNull();
  });
});

/** A queue of numbered jobs; each runs until released (or its signal aborts). */
function fakeQueue() {
  const due: number[] = [];
  const running = new Map<number, () => void>();
  const ran: number[] = [];
  let claims = 0;
  let failClaims = 0;
  return {
    due,
    running,
    ran,
    get claims() {
      return claims;
    },
    failNextClaims(n: number) {
      failClaims = n;
    },
    claim: async (limit: number) => {
      claims++;
      if (failClaims > 0) {
        failClaims--;
        throw new Error('database down');
      }
      return due.splice(0, limit);
    },
    run: (job: number, signal: AbortSignal) =>
      new Promise<string | null>((resolve) => {
        running.set(job, () => {
          running.delete(job);
          ran.push(job);
          resolve(`done ${job}`);
        });
        signal.addEventListener('abort', () => {
          running.delete(job);
          resolve(null);
        });
      }),
    release(job: number) {
      running.get(job)?.();
    },
  };
}

const runners: JobRunner<number, string>[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function runner(queue: ReturnType<typeof fakeQueue>, over: Partial<JobRunnerOptions<number, string>> = {}) {
  const r = new JobRunner<number, string>({
    name: 'test',
    claim: queue.claim,
    run: queue.run,
    pollMs: 60_000,
    claimRetryMs: () => 10,
    log,
    ...over,
  });
  runners.push(r);
  return r;
}

describe('JobRunner', () => {
  it('runs up to `concurrency` at once, and claims more as slots free', async () => {
    const q = fakeQueue();
    q.due.push(1, 2, 3, 4, 5);
    const outcomes: string[] = [];
    runner(q, { concurrency: 2, onOutcome: (o) => outcomes.push(o) }).start();
    await tick();
    expect([...q.running.keys()]).toEqual([1, 2]);
    q.release(1);
    await tick();
    expect([...q.running.keys()]).toEqual([2, 3]);
    q.release(2);
    q.release(3);
    await tick();
    expect([...q.running.keys()]).toEqual([4, 5]);
    expect(outcomes).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('lets every unit in flight listen on its stop signal without a leak warning, and stops them all', async () => {
    const q = fakeQueue();
    q.due.push(...Array.from({ length: 40 }, (_, i) => i));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const r = runner(q, { concurrency: 40 });
      r.start();
      await tick();
      expect(q.running.size).toBe(40);
      await r.stop();
      expect(q.running.size).toBe(0);
      await tick();
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('sleeps until notified when the queue is empty, then looks at once', async () => {
    const q = fakeQueue();
    const r = runner(q);
    r.start();
    await tick();
    const claims = q.claims;
    await tick(30);
    expect(q.claims).toBe(claims); // no busy loop
    q.due.push(7);
    r.notify();
    await tick();
    expect([...q.running.keys()]).toEqual([7]);
  });

  it('polls without being told', async () => {
    const q = fakeQueue();
    runner(q, { pollMs: 20 }).start();
    await tick();
    q.due.push(8);
    await tick(60);
    expect([...q.running.keys()]).toEqual([8]);
  });

  it('claims the first work after a quiet spell at once, then lets a burst gather for `lingerMs`', async () => {
    const q = fakeQueue();
    const r = runner(q, { lingerMs: 150, concurrency: 3 });
    r.start();
    await tick();
    q.due.push(1);
    r.notify();
    await tick(20);
    expect([...q.running.keys()]).toEqual([1]); // nothing came lately: no waiting
    q.due.push(2);
    r.notify();
    await tick(40);
    expect([...q.running.keys()]).toEqual([1]); // work came 60 ms ago: still gathering
    q.due.push(3);
    r.notify();
    await tick(150);
    expect([...q.running.keys()].sort()).toEqual([1, 2, 3]); // both in the next claim
  });

  it('with `burst`, a claim that found too little to gather for lets the next one go at once', async () => {
    const q = fakeQueue();
    const r = runner(q, { lingerMs: 3000, concurrency: 10, burst: (claimed) => claimed.length > 1 });
    r.start();
    await tick();
    for (const job of [1, 2]) {
      q.due.push(job);
      r.notify();
      await tick(30);
      expect(q.running.has(job)).toBe(true); // the last claim found one: no waiting
    }
    q.due.push(3, 4);
    r.notify();
    await tick(30);
    expect([...q.running.keys()].sort()).toEqual([1, 2, 3, 4]);
    q.due.push(5);
    r.notify();
    await tick(60);
    expect(q.running.has(5)).toBe(false); // the last claim found two: a burst, so this one gathers
  });

  it('with `claimGapMs`, a stream of wake-ups that find nothing costs one claim per gap, and work still comes', async () => {
    const q = fakeQueue();
    const r = runner(q, { claimGapMs: 100, pollMs: 60_000 });
    r.start();
    await tick();
    const before = q.claims;
    const started = performance.now();
    for (let i = 0; i < 25; i++) {
      r.notify();
      await tick(10);
    }
    // A notice every 10 ms or so: a claim per 100 ms at most (the first at once), not one each. Bounded
    // by the time it really took, which a loaded machine stretches.
    const claims = q.claims - before;
    expect(claims).toBeGreaterThanOrEqual(2);
    expect(claims).toBeLessThanOrEqual(Math.ceil((performance.now() - started) / 100) + 1);
    q.due.push(1);
    r.notify();
    await tick(150);
    expect([...q.running.keys()]).toEqual([1]);
  });

  it('claims again at once while claims come back full, by the queue’s own measure', async () => {
    const q = fakeQueue();
    q.due.push(1, 2, 3);
    const r = runner(q, { lingerMs: 10_000, backlogged: (claimed) => claimed.length > 0 });
    r.start();
    for (const job of [1, 2, 3]) {
      await tick();
      q.release(job);
    }
    await tick();
    expect(q.ran).toEqual([1, 2, 3]);
  });

  it('a job ending while slots were free looks again at once (the next message of a conversation, say)', async () => {
    const q = fakeQueue();
    q.due.push(1);
    runner(q, { concurrency: 2 }).start();
    await tick();
    q.due.push(2); // due now, but nobody said so
    q.release(1);
    await tick();
    expect([...q.running.keys()]).toEqual([2]);
  });

  it('a job the loop was waiting for does not cut the poll short (the processor’s one batch at a time)', async () => {
    const q = fakeQueue();
    q.due.push(1);
    runner(q, { concurrency: 1, backlogged: () => false }).start();
    await tick();
    q.due.push(2);
    q.release(1);
    await tick(30);
    expect(q.claims).toBe(1);
    expect(q.running.size).toBe(0);
  });

  it('backs off while claiming fails, and carries on after', async () => {
    const q = fakeQueue();
    q.failNextClaims(3);
    q.due.push(1);
    const delays: number[] = [];
    const claimRetryMs = (n: number) => {
      delays.push(n);
      return 5;
    };
    runner(q, { claimRetryMs }).start();
    await tick(60);
    expect(delays).toEqual([1, 2, 3]);
    expect([...q.running.keys()]).toEqual([1]);
  });

  it('logs a job that throws and goes on', async () => {
    const q = fakeQueue();
    q.due.push(1, 2);
    const r = runner(q, { run: async (job) => (job === 1 ? Promise.reject(new Error('boom')) : 'ok'), concurrency: 1 });
    expect(await r.runDue()).toEqual([1]);
    expect(await r.runDue()).toEqual([2]);
  });

  it('stop() aborts the signal of the jobs in flight and waits for them', async () => {
    const q = fakeQueue();
    q.due.push(1, 2);
    const r = runner(q, { concurrency: 2 });
    r.start();
    await tick();
    expect(q.running.size).toBe(2);
    await r.stop();
    expect(q.running.size).toBe(0);
    q.due.push(3);
    r.notify();
    await tick();
    expect(q.claims).toBe(1);
  });

  it('runDue() claims what fits and resolves when it has run', async () => {
    const q = fakeQueue();
    q.due.push(1, 2, 3);
    const r = runner(q, { concurrency: 2, run: async (job) => `ran ${job}` });
    expect(await r.runDue()).toEqual([1, 2]);
    expect(await r.runDue()).toEqual([3]);
    expect(await r.runDue()).toEqual([]);
  });
});
