import { exponentialBackoff } from '@/lib/jobs/backoff';

// What a failed send means for the message: try again later (`retryable`), give up and show Meta's error
// (`final`), or say it may have gone out and let an agent decide (`unknown`). Meta has no idempotency key,
// so only a request Meta cannot have acted on is ever sent again by itself: one that never reached it,
// or one it answered with a code that means "rejected before processing" (a rate limit) or "we failed,
// try again". Everything else Meta answered is final; a request that went out without an answer is
// unknown and never resent automatically. PURE.
//
// Sources: Meta's Cloud API error codes page (as mirrored by niswey, alendei and verloop) and its
// throughput and rate-limit pages (the pair limit's "retry after 4^X seconds"), summarised in
// shared/meta/send-side.md §1.8–1.9.

/** A failed request as the Graph client reports it (GraphApiError has these fields). */
export interface SendFailure {
  /**
   * `not_sent`: never reached Meta (refused, DNS, TLS, not written). `answered`: Meta answered with an
   * HTTP status. `unknown`: sent, then no (complete) answer: a timeout or a connection lost.
   */
  fate: 'not_sent' | 'answered' | 'unknown';
  /** The HTTP status, when Meta answered. */
  status: number | null;
  /** Meta's error code, when its answer carried one. */
  code: number | null;
}

export type RetryReason =
  /** The request never reached Meta. */
  | 'not_sent'
  /** Code 4: the app's API call rate limit. */
  | 'app_rate_limit'
  /** Code 80007: the WhatsApp Business Account's rate limit. */
  | 'account_rate_limit'
  /** Code 130429: the number's messages-per-second throughput. */
  | 'throughput'
  /** Code 131056: too many messages to the same customer too fast (the pair rate limit). */
  | 'pair_rate_limit'
  /** HTTP 5xx with code 1, 2, 131000 or 131016: Meta failed on its side and says to try again. */
  | 'meta_unavailable';

export type SendOutcome =
  | { kind: 'retryable'; reason: RetryReason /** Wait this long before the next attempt. */; retryInMs: number }
  | {
      kind: 'final';
      /** `meta_error`: Meta refused the message. `retries_exhausted`: a retryable failure, once too often. */
      reason: 'meta_error' | 'retries_exhausted';
      /** For `retries_exhausted`: why the last attempt failed. */
      lastReason?: RetryReason;
    }
  | {
      kind: 'unknown';
      /**
       * `no_answer`: timed out or the connection was lost after the request went out. `ambiguous_answer`:
       * a 5xx without a code that says Meta did nothing (a gateway's error page, say), or a 2xx that is not
       * Meta's success (so no wamid): Meta may have sent the message.
       */
      reason: 'no_answer' | 'ambiguous_answer';
    };

export interface RetryRule {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay after attempt n (1-based) failed. */
  backoffMs: (attempt: number) => number;
}

/** How often and how patiently each retryable failure is tried again. */
export const SEND_RETRY_RULES: Readonly<Record<RetryReason, RetryRule>> = {
  // Like the media downloader: 5 s, 15 s, 45 s, 135 s.
  not_sent: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 5_000, factor: 3, maxMs: 5 * 60_000 }) },
  meta_unavailable: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 5_000, factor: 3, maxMs: 5 * 60_000 }) },
  // Call-count limits are counted over an hour: a few seconds' wait rarely helps. 1, 2, 4, 8 min.
  app_rate_limit: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 60_000, factor: 2, maxMs: 15 * 60_000 }) },
  account_rate_limit: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 60_000, factor: 2, maxMs: 15 * 60_000 }) },
  // Per-second throughput frees up quickly. 2, 4, 8, 16 s.
  throughput: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 2_000, factor: 2, maxMs: 60_000 }) },
  // Meta: "retry after 4^X seconds", X from 0: 1, 4, 16, 64 s.
  pair_rate_limit: { maxAttempts: 5, backoffMs: exponentialBackoff({ firstMs: 1_000, factor: 4, maxMs: 10 * 60_000 }) },
};

/** Meta's codes that mean the request was refused before anything was sent: always safe to retry. */
const RATE_LIMIT_CODES: Readonly<Record<number, RetryReason>> = {
  4: 'app_rate_limit', // "API Too Many Calls" (HTTP 429): the app's call rate limit.
  80007: 'account_rate_limit', // "Rate limit issues": the WhatsApp Business Account's rate limit.
  130429: 'throughput', // "Rate limit hit": Cloud API message throughput reached.
  131056: 'pair_rate_limit', // "(Business Account, Consumer Account) pair rate limit hit".
};

/**
 * Meta's codes for its own transient failures. Retried only when they come with a 5xx, the status Meta
 * documents for them; a 5xx with any other code is Meta's answer about this message, so final.
 */
const UNAVAILABLE_CODES = new Set([
  1, // "API Unknown": invalid request or possible server error.
  2, // "API Service": temporary, due to downtime or overload.
  131000, // "Something went wrong" (HTTP 500).
  131016, // "Service unavailable" (HTTP 503): service temporarily unavailable.
]);

/**
 * What to do after attempt `attempt` (1-based) of a send failed with `failure`. `rules` bounds the
 * attempts and spaces them (default SEND_RETRY_RULES).
 *
 * `idempotent` is for requests that are harmless to repeat (mark-as-read, typing, a media upload, whose
 * duplicate only leaves an unused media id): an unknown outcome is then retried like one that never
 * reached Meta.
 */
export function classifySendFailure(
  failure: SendFailure,
  attempt: number,
  { rules = SEND_RETRY_RULES, idempotent = false }: { rules?: Readonly<Record<RetryReason, RetryRule>>; idempotent?: boolean } = {},
): SendOutcome {
  const verdict = judge(failure);
  if (verdict.kind === 'unknown' && idempotent) return retry('not_sent', attempt, rules);
  if (verdict.kind !== 'retryable') return verdict;
  return retry(verdict.reason, attempt, rules);
}

function retry(reason: RetryReason, attempt: number, rules: Readonly<Record<RetryReason, RetryRule>>): SendOutcome {
  const rule = rules[reason];
  if (attempt >= rule.maxAttempts) return { kind: 'final', reason: 'retries_exhausted', lastReason: reason };
  return { kind: 'retryable', reason, retryInMs: rule.backoffMs(attempt) };
}

type Verdict = { kind: 'retryable'; reason: RetryReason } | Extract<SendOutcome, { kind: 'final' | 'unknown' }>;

function judge({ fate, status, code }: SendFailure): Verdict {
  if (fate === 'not_sent') return { kind: 'retryable', reason: 'not_sent' };
  if (fate === 'unknown' || status === null) return { kind: 'unknown', reason: 'no_answer' };
  // Meta advises acting on the code, not the HTTP status: a rate-limit code is retryable whatever came with it.
  if (code !== null && RATE_LIMIT_CODES[code] !== undefined) return { kind: 'retryable', reason: RATE_LIMIT_CODES[code] };
  // Too Many Requests without Meta's envelope: refused before processing, like code 4.
  if (status === 429 && code === null) return { kind: 'retryable', reason: 'app_rate_limit' };
  if (status >= 500) {
    if (code === null) return { kind: 'unknown', reason: 'ambiguous_answer' };
    if (UNAVAILABLE_CODES.has(code)) return { kind: 'retryable', reason: 'meta_unavailable' };
    return { kind: 'final', reason: 'meta_error' };
  }
  // A 2xx that failed to parse as Meta's success: Meta accepted something, and we have no wamid for it.
  if (status < 300) return { kind: 'unknown', reason: 'ambiguous_answer' };
  return { kind: 'final', reason: 'meta_error' };
}
