'use client';
import Link from 'next/link';
import { ArrowLeft } from 'lucide-react';
import { useConversationActivity } from '@/app/_components/api/use-activity';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';
import { Button } from '@/app/_components/ui/button';
import { EmptyState, LoadState } from '@/app/_components/ui/states';
import { DateTime } from '@/app/_components/ui/time';
import type { ApiActivityEntry } from '@/lib/contracts/activity';
import { describeActivity } from '@/lib/inbox/activity-lines';

// Everything done in one conversation, newest first: notes, status changes, labels, assignments, every
// message sent and retried. Live by the conversation's change notices.

function whatOf(entry: ApiActivityEntry): string {
  if (entry.action === 'note') return `${entry.actor.name} wrote a note: ${entry.body ?? ''}`;
  if (entry.action === 'message_sent') return `${entry.actor.name} sent a message (${String(entry.details.type ?? 'message')})`;
  return describeActivity(entry) ?? `${entry.actor.name}: ${entry.action}`;
}

export function ConversationActivityLog({ conversationId }: { conversationId: string }) {
  const trail = useConversationActivity(conversationId);
  const refresh = useCoalesced(() => trail.refresh());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.conversations.includes(Number(conversationId))) refresh();
  });
  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-y-auto bg-slate-50 px-4 py-4">
      <div className="mb-3 flex items-center gap-2">
        <Link
          href={`/conversations/${encodeURIComponent(conversationId)}`}
          className="inline-flex items-center gap-1 rounded px-2 py-1 text-sm text-emerald-700 hover:bg-emerald-50"
        >
          <ArrowLeft className="size-4" aria-hidden="true" />
          Back to the conversation
        </Link>
        <h2 className="text-base font-semibold">Activity</h2>
      </div>
      <div className="rounded-lg border border-slate-200 bg-white">
        <LoadState isLoading={trail.isLoading} error={trail.error} what="the activity" />
        {!trail.isLoading && !trail.error && trail.items.length === 0 && <EmptyState>Nothing has been done here yet.</EmptyState>}
        <ol aria-label="Activity">
          {trail.items.map((entry) => (
            <li
              key={entry.id}
              data-testid="activity-entry"
              data-action={entry.action}
              className="flex gap-3 border-b border-slate-100 px-4 py-2 text-sm last:border-0"
            >
              <span className="shrink-0 whitespace-nowrap text-slate-500">
                <DateTime iso={entry.at} />
              </span>
              <span className={`min-w-0 break-words whitespace-pre-wrap ${entry.action === 'note' ? 'text-amber-900' : ''}`}>
                {whatOf(entry)}
              </span>
            </li>
          ))}
        </ol>
        {trail.hasMore && (
          <div className="border-t border-slate-200 p-3 text-center">
            <Button onClick={trail.loadMore} disabled={trail.loadingMore}>
              {trail.loadingMore ? 'Loading…' : 'Older entries'}
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}
