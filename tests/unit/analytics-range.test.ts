import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  addDays,
  bucketsBetween,
  isValidTimeZone,
  localDateKey,
  parseAnalyticsQuery,
  resolveRange,
  zonedMidnight,
} from '@/lib/analytics/range';

const q = (s: string) => parseAnalyticsQuery(new URLSearchParams(s));

describe('parseAnalyticsQuery', () => {
  it('defaults to the last 24 hours of all numbers in UTC', () => {
    expect(q('')).toEqual({ range: '24h', businessPhoneNumberId: null, tz: 'UTC' });
    expect(q('range=7d&businessPhoneNumberId=all&tz=Europe/Berlin')).toMatchObject({
      range: '7d',
      businessPhoneNumberId: null,
      tz: 'Europe/Berlin',
    });
    expect(q('range=30d&businessPhoneNumberId=1065')).toMatchObject({ range: '30d', businessPhoneNumberId: '1065' });
  });

  it.each([
    ['range=1y'],
    ['tz=Mars/Olympus'],
    ['tz=not a zone'],
    ['range=custom'],
    ['range=custom&from=2026-01-02T00:00:00Z'],
    ['range=custom&from=yesterday&to=2026-01-02T00:00:00Z'],
    ['range=custom&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['range=custom&from=2026-01-02T00:00:00Z&to=2026-01-02T00:00:00Z'],
    ['range=custom&from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z'],
    // PostgreSQL text cannot hold NUL: a 400 here, not a 500 from the database.
    ['businessPhoneNumberId=10%0065'],
    [`businessPhoneNumberId=${'9'.repeat(65)}`],
  ])('rejects %s', (s) => {
    expect(() => q(s)).toThrow(ZodError);
  });

  it('accepts a custom range with offsets', () => {
    expect(q('range=custom&from=2026-01-01T00:00:00%2B01:00&to=2026-01-03T00:00:00Z')).toMatchObject({ range: 'custom' });
  });
});

describe('time zones and days', () => {
  it('validates zone names', () => {
    expect(isValidTimeZone('America/Mexico_City')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Nowhere/Special')).toBe(false);
    expect(isValidTimeZone("UTC'; drop table x")).toBe(false);
  });

  it('finds local dates and midnights, across DST', () => {
    expect(localDateKey(Date.parse('2026-01-10T23:30:00Z'), 'Europe/Berlin')).toBe('2026-01-11');
    expect(localDateKey(Date.parse('2026-01-10T03:00:00Z'), 'America/New_York')).toBe('2026-01-09');
    expect(new Date(zonedMidnight('2026-01-11', 'Europe/Berlin')).toISOString()).toBe('2026-01-10T23:00:00.000Z');
    expect(new Date(zonedMidnight('2026-07-11', 'Europe/Berlin')).toISOString()).toBe('2026-07-10T22:00:00.000Z');
    expect(new Date(zonedMidnight('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(zonedMidnight('2026-03-30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(zonedMidnight('2026-01-11', 'Asia/Kolkata')).toISOString()).toBe('2026-01-10T18:30:00.000Z');
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('resolveRange', () => {
  const now = new Date('2026-01-10T13:25:00Z');

  it('24h: the current hour and the 23 before, hourly', () => {
    const r = resolveRange({ range: '24h', tz: 'UTC' }, now);
    expect(r.bucket).toBe('hour');
    expect(r.from.toISOString()).toBe('2026-01-09T14:00:00.000Z');
    expect(r.to).toEqual(now);
    expect(r.buckets).toHaveLength(24);
    expect(r.buckets[0]!.key).toBe('2026-01-09T14:00:00.000Z');
    expect(r.buckets.at(-1)!.key).toBe('2026-01-10T13:00:00.000Z');
  });

  it('7d and 30d: calendar days in the browser’s zone', () => {
    const week = resolveRange({ range: '7d', tz: 'America/New_York' }, now);
    expect(week.bucket).toBe('day');
    expect(week.buckets.map((b) => b.key)).toEqual([
      '2026-01-04',
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
    ]);
    expect(week.from.toISOString()).toBe('2026-01-04T05:00:00.000Z');
    const month = resolveRange({ range: '30d', tz: 'UTC' }, now);
    expect(month.buckets).toHaveLength(30);
    expect(month.buckets[0]).toEqual({ key: '2025-12-12', start: '2025-12-12T00:00:00.000Z' });
  });

  it('custom: widened to whole hours; hourly up to 72 h, daily beyond', () => {
    const short = resolveRange({ range: 'custom', from: '2026-01-10T10:30:00Z', to: '2026-01-10T12:10:00Z', tz: 'UTC' }, now);
    expect(short.from.toISOString()).toBe('2026-01-10T10:00:00.000Z');
    expect(short.to.toISOString()).toBe('2026-01-10T13:00:00.000Z');
    expect(short.buckets.map((b) => b.key)).toEqual(['2026-01-10T10:00:00.000Z', '2026-01-10T11:00:00.000Z', '2026-01-10T12:00:00.000Z']);
    const three = resolveRange({ range: 'custom', from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z', tz: 'UTC' }, now);
    expect(three.bucket).toBe('hour');
    expect(three.buckets).toHaveLength(72);
    const long = resolveRange({ range: 'custom', from: '2026-01-01T00:00:00Z', to: '2026-01-04T01:00:00Z', tz: 'UTC' }, now);
    expect(long.bucket).toBe('day');
    expect(long.buckets.map((b) => b.key)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']);
  });

  it('daily buckets start no earlier than the range', () => {
    const b = bucketsBetween(Date.parse('2026-01-01T06:00:00Z'), Date.parse('2026-01-03T00:00:00Z'), 'day', 'UTC');
    expect(b).toEqual([
      { key: '2026-01-01', start: '2026-01-01T06:00:00.000Z' },
      { key: '2026-01-02', start: '2026-01-02T00:00:00.000Z' },
    ]);
  });
});
