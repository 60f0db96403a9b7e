// How the inbox writes times: in the viewer's own time zone and locale. PURE.

export function parseDate(iso: string | null | undefined): Date | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * `date` in the viewer's locale with these Intl options: what `date.toLocaleString(undefined, options)`
 * writes, with one formatter kept per set of options. Each toLocale*String call with options builds a new
 * Intl.DateTimeFormat, which costs far more than formatting: a thread's refetch spent 15 ms of the page's
 * time on the tooltips' dates alone.
 */
export function formatLocal(date: Date, options: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(options);
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, options);
    formatters.set(key, formatter);
  }
  return formatter.format(date);
}
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The viewer's local calendar day, as YYYY-MM-DD. */
export function localDayKey(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/** Whole local calendar days from `date` to `now` (0 = same day); DST-safe. */
function daysBetween(date: Date, now: Date): number {
  const a = startOfDay(date);
  const b = startOfDay(now);
  return Math.round(
    (Date.UTC(b.getFullYear(), b.getMonth(), b.getDate()) - Date.UTC(a.getFullYear(), a.getMonth(), a.getDate())) / 86_400_000,
  );
}

/** HH:MM in the viewer's time zone; '' for an unusable timestamp. */
export function formatTime(iso: string): string {
  const date = parseDate(iso);
  return date ? `${pad2(date.getHours())}:${pad2(date.getMinutes())}` : '';
}

/** A day separator's label: "Today", "Yesterday", a weekday within the week, else a date. */
export function formatDayLabel(date: Date, now: Date = new Date()): string {
  const days = daysBetween(date, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return formatLocal(date, { weekday: 'long' });
  return formatLocal(date, {
    day: 'numeric',
    month: 'long',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/** The conversation list's time: "now", "5m", "3h" (today), "Yesterday", a weekday, or a date. */
export function formatRelativeTime(iso: string | null, now: Date = new Date()): string {
  const date = parseDate(iso);
  if (!date) return '';
  const seconds = (now.getTime() - date.getTime()) / 1000;
  // A little in the future is clock skew, not a date to print.
  if (seconds < 60 && seconds > -300) return 'now';
  if (seconds > 0 && seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  const days = daysBetween(date, now);
  if (seconds > 0 && days === 0) return `${Math.floor(seconds / 3600)}h`;
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return formatLocal(date, { weekday: 'short' });
  return formatLocal(date, {
    day: 'numeric',
    month: 'short',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: '2-digit' }),
  });
}

/** A full date and time for logs and tables ("3 Dec 2026, 15:30:12"); '' for an unusable timestamp. */
export function formatDateTime(iso: string | null | undefined): string {
  const date = parseDate(iso);
  return date ? formatLocal(date, { dateStyle: 'medium', timeStyle: 'medium' }) : '';
}
