import { StickyNote } from 'lucide-react';
import type { ApiActivityEntry, PersonRef } from '@/lib/contracts/activity';
import { describeActivity } from '@/lib/inbox/activity-lines';
import { formatDateTime, formatTime } from '@/lib/inbox/format-time';
import { splitMentions } from '@/lib/inbox/note-text';

// The trail in the thread: a note as an amber card (private, with its author, time and highlighted
// mentions), anything else as a small centred system line. Names and note text are text, never HTML.

export function ActivityItem({ entry }: { entry: ApiActivityEntry }) {
  if (entry.action === 'note') return <NoteCard entry={entry} />;
  const line = describeActivity(entry);
  if (line === null) return null;
  return (
    <div data-testid="activity-line" data-action={entry.action} className="my-1 flex justify-center">
      <span className="rounded-full bg-slate-200/70 px-3 py-0.5 text-center text-xs text-slate-600" title={formatDateTime(entry.at)}>
        {line} · {formatTime(entry.at)}
      </span>
    </div>
  );
}

export function NoteCard({ entry }: { entry: ApiActivityEntry }) {
  const mentions = Array.isArray(entry.details.mentions) ? (entry.details.mentions as PersonRef[]) : [];
  return (
    <article
      data-testid="note"
      aria-label={`Note by ${entry.actor.name}`}
      className="mx-auto my-1 w-full max-w-xl rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-slate-800 shadow-sm"
    >
      <header className="mb-0.5 flex items-center gap-1.5 text-xs text-amber-900">
        <StickyNote className="size-3.5 shrink-0" aria-hidden="true" />
        <span className="font-semibold uppercase tracking-wide">Note</span>
        <span className="font-medium">{entry.actor.name}</span>
        <time dateTime={entry.at} title={formatDateTime(entry.at)} className="ml-auto text-amber-800/80">
          {formatTime(entry.at)}
        </time>
      </header>
      <p className="break-words whitespace-pre-wrap">
        {splitMentions(entry.body ?? '', mentions).map((part, i) =>
          part.kind === 'mention' ? (
            <mark key={i} data-testid="note-mention" className="rounded bg-amber-200 px-0.5 font-medium text-amber-950">
              {part.text}
            </mark>
          ) : (
            <span key={i}>{part.text}</span>
          ),
        )}
      </p>
    </article>
  );
}
