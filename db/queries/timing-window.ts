// How the analytics read delivery times sent in a window (db/queries/analytics.ts deliveryTimingSummary):
// which whole UTC days come from the daily rollups and which rows from delivery_timings itself, and where
// a median sits in counts per value. Pure: no database, no clock.

const DAY_MS = 86_400_000;

/** Rows of delivery_timings sent in [from, to), added to the days' rollups (sign 1) or taken from them (-1). */
export interface RawTimingSpan {
  from: Date;
  to: Date;
  sign: 1 | -1;
}

/** A window of sent_at as the rollups can read it: whole UTC days [from, to) (or none), plus or minus raw rows. */
export interface TimingWindowParts {
  days: { from: Date; to: Date } | null;
  raw: RawTimingSpan[];
}

/**
 * How to read [from, to): the UTC days inside it whole from the rollups; each edge day either as its rows
 * inside the window, or whole minus its rows outside, whichever reads fewer rows. Rows are counted as time
 * before `now`: none are sent later, so a window that ends now takes today whole and subtracts nothing real.
 */
export function timingWindowParts(from: Date, to: Date, now: Date): TimingWindowParts {
  const f = from.getTime();
  const t = to.getTime();
  if (!(t > f)) return { days: null, raw: [] };
  const span = (a: number, b: number, sign: 1 | -1): RawTimingSpan[] => (b > a ? [{ from: new Date(a), to: new Date(b), sign }] : []);
  const cost = (spans: RawTimingSpan[]) =>
    spans.reduce((sum, s) => sum + Math.max(0, Math.min(s.to.getTime(), now.getTime()) - s.from.getTime()), 0);
  const cheaper = (a: RawTimingSpan[], b: RawTimingSpan[]) => (cost(b) < cost(a) ? b : a);
  const first = Math.floor(f / DAY_MS) * DAY_MS;
  const last = Math.floor(t / DAY_MS) * DAY_MS;
  if (first === last) {
    // Inside one day: its rows in the window, or the whole day minus the rows before and after.
    const inside = span(f, t, 1);
    const whole = [...span(first, f, -1), ...span(t, first + DAY_MS, -1)];
    return cheaper(inside, whole) === inside
      ? { days: null, raw: inside }
      : { days: { from: new Date(first), to: new Date(first + DAY_MS) }, raw: whole };
  }
  const leftInside = span(f, first + DAY_MS, 1);
  const left = f === first ? [] : cheaper(leftInside, span(first, f, -1));
  const rightInside = span(last, t, 1);
  const right = t === last ? [] : cheaper(rightInside, span(t, last + DAY_MS, -1));
  const daysFrom = f === first || left !== leftInside ? first : first + DAY_MS;
  const daysTo = t === last || right === rightInside ? last : last + DAY_MS;
  return {
    days: daysTo > daysFrom ? { from: new Date(daysFrom), to: new Date(daysTo) } : null,
    raw: [...left, ...right],
  };
}

/** The 0-based ranks percentile_cont(0.5) interpolates between (one rank when the count is odd; none for 0). */
export function middleRanks(count: number): number[] {
  if (count <= 0) return [];
  const lo = Math.floor((count - 1) / 2);
  const hi = Math.ceil((count - 1) / 2);
  return lo === hi ? [lo] : [lo, hi];
}

/** The entry of a histogram (ascending keys) holding the value of 0-based `rank`, and how many come before it. */
export function entryAtRank(entries: { key: number; count: number }[], rank: number): { key: number; before: number } | null {
  let before = 0;
  for (const e of entries) {
    if (rank < before + e.count) return { key: e.key, before };
    before += e.count;
  }
  return null;
}
