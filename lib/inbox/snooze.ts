import { formatLocal } from './format-time';

// Until when a conversation may be snoozed, and the times the thread offers. PURE; local times are the
// viewer's own (the browser's time zone), as everywhere in the inbox.

/** The furthest a snooze may reach: a year (366 days, so "same day next year" always fits). */
export const MAX_SNOOZE_MS = 366 * 24 * 60 * 60_000;

/** The hour a "morning" preset wakes a conversation, local time. */
export const MORNING_HOUR = 9;

/**
 * Why `until` cannot end a snooze set at `now` ("must be in the future"), to follow the field's name in
 * the API's 400 and "The snooze time" in the thread; null when it can. The server and the browser ask the same.
 */
export function snoozeUntilProblem(until: Date, now: Date): string | null {
  if (Number.isNaN(until.getTime())) return 'must be a date and time';
  if (until.getTime() <= now.getTime()) return 'must be in the future';
  if (until.getTime() - now.getTime() > MAX_SNOOZE_MS) return 'must be at most a year from now';
  return null;
}

export interface SnoozePreset {
  label: string;
  until: Date;
}

/** The next day, MORNING_HOUR:00 local (a calendar day: DST days are 23 or 25 hours long). */
export function tomorrowMorning(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, MORNING_HOUR, 0, 0, 0);
}

/** The coming Monday, MORNING_HOUR:00 local; on a Monday, the one a week later. */
export function nextWeek(now: Date): Date {
  const daysToMonday = ((8 - now.getDay()) % 7) + (now.getDay() === 1 ? 7 : 0);
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToMonday, MORNING_HOUR, 0, 0, 0);
}

/** The thread's snooze menu: in an hour, tomorrow morning, next week. */
export function snoozePresets(now: Date): SnoozePreset[] {
  return [
    { label: '1 hour', until: new Date(now.getTime() + 60 * 60_000) },
    { label: 'Tomorrow morning', until: tomorrowMorning(now) },
    { label: 'Next week', until: nextWeek(now) },
  ];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A local time as an <input type="datetime-local"> holds it: "2026-03-02T09:00". */
export function toDateTimeLocalValue(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}T${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** The local time an <input type="datetime-local"> holds; null for an empty or malformed value. */
export function parseDateTimeLocalValue(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hours = 0, minutes = 0, seconds = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  // No 31 February: the Date constructor would roll it over into March.
  return date.getDate() === day && date.getMonth() === month - 1 ? date : null;
}

/** "Tue 3 Mar, 09:00" (the year too when it is not this one), in the viewer's locale. */
export function formatSnoozeTime(date: Date, now: Date = new Date()): string {
  return formatLocal(date, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  });
}
