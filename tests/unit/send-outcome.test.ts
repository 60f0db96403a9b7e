import { describe, expect, it } from 'vitest';
import { classifySendFailure, SEND_RETRY_RULES, type SendFailure } from '@/lib/whatsapp/send-outcome';

// Meta has no idempotency key: a message is sent again by itself only when Meta cannot have acted on it.

const answered = (status: number, code: number | null = null): SendFailure => ({ fate: 'answered', status, code });

describe('classifySendFailure', () => {
  it('never reached Meta → retryable: 5 s, 15 s, 45 s, 135 s, then final', () => {
    const notSent: SendFailure = { fate: 'not_sent', status: null, code: null };
    expect([1, 2, 3, 4].map((n) => classifySendFailure(notSent, n))).toEqual(
      [5_000, 15_000, 45_000, 135_000].map((retryInMs) => ({ kind: 'retryable', reason: 'not_sent', retryInMs })),
    );
    expect(classifySendFailure(notSent, 5)).toEqual({ kind: 'final', reason: 'retries_exhausted', lastReason: 'not_sent' });
  });

  it('rate-limit codes are retryable whatever the HTTP status', () => {
    expect(classifySendFailure(answered(429, 4), 1)).toMatchObject({ kind: 'retryable', reason: 'app_rate_limit', retryInMs: 60_000 });
    expect(classifySendFailure(answered(400, 80007), 2)).toMatchObject({
      kind: 'retryable',
      reason: 'account_rate_limit',
      retryInMs: 120_000,
    });
    expect(classifySendFailure(answered(400, 130429), 1)).toMatchObject({ kind: 'retryable', reason: 'throughput', retryInMs: 2_000 });
    expect(classifySendFailure(answered(500, 130429), 1)).toMatchObject({ kind: 'retryable', reason: 'throughput' });
  });

  it('the pair rate limit (131056) backs off 4^n seconds, n from 0', () => {
    expect([1, 2, 3, 4].map((n) => classifySendFailure(answered(400, 131056), n))).toEqual(
      [1_000, 4_000, 16_000, 64_000].map((retryInMs) => ({ kind: 'retryable', reason: 'pair_rate_limit', retryInMs })),
    );
    expect(classifySendFailure(answered(400, 131056), 5)).toMatchObject({ kind: 'final', reason: 'retries_exhausted' });
  });

  it('HTTP 5xx with Meta’s transient codes (1, 2, 131000, 131016) → retryable', () => {
    for (const code of [1, 2, 131000, 131016]) {
      expect(classifySendFailure(answered(code === 131016 ? 503 : 500, code), 1)).toEqual({
        kind: 'retryable',
        reason: 'meta_unavailable',
        retryInMs: 5_000,
      });
    }
  });

  it('the same codes without a 5xx, and every other Meta error → final', () => {
    for (const code of [131000, 131016])
      expect(classifySendFailure(answered(400, code), 1)).toEqual({ kind: 'final', reason: 'meta_error' });
    for (const [status, code] of [
      [400, 131047],
      [400, 131026],
      [400, 100],
      [401, 190],
      [400, 132001],
      [400, 131048],
      [500, 3],
      [403, 200],
    ] as const) {
      expect(classifySendFailure(answered(status, code), 1), `${status} ${code}`).toEqual({ kind: 'final', reason: 'meta_error' });
    }
    expect(classifySendFailure(answered(404), 1)).toEqual({ kind: 'final', reason: 'meta_error' });
  });

  it('a 429 without Meta’s envelope was refused before processing → retryable', () => {
    expect(classifySendFailure(answered(429), 1)).toMatchObject({ kind: 'retryable', reason: 'app_rate_limit' });
  });

  it('timeout or a connection lost after sending → unknown, never retried', () => {
    const lost: SendFailure = { fate: 'unknown', status: null, code: null };
    expect(classifySendFailure(lost, 1)).toEqual({ kind: 'unknown', reason: 'no_answer' });
    // An answer cut off after a 200: Meta accepted, and the wamid is lost.
    expect(classifySendFailure({ fate: 'unknown', status: 200, code: null }, 1)).toEqual({ kind: 'unknown', reason: 'no_answer' });
  });

  it('a 5xx without Meta’s code (a gateway’s page) and a 2xx without a wamid → unknown', () => {
    expect(classifySendFailure(answered(502), 1)).toEqual({ kind: 'unknown', reason: 'ambiguous_answer' });
    expect(classifySendFailure(answered(504), 1)).toEqual({ kind: 'unknown', reason: 'ambiguous_answer' });
    expect(classifySendFailure(answered(200), 1)).toEqual({ kind: 'unknown', reason: 'ambiguous_answer' });
  });

  it('an idempotent request (read receipt, typing, upload) retries what would be unknown', () => {
    expect(classifySendFailure({ fate: 'unknown', status: null, code: null }, 1, { idempotent: true })).toEqual({
      kind: 'retryable',
      reason: 'not_sent',
      retryInMs: 5_000,
    });
    expect(classifySendFailure(answered(400, 131009), 1, { idempotent: true })).toEqual({ kind: 'final', reason: 'meta_error' });
  });

  it('the attempt bound and delays come from the rules given', () => {
    const rules = { ...SEND_RETRY_RULES, throughput: { maxAttempts: 2, backoffMs: () => 7 } };
    expect(classifySendFailure(answered(400, 130429), 1, { rules })).toEqual({ kind: 'retryable', reason: 'throughput', retryInMs: 7 });
    expect(classifySendFailure(answered(400, 130429), 2, { rules })).toEqual({
      kind: 'final',
      reason: 'retries_exhausted',
      lastReason: 'throughput',
    });
  });
});
