// When a part of the page refetches after change notices (use-live-updates.ts, useCoalesced): at most one
// refetch at a time, the first notice after a quiet spell at once, and a burst of notices folded into one
// more refetch a gap later. So a page always ends up current and never floods the server. No React here:
// the schedule alone, tested in tests/unit/refresh-coalescer.test.ts.

/** Between the starts of two refetches of the open thread in a burst of notices: ten a second at most. */
export const MIN_REFRESH_GAP_MS = 100;
/**
 * The same for everything else on the page (the list, its counts, the numbers, the header): four times a
 * second at most while notices keep coming, the first after a quiet spell at once. Under a stream of other
 * customers' messages (500 webhooks/s) an inbox open on the list asked for the list, the counts and the
 * numbers 18 times a second and redrew them each time: now 12, and Chromium's CPU for the page went from
 * 0.27 to 0.18 cores. A whole second (4 a second, 0.09 cores) made the refetches a message causes land on
 * the next message instead: bench:live at rest, a message every 530 ms, p95 41 → 68 ms.
 */
export const MIN_BACKGROUND_REFRESH_GAP_MS = 250;
/**
 * And no sooner than this many times the last refetch took: a slow answer means a loaded server, and
 * a page that refetches at most half the time leaves it room. Capped, so a page is never far behind.
 */
export const REFRESH_GAP_PER_DURATION = 2;
export const MAX_REFRESH_GAP_MS = 2000;

export interface RefreshCoalescerOptions {
  /**
   * The open thread: its next refetch starts as soon as the one before it is answered, once
   * MIN_REFRESH_GAP_MS have passed since that one started, without the wait that grows with the last
   * refetch's time (a loaded server answers slowly, and the message the agent waits for would wait twice).
   */
  foreground?: boolean;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => void;
}

/**
 * `refresh` is handed `began`, to call when its request actually starts (a background part first waits for
 * the open thread's refetch); it resolves (or rejects) when the refetch is over.
 */
export class RefreshCoalescer {
  private running = false;
  private again = false;
  private startedAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => void;

  constructor(
    private readonly refresh: (began: () => void) => Promise<unknown>,
    private readonly options: RefreshCoalescerOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((run, ms) => void setTimeout(run, ms));
  }

  /** A notice came: refetch now, or once more when the one running (or its gap) is over. */
  readonly request = (): void => {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.startedAt = this.now();
    this.refresh(() => {
      this.startedAt = this.now();
    })
      .catch(() => {})
      .finally(() => this.settle());
  };

  private settle(): void {
    const took = this.now() - this.startedAt;
    const gap = this.options.foreground
      ? MIN_REFRESH_GAP_MS
      : Math.min(MAX_REFRESH_GAP_MS, Math.max(MIN_BACKGROUND_REFRESH_GAP_MS, REFRESH_GAP_PER_DURATION * took));
    const wait = Math.max(0, this.startedAt + gap - this.now());
    // The open thread is free again at once when nothing came meanwhile; anything else stays "running" for
    // the rest of its gap, so a notice just after a refetch waits for the gap's end rather than starting
    // one more at once: one refetch a gap, however the notices fall.
    if (!this.again && (this.options.foreground || wait === 0)) {
      this.running = false;
      return;
    }
    this.setTimer(() => {
      this.running = false;
      if (!this.again) return;
      this.again = false;
      this.request();
    }, wait);
  }
}
