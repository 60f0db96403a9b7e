import { describe, expect, it } from 'vitest';
import { resolveRange } from '@/lib/analytics/range';
import { fillBuckets, shapeAnalytics } from '@/lib/analytics/shape';
import { explainErrorCode } from '@/lib/whatsapp/error-codes';

const range = resolveRange({ range: 'custom', from: '2026-01-10T10:00:00Z', to: '2026-01-10T13:00:00Z', tz: 'UTC' }, new Date());
const H = (h: number) => `2026-01-10T${String(h).padStart(2, '0')}:00:00.000Z`;

describe('fillBuckets', () => {
  it('gives every bucket an entry, in order, and drops rows outside', () => {
    const out = fillBuckets(
      range.buckets,
      [
        { bucket: H(12), n: 2 },
        { bucket: H(10), n: 1 },
        { bucket: H(12), n: 3 },
        { bucket: H(20), n: 9 },
      ],
      () => ({ n: 0 }),
      (into, r) => {
        into.n += r.n;
      },
    );
    expect(out.map((b) => [b.key, b.n])).toEqual([
      [H(10), 1],
      [H(11), 0],
      [H(12), 5],
    ]);
  });
});

describe('shapeAnalytics', () => {
  it('stacks failures by code, computes rates, shares and explanations', () => {
    const shaped = shapeAnalytics(
      range,
      null,
      {
        deliveries: [
          { bucket: H(10), status: 'sent', errorCode: 0, count: 10 },
          { bucket: H(10), status: 'failed', errorCode: 131047, count: 2 },
          { bucket: H(10), status: 'failed', errorCode: 99999, count: 1 },
          { bucket: H(12), status: 'sent', errorCode: 0, count: 4 },
          { bucket: H(12), status: 'failed', errorCode: 131047, count: 1 },
          { bucket: H(12), status: 'delivered', errorCode: 0, count: 3 },
        ],
        timings: { sent: 14, delivered: 3, read: 0, failed: 4, medianDeliveredSeconds: 5, medianReadSeconds: null },
        inbound: [
          { bucket: H(11), type: 'text', count: 3 },
          { bucket: H(11), type: 'image', count: 1 },
          { bucket: H(12), type: 'text', count: 1 },
        ],
        webhooks: [
          { bucket: H(10), kind: 'received', count: 5 },
          { bucket: H(10), kind: 'processed', count: 4 },
          { bucket: H(12), kind: 'rejected', count: 2 },
        ],
        backlog: { pending: 1, lagSeconds: 2, failed: 0 },
        numbers: [],
      },
      explainErrorCode,
    );
    expect(shaped.failures.totals).toEqual({ sent: 14, failed: 4, rate: 4 / 14 });
    expect(shaped.failures.codes).toEqual([131047, 99999]);
    expect(shaped.failures.buckets.map((b) => [b.failed, b.rate, b.byCode])).toEqual([
      [3, 0.3, { 131047: 2, 99999: 1 }],
      [0, null, {}],
      [1, 0.25, { 131047: 1 }],
    ]);
    expect(shaped.topErrors[0]).toMatchObject({ code: 131047, count: 3, share: 0.75 });
    expect(shaped.topErrors[0]!.summary).toMatch(/24-hour/);
    expect(shaped.topErrors[1]).toEqual({ code: 99999, count: 1, share: 0.25, summary: null, action: null });
    expect(shaped.inbound.totals).toEqual([
      { type: 'text', count: 4 },
      { type: 'image', count: 1 },
    ]);
    expect(shaped.inbound.buckets.map((b) => b.total)).toEqual([0, 4, 1]);
    expect(shaped.webhooks.totals).toEqual({ received: 5, processed: 4, failed: 0, rejected: 2 });
    expect(shaped.webhooks.buckets.map((b) => b.received)).toEqual([5, 0, 0]);
  });
});
