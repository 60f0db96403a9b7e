// How long to wait before trying again: after a job's failed attempt, and after the queue itself could
// not be reached. PURE.

/** Delays `firstMs`, `firstMs·factor`, `firstMs·factor²`, … for n = 1, 2, 3, …, never more than `maxMs`. */
export function exponentialBackoff({ firstMs, factor, maxMs }: { firstMs: number; factor: number; maxMs: number }): (n: number) => number {
  return (n) => Math.min(firstMs * factor ** (Math.max(1, n) - 1), maxMs);
}

export interface RetryPolicy {
  /** Attempts in all, the first included; the last failure is final. */
  maxAttempts: number;
  /** Delay before attempt n + 1, after attempt n (1-based) failed. */
  backoffMs: (attempt: number) => number;
}

/**
 * After attempt `attempt` (1-based) failed: the delay before the next one, or null when there is none
 * (the attempts are used up, or the failure is one that trying again cannot fix).
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryable = true): number | null {
  if (!retryable || attempt >= policy.maxAttempts) return null;
  return policy.backoffMs(attempt);
}
