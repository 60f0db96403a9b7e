import type { ApiActivityEntry, PersonRef } from '@/lib/contracts/activity';
import { formatDayLabel, formatLocal, localDayKey } from './format-time';
import type { ThreadDaySeparator, ThreadItem } from './message-view';

// The trail in the thread: what each entry says as a system line, and where entries go between the
// messages (by time, each under the day separator of its own day). PURE.

export interface ThreadActivityItem {
  kind: 'activity';
  key: string;
  entry: ApiActivityEntry;
}

export type ThreadItemWithActivity = ThreadItem | ThreadActivityItem;

const STATUS_WORDS = { resolved: 'Resolved', pending: 'Marked pending', open: 'Reopened' } as const;

function formatUntil(iso: string, now: Date): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const soon = date.getTime() - now.getTime() < 6 * 86_400_000;
  return formatLocal(date, {
    ...(soon ? { weekday: 'short' } : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
  });
}

const nameOf = (value: unknown) => (value as PersonRef | undefined)?.name ?? 'someone';

/** The system line of an entry ("Resolved by Ana"); null for what needs none (notes, messages sent). */
export function describeActivity(entry: ApiActivityEntry, now: Date = new Date()): string | null {
  const actor = entry.actor.name;
  const d = entry.details;
  switch (entry.action) {
    case 'note':
    case 'message_sent':
      return null;
    case 'assigned':
      return `${actor} assigned this to ${nameOf(d.assignee)}`;
    case 'unassigned':
      return `${actor} unassigned ${nameOf(d.previous)}`;
    case 'status': {
      const status = d.status as string;
      if (status === 'snoozed')
        return `Snoozed by ${actor}${typeof d.snoozedUntil === 'string' ? ` until ${formatUntil(d.snoozedUntil, now)}` : ''}`;
      if (status === 'open' && entry.actor.kind === 'system' && actor === 'Snooze') return 'The snooze ended: open again';
      if (status === 'open' && entry.actor.kind === 'system' && actor === 'Customer') return "Reopened by the customer's message";
      const word = STATUS_WORDS[status as keyof typeof STATUS_WORDS];
      return word ? `${word} by ${actor}` : `${actor} set the status to ${status}`;
    }
    case 'label_added':
      return `${actor} added the label ${(d.label as { name?: string } | undefined)?.name ?? ''}`.trimEnd();
    case 'label_removed':
      return `${actor} removed the label ${(d.label as { name?: string } | undefined)?.name ?? ''}`.trimEnd();
    case 'message_retried':
      return `${actor} retried a message`;
    default:
      return null;
  }
}

/** Whether the thread shows an entry at all (a line or a note). */
export const showsInThread = (entry: ApiActivityEntry) => entry.action === 'note' || describeActivity(entry) !== null;

/**
 * The thread's items with the trail's entries (oldest first) placed at their time: after every message
 * sent at or before it, under the separator of its day (one is added for a day without messages).
 */
export function placeActivity(items: ThreadItem[], entries: ApiActivityEntry[], now: Date = new Date()): ThreadItemWithActivity[] {
  const pending = entries.filter(showsInThread);
  if (pending.length === 0) return items;
  const out: ThreadItemWithActivity[] = [];
  let currentDay: string | null = null;
  let next = 0;
  const flush = (untilMs: number, beforeDay: string | null) => {
    while (next < pending.length) {
      const entry = pending[next]!;
      const at = new Date(entry.at);
      const day = localDayKey(at);
      if (at.getTime() > untilMs && !(beforeDay !== null && day < beforeDay)) break;
      if (day !== currentDay) {
        const separator: ThreadDaySeparator = { kind: 'day', key: `day-${day}-activity`, day, label: formatDayLabel(at, now) };
        out.push(separator);
        currentDay = day;
      }
      out.push({ kind: 'activity', key: `activity-${entry.id}`, entry });
      next += 1;
    }
  };
  for (const item of items) {
    if (item.kind === 'day') {
      // Entries of earlier days go before this day's separator.
      flush(Number.NEGATIVE_INFINITY, item.day);
      if (item.day === currentDay) continue;
      currentDay = item.day;
      out.push(item);
      continue;
    }
    const at = Date.parse(item.message.timestamp);
    if (!Number.isNaN(at)) flush(at, null);
    out.push(item);
  }
  flush(Number.POSITIVE_INFINITY, null);
  return out;
}
