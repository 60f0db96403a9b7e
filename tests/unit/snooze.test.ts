import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_SNOOZE_MS,
  nextWeek,
  parseDateTimeLocalValue,
  snoozePresets,
  snoozeUntilProblem,
  toDateTimeLocalValue,
  tomorrowMorning,
} from '@/lib/inbox/snooze';

// The thread's snooze times, in the viewer's local time: calendar days and 09:00 on them, whatever
// daylight saving does in between; and the one rule for how far a snooze may reach.

/** Runs the tests of a block with the process in a time zone (Node reads TZ again when it is set). */
function inTimeZone(zone: string) {
  const before = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = zone;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });
}

describe('in Berlin (summer time starts on Sunday 29 March 2026, 02:00 → 03:00)', () => {
  inTimeZone('Europe/Berlin');

  it('runs in that zone', () => {
    expect(new Date('2026-01-15T12:00:00Z').getHours()).toBe(13);
    expect(new Date('2026-07-15T12:00:00Z').getHours()).toBe(14);
  });

  it('tomorrow morning is 09:00 on the next calendar day, also across the change', () => {
    expect(tomorrowMorning(new Date(2026, 2, 4, 15, 20)).toISOString()).toBe('2026-03-05T08:00:00.000Z');
    // Saturday night before the change: Sunday 09:00 is summer time (UTC+2), 9½ hours later, not 10½.
    expect(tomorrowMorning(new Date(2026, 2, 28, 22, 30)).toISOString()).toBe('2026-03-29T07:00:00.000Z');
    // Just after midnight it is still the next day's morning.
    expect(tomorrowMorning(new Date(2026, 2, 4, 0, 5)).toISOString()).toBe('2026-03-05T08:00:00.000Z');
    // The last day of a month and of a year.
    expect(toDateTimeLocalValue(tomorrowMorning(new Date(2026, 3, 30, 18, 0)))).toBe('2026-05-01T09:00');
    expect(toDateTimeLocalValue(tomorrowMorning(new Date(2026, 11, 31, 18, 0)))).toBe('2027-01-01T09:00');
  });

  it('next week is the coming Monday at 09:00; on a Monday, the one after', () => {
    // Wednesday 4 March → Monday 9 March.
    expect(toDateTimeLocalValue(nextWeek(new Date(2026, 2, 4, 15, 0)))).toBe('2026-03-09T09:00');
    // Sunday → the next day.
    expect(toDateTimeLocalValue(nextWeek(new Date(2026, 2, 8, 20, 0)))).toBe('2026-03-09T09:00');
    // Monday before 09:00 → still a week later.
    expect(toDateTimeLocalValue(nextWeek(new Date(2026, 2, 9, 8, 0)))).toBe('2026-03-16T09:00');
    // Saturday → Monday.
    expect(toDateTimeLocalValue(nextWeek(new Date(2026, 2, 14, 9, 0)))).toBe('2026-03-16T09:00');
    // Across the change: Monday 30 March 09:00 is summer time.
    expect(nextWeek(new Date(2026, 2, 25, 12, 0)).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('1 hour is sixty minutes on the clock of the world, even when the wall clock jumps', () => {
    const beforeChange = new Date('2026-03-29T00:30:00Z'); // 01:30 winter time
    const [hour, tomorrow, week] = snoozePresets(beforeChange);
    expect(hour).toEqual({ label: '1 hour', until: new Date('2026-03-29T01:30:00Z') });
    expect(hour!.until.getHours()).toBe(3);
    expect(tomorrow!.label).toBe('Tomorrow morning');
    expect(toDateTimeLocalValue(tomorrow!.until)).toBe('2026-03-30T09:00');
    expect(week!.label).toBe('Next week');
    expect(toDateTimeLocalValue(week!.until)).toBe('2026-03-30T09:00');
  });

  it('reads and writes what a datetime-local input holds, as local time', () => {
    expect(parseDateTimeLocalValue('2026-03-05T09:00')!.toISOString()).toBe('2026-03-05T08:00:00.000Z');
    expect(parseDateTimeLocalValue('2026-07-05T09:00:30')!.toISOString()).toBe('2026-07-05T07:00:30.000Z');
    expect(toDateTimeLocalValue(new Date('2026-07-05T07:00:30Z'))).toBe('2026-07-05T09:00');
    for (const bad of ['', '2026-02-30T10:00', '2026-13-01T10:00', '5 March', '2026-03-05', '2026-03-05T9:00']) {
      expect(parseDateTimeLocalValue(bad), bad).toBeNull();
    }
  });
});

describe('in New York', () => {
  inTimeZone('America/New_York');

  it('tomorrow morning and next week are 09:00 there', () => {
    // Friday 6 March 2026, 23:59 EST → Saturday 09:00 EST (UTC-5).
    expect(tomorrowMorning(new Date(2026, 2, 6, 23, 59)).toISOString()).toBe('2026-03-07T14:00:00.000Z');
    // Summer time starts Sunday 8 March in the US: Monday 9 March 09:00 is EDT (UTC-4).
    expect(nextWeek(new Date(2026, 2, 6, 23, 59)).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });
});

describe('how far a snooze may reach', () => {
  const now = new Date('2026-03-04T12:00:00Z');

  it('must end in the future, within a year', () => {
    expect(snoozeUntilProblem(new Date(now.getTime() + 60_000), now)).toBeNull();
    expect(snoozeUntilProblem(new Date('2027-03-04T12:00:00Z'), now)).toBeNull();
    expect(snoozeUntilProblem(new Date(now.getTime() + MAX_SNOOZE_MS), now)).toBeNull();
    expect(snoozeUntilProblem(now, now)).toBe('must be in the future');
    expect(snoozeUntilProblem(new Date(now.getTime() - 1), now)).toBe('must be in the future');
    expect(snoozeUntilProblem(new Date(now.getTime() + MAX_SNOOZE_MS + 1), now)).toBe('must be at most a year from now');
    expect(snoozeUntilProblem(new Date(Number.NaN), now)).toBe('must be a date and time');
  });
});
