import { useMemo } from 'react';
import { ActivityItem } from '@/app/_components/activity-item';
import { MessageBubble } from '@/app/_components/message-bubble';
import { placeActivity } from '@/lib/inbox/activity-lines';
import { buildThread, type ThreadDaySeparator } from '@/lib/inbox/message-view';
import type { ApiActivityEntry } from '@/lib/contracts/activity';
import type { ApiMessage } from '@/lib/contracts/inbox';

export interface ThreadViewProps {
  /** Oldest first, as the API returns them. */
  messages: ApiMessage[];
  /** Trail entries to place between the messages at their time (notes, system lines), oldest first. */
  activity?: ApiActivityEntry[];
  /** For the "Today"/"Yesterday" labels; the current time by default. */
  now?: Date;
}

export function DaySeparator({ item }: { item: ThreadDaySeparator }) {
  return (
    <div data-testid="day-separator" data-day={item.day} className="my-2 flex justify-center">
      <span className="rounded-md bg-white px-3 py-1 text-xs text-slate-600 shadow-sm">{item.label}</span>
    </div>
  );
}

export function ThreadView({ messages, activity, now }: ThreadViewProps) {
  const nowMs = now?.getTime();
  const items = useMemo(() => {
    const at = nowMs === undefined ? new Date() : new Date(nowMs);
    return placeActivity(buildThread(messages, at), activity ?? [], at);
  }, [messages, activity, nowMs]);
  if (items.length === 0) {
    return <p className="py-8 text-center text-sm text-slate-500">No messages yet</p>;
  }
  return (
    <ol className="flex flex-col gap-1.5" aria-label="Messages">
      {items.map((item) => (
        <li key={item.key}>
          {item.kind === 'day' ? (
            <DaySeparator item={item} />
          ) : item.kind === 'activity' ? (
            <ActivityItem entry={item.entry} />
          ) : (
            <MessageBubble item={item} />
          )}
        </li>
      ))}
    </ol>
  );
}
