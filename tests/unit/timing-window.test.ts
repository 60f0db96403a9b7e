import { describe, expect, it } from 'vitest';
import { entryAtRank, middleRanks, timingWindowParts } from '@/db/queries/timing-window';

const at = (iso: string) => new Date(iso);
const parts = (from: string, to: string, now: string) => {
  const p = timingWindowParts(at(from), at(to), at(now));
  return {
    days: p.days && [p.days.from.toISOString(), p.days.to.toISOString()],
    raw: p.raw.map((s) => [s.sign, s.from.toISOString(), s.to.toISOString()]),
  };
};

describe('timingWindowParts', () => {
  it('the last 30 days in UTC, ending now: whole days, today too, minus the rows after now (none are sent yet)', () => {
    expect(parts('2026-11-05T00:00:00Z', '2026-12-04T15:20:00Z', '2026-12-04T15:20:00Z')).toEqual({
      days: ['2026-11-05T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
      raw: [[-1, '2026-12-04T15:20:00.000Z', '2026-12-05T00:00:00.000Z']],
    });
  });

  it('days in a time zone behind UTC: the first UTC day whole minus its early hours, when that is less to read', () => {
    // Mexico City's midnight is 06:00 UTC: 6 hours to subtract rather than 18 to add.
    expect(parts('2026-11-05T06:00:00Z', '2026-12-04T15:20:00Z', '2026-12-04T15:20:00Z')).toEqual({
      days: ['2026-11-05T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
      raw: [
        [-1, '2026-11-05T00:00:00.000Z', '2026-11-05T06:00:00.000Z'],
        [-1, '2026-12-04T15:20:00.000Z', '2026-12-05T00:00:00.000Z'],
      ],
    });
    // India's midnight is 18:30 UTC the day before: 5.5 hours of that day to add.
    expect(parts('2026-11-04T18:30:00Z', '2026-12-04T15:20:00Z', '2026-12-04T15:20:00Z')).toEqual({
      days: ['2026-11-05T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
      raw: [
        [1, '2026-11-04T18:30:00.000Z', '2026-11-05T00:00:00.000Z'],
        [-1, '2026-12-04T15:20:00.000Z', '2026-12-05T00:00:00.000Z'],
      ],
    });
  });

  it('a past window ending early in a day adds those hours; one ending late takes the day minus the rest', () => {
    expect(parts('2026-11-01T00:00:00Z', '2026-11-03T05:00:00Z', '2026-12-04T00:00:00Z')).toEqual({
      days: ['2026-11-01T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
      raw: [[1, '2026-11-03T00:00:00.000Z', '2026-11-03T05:00:00.000Z']],
    });
    expect(parts('2026-11-01T00:00:00Z', '2026-11-03T20:00:00Z', '2026-12-04T00:00:00Z')).toEqual({
      days: ['2026-11-01T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      raw: [[-1, '2026-11-03T20:00:00.000Z', '2026-11-04T00:00:00.000Z']],
    });
  });

  it('inside one day: its rows when the window is short, the day minus both ends when it is long', () => {
    expect(parts('2026-11-03T10:00:00Z', '2026-11-03T12:30:00Z', '2026-12-04T00:00:00Z')).toEqual({
      days: null,
      raw: [[1, '2026-11-03T10:00:00.000Z', '2026-11-03T12:30:00.000Z']],
    });
    expect(parts('2026-11-03T02:00:00Z', '2026-11-03T23:00:00Z', '2026-12-04T00:00:00Z')).toEqual({
      days: ['2026-11-03T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      raw: [
        [-1, '2026-11-03T00:00:00.000Z', '2026-11-03T02:00:00.000Z'],
        [-1, '2026-11-03T23:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      ],
    });
  });

  it('the last 24 hours: yesterday’s evening as rows, today whole', () => {
    expect(parts('2026-12-03T16:00:00Z', '2026-12-04T15:20:00Z', '2026-12-04T15:20:00Z')).toEqual({
      days: ['2026-12-04T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
      raw: [
        [1, '2026-12-03T16:00:00.000Z', '2026-12-04T00:00:00.000Z'],
        [-1, '2026-12-04T15:20:00.000Z', '2026-12-05T00:00:00.000Z'],
      ],
    });
  });

  it('an empty window reads nothing', () => {
    expect(parts('2026-11-03T10:00:00Z', '2026-11-03T10:00:00Z', '2026-12-04T00:00:00Z')).toEqual({ days: null, raw: [] });
  });
});

describe('middleRanks and entryAtRank', () => {
  it('percentile_cont(0.5) takes the middle value of an odd count, the two middle ones of an even count', () => {
    expect(middleRanks(0)).toEqual([]);
    expect(middleRanks(1)).toEqual([0]);
    expect(middleRanks(4)).toEqual([1, 2]);
    expect(middleRanks(5)).toEqual([2]);
  });

  it('finds the entry holding a rank and how many values come before it', () => {
    const histogram = [
      { key: 3, count: 2 },
      { key: 7, count: 0 },
      { key: 9, count: 3 },
    ];
    expect(entryAtRank(histogram, 0)).toEqual({ key: 3, before: 0 });
    expect(entryAtRank(histogram, 1)).toEqual({ key: 3, before: 0 });
    expect(entryAtRank(histogram, 2)).toEqual({ key: 9, before: 2 });
    expect(entryAtRank(histogram, 4)).toEqual({ key: 9, before: 2 });
    expect(entryAtRank(histogram, 5)).toBeNull();
  });
});
