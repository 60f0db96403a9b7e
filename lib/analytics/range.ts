import { z } from 'zod';
import { optionalText } from '@/lib/http/query-params';

// The analytics page's time range: which stretch of time, in which buckets, for which business number.
// Pure (no database, no clock of its own): the API passes `now`, the tests pass any instant.
//
// Hourly buckets are UTC hours, keyed by their ISO start ("2026-01-10T13:00:00.000Z"); the rollups
// are kept per UTC hour. Daily buckets are calendar days in the browser's time zone, keyed by the
// local date ("2026-01-10"): an hourly rollup row belongs to the day its hour starts on there.

export const RANGE_KEYS = ['24h', '7d', '30d', 'custom'] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];
export type BucketSize = 'hour' | 'day';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ranges up to this long get hourly buckets; longer ones daily buckets. */
export const MAX_HOURLY_RANGE_MS = 72 * HOUR_MS;
/** The longest custom range. */
export const MAX_RANGE_DAYS = 400;

/** A time zone name the platform knows (and PostgreSQL's tz database: both are IANA names). */
export function isValidTimeZone(tz: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const isoInstant = z.iso.datetime({ offset: true });

export const analyticsQuerySchema = z
  .object({
    range: z.enum(RANGE_KEYS).default('24h'),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    businessPhoneNumberId: optionalText(64).transform((n) => (n && n !== 'all' ? n : null)),
    tz: z
      .string()
      .trim()
      .optional()
      .transform((tz) => tz || 'UTC')
      .refine(isValidTimeZone, 'is not a known time zone'),
  })
  .superRefine((q, ctx) => {
    if (q.range !== 'custom') return;
    if (!q.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required for a custom range' });
    if (!q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'is required for a custom range' });
    if (!q.from || !q.to) return;
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_RANGE_DAYS * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range must be at most ${MAX_RANGE_DAYS} days` });
  });

export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

/** The query string's parameters (only the ones we know; empty values count as absent). */
export function parseAnalyticsQuery(params: URLSearchParams): AnalyticsQuery {
  const pick = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  return analyticsQuerySchema.parse({
    range: pick('range'),
    from: pick('from'),
    to: pick('to'),
    businessPhoneNumberId: pick('businessPhoneNumberId'),
    tz: pick('tz'),
  });
}

export interface Bucket {
  /** ISO start of a UTC hour, or a local date YYYY-MM-DD. */
  key: string;
  /** When it starts (ISO). */
  start: string;
}

export interface ResolvedRange {
  key: RangeKey;
  /** Rollup rows with from <= hour < to count; deliveries sent in [from, to) for the medians. */
  from: Date;
  to: Date;
  bucket: BucketSize;
  tz: string;
  buckets: Bucket[];
}

export const floorHour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
export const ceilHour = (t: number) => Math.ceil(t / HOUR_MS) * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function zonedParts(t: number, tz: string) {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(tz).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

/** The calendar date (YYYY-MM-DD) at instant `t` in `tz`. */
export function localDateKey(t: number, tz: string): string {
  const { y, m, d } = zonedParts(t, tz);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `tz`'s offset from UTC at instant `t`, in ms (positive east of Greenwich). */
function offsetMs(t: number, tz: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  const { y, m, d, h, mi, s } = zonedParts(whole, tz);
  return Date.UTC(y, m - 1, d, h, mi, s) - whole;
}

/** The date key `n` days after `key`. */
export function addDays(key: string, n: number): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The instant a local date starts in `tz` (its first existing moment when midnight is skipped by DST). */
export function zonedMidnight(key: string, tz: string): number {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMs(guess, tz);
  t = guess - offsetMs(t, tz);
  // A midnight that DST skips lands on the previous day's evening: take the next hour then.
  if (localDateKey(t, tz) !== key) t += HOUR_MS;
  return t;
}

/** Every bucket from `from` up to (not including) `to`. */
export function bucketsBetween(from: number, to: number, size: BucketSize, tz: string): Bucket[] {
  const out: Bucket[] = [];
  if (size === 'hour') {
    for (let t = floorHour(from); t < to; t += HOUR_MS) out.push({ key: new Date(t).toISOString(), start: new Date(t).toISOString() });
    return out;
  }
  const last = localDateKey(to - 1, tz);
  for (let key = localDateKey(from, tz); key <= last; key = addDays(key, 1)) {
    out.push({ key, start: new Date(Math.max(from, zonedMidnight(key, tz))).toISOString() });
  }
  return out;
}

/**
 * The stretch of time a query asks about, as the rollups can count it (whole UTC hours):
 * - 24h: the current hour and the 23 before it, hourly;
 * - 7d / 30d: today and the 6 / 29 days before it in `tz`, daily;
 * - custom: from..to widened to whole hours, hourly up to 72 h, daily beyond.
 */
export function resolveRange(query: Pick<AnalyticsQuery, 'range' | 'from' | 'to' | 'tz'>, now: Date): ResolvedRange {
  const tz = query.tz;
  const nowMs = now.getTime();
  let from: number;
  let to: number;
  let bucket: BucketSize;
  switch (query.range) {
    case '24h':
      from = floorHour(nowMs) - 23 * HOUR_MS;
      to = nowMs;
      bucket = 'hour';
      break;
    case '7d':
    case '30d': {
      const days = query.range === '7d' ? 7 : 30;
      from = zonedMidnight(addDays(localDateKey(nowMs, tz), -(days - 1)), tz);
      to = nowMs;
      bucket = 'day';
      break;
    }
    case 'custom': {
      if (!query.from || !query.to) throw new Error('a custom range needs from and to');
      from = floorHour(Date.parse(query.from));
      to = ceilHour(Date.parse(query.to));
      bucket = to - from <= MAX_HOURLY_RANGE_MS ? 'hour' : 'day';
      break;
    }
  }
  return { key: query.range, from: new Date(from), to: new Date(to), bucket, tz, buckets: bucketsBetween(from, to, bucket, tz) };
}
