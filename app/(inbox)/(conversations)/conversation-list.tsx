'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useBusinessNumbers, useConversationCounts, useConversations, useLabels } from '@/app/_components/api/use-inbox';
import { ConversationRow, businessNumberLabel } from '@/app/_components/conversation-row';
import { LabelChip } from '@/app/_components/label-chip';
import { Select } from '@/app/_components/ui/input';
import { useDebounced } from '@/app/_components/use-debounced';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';
import type { ConversationStatus } from '@/lib/contracts/inbox';
import { formatSnoozeTime } from '@/lib/inbox/snooze';
import { listRefetchFor } from '@/lib/realtime/refetch';
import { STATUS_TABS, StatusTabs } from './status-tabs';
import { assigneeParamOf, useListView, ViewSwitch, viewQuery } from './view-switch';

const LIST_ID = 'conversation-list';

/** The list: a tab per status, search, business-number filter, newest activity first, more pages as you scroll. */
export function ConversationList({ selectedId }: { selectedId: string | null }) {
  const router = useRouter();
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim(), 250);
  const [number, setNumber] = useState('');
  const [status, setStatus] = useState<ConversationStatus>('open');
  const [labelId, setLabelId] = useState('');
  const [view, setView] = useListView();

  const numbers = useBusinessNumbers({ poll: true });
  const businessNumbers = numbers.data?.businessNumbers ?? [];

  // Pages can overlap while activity reorders the list: the hook shows each conversation once.
  const list = useConversations({ q: query, businessPhoneNumberId: number, status, labelId, assignee: assigneeParamOf(view) });
  const { items: conversations, pages: data, error, isLoading, hasMore, loadingMore, loadMore } = list;
  const counts = useConversationCounts(number, status);
  // Refetched by useLabels itself on every label change (the `labels` topic).
  const labels = useLabels();
  const allLabels = labels.data?.labels ?? [];
  // A label deleted elsewhere: back to every label.
  const filteredLabel = labelId === '' ? null : allLabels.find((l) => l.id === labelId);
  useEffect(() => {
    if (labels.data && labelId !== '' && !labels.data.labels.some((l) => l.id === labelId)) setLabelId('');
  }, [labels.data, labelId]);

  const refreshList = useCoalesced(list.refresh);
  const refreshCounts = useCoalesced(() => counts.mutate());
  const refreshNumbers = useCoalesced(() => numbers.mutate());
  useChanges((notice) => {
    if (listRefetchFor(notice)) {
      refreshList();
      // Any change may move a conversation between tabs (a status set, a customer writing again, a snooze ending).
      refreshCounts();
    }
    // The numbers' counts change only with a conversation this page has not seen (or after a gap).
    const shown = new Set(conversations.map((c) => c.id));
    if (!notice || notice.partial || notice.conversations.some((id) => !shown.has(String(id)))) refreshNumbers();
  });

  // Infinite scroll: load the next page when the sentinel at the bottom comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loadingMore) loadMore();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, loadMore]);

  const now = useNow(30_000);
  const open = (id: string) => router.push(`/conversations/${encodeURIComponent(id)}${viewQuery(view)}`);

  // ↑/↓ move focus through the rows (Home/End to the ends); Enter opens, as buttons do.
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
    if (!keys.includes(event.key)) return;
    const rows = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-testid="conversation"]'));
    if (rows.length === 0) return;
    event.preventDefault();
    const current = rows.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? rows.length - 1
          : current === -1
            ? 0
            : current + (event.key === 'ArrowDown' ? 1 : -1);
    const target = rows[Math.max(0, Math.min(rows.length - 1, next))];
    target?.focus();
    target?.scrollIntoView({ block: 'nearest' });
    if (event.key === 'ArrowDown' && next >= rows.length - 1 && hasMore) loadMore();
  }

  const filtered = query !== '' || number !== '' || labelId !== '';
  const selectedIndex = conversations.findIndex((c) => c.id === selectedId);
  const allCounts = counts.data?.counts;
  const noConversationsAtAll = allCounts !== undefined && Object.values(allCounts).every((n) => n === 0);
  const tabLabel = STATUS_TABS.find((t) => t.status === status)?.label ?? status;

  return (
    <>
      <div className="shrink-0 space-y-2 border-b border-slate-200 p-3">
        <ViewSwitch value={view} onChange={setView} unread={counts.data?.views} controls={LIST_ID} />
        <StatusTabs value={status} onChange={setStatus} counts={allCounts} controls={LIST_ID} />
        <label className="block">
          <span className="sr-only">Search conversations</span>
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search name, number or message"
            className="w-full rounded-lg bg-slate-100 px-3 py-2 text-sm focus:bg-white focus:ring-2 focus:ring-emerald-200 focus:outline-none"
          />
        </label>
        {query !== '' && data?.[0]?.searchedMessageText === false && (
          <p className="px-1 text-xs text-slate-500">Names and numbers only: type three letters or digits to search messages too.</p>
        )}
        {(businessNumbers.length > 1 || allLabels.length > 0) && (
          <div className="flex flex-wrap gap-x-3 gap-y-2">
            {businessNumbers.length > 1 && (
              <label className="flex min-w-40 flex-1 items-center gap-2 text-xs text-slate-600">
                <span>Business number</span>
                <Select fieldSize="xs" value={number} onChange={(e) => setNumber(e.target.value)} className="min-w-0 flex-1">
                  <option value="">All numbers</option>
                  {businessNumbers.map((n) => (
                    <option key={n.id} value={n.id}>
                      {businessNumberLabel(n.displayPhoneNumber, n.id)} ({n.conversationCount})
                    </option>
                  ))}
                </Select>
              </label>
            )}
            {allLabels.length > 0 && (
              <label className="flex min-w-32 flex-1 items-center gap-2 text-xs text-slate-600">
                <span>Label</span>
                <Select fieldSize="xs" value={labelId} onChange={(e) => setLabelId(e.target.value)} className="min-w-0 flex-1">
                  <option value="">All labels</option>
                  {allLabels.map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.name} ({l.conversationCount})
                    </option>
                  ))}
                </Select>
              </label>
            )}
          </div>
        )}
      </div>
      <div
        id={LIST_ID}
        className="min-h-0 flex-1 overflow-y-auto"
        onKeyDown={onKeyDown}
        role="list"
        aria-label="Conversation list"
        aria-busy={isLoading}
      >
        {error && !data && (
          <p role="alert" className="p-4 text-sm text-red-700">
            Could not load conversations: {error.message}
          </p>
        )}
        {isLoading && !data && <ListSkeleton />}
        {data &&
          conversations.length === 0 &&
          (filtered ? (
            <NoMatches query={query} tab={tabLabel} label={filteredLabel?.name} />
          ) : view !== 'all' ? (
            <p className="p-6 text-sm text-slate-600">
              {view === 'mine' ? 'Nothing assigned to you' : 'No unassigned conversations'} in {tabLabel}.
            </p>
          ) : noConversationsAtAll ? (
            <EmptyInbox />
          ) : (
            <EmptyTab status={status} />
          ))}
        {conversations.map((conversation, index) => (
          <div role="listitem" key={conversation.id}>
            <ConversationRow
              conversation={conversation}
              selected={conversation.id === selectedId}
              showBusinessNumber={businessNumbers.length > 1}
              now={now}
              onSelect={open}
              // One tab stop for the whole list: the open row, else the first.
              tabIndex={index === (selectedIndex === -1 ? 0 : selectedIndex) ? 0 : -1}
              // The snooze's end goes below the row, inside its border.
              className={conversation.snoozedUntil || conversation.labels.length > 0 ? 'border-b-0!' : ''}
            />
            {conversation.labels.length > 0 && (
              <ul
                aria-label="Labels"
                className={`-mt-1.5 flex flex-wrap gap-1 pr-3 pb-2 pl-17 ${conversation.snoozedUntil ? '' : 'border-b border-slate-100'} ${conversation.id === selectedId ? 'bg-slate-100' : 'bg-white'}`}
              >
                {conversation.labels.map((label) => (
                  <li key={label.id} className="min-w-0">
                    <LabelChip label={label} size="xs" />
                  </li>
                ))}
              </ul>
            )}
            {conversation.snoozedUntil && (
              <p
                className={`${conversation.labels.length > 0 ? '' : '-mt-1.5'} border-b border-slate-100 pr-3 pb-2 pl-17 text-[11px] text-amber-700 ${conversation.id === selectedId ? 'bg-slate-100' : 'bg-white'}`}
              >
                Snoozed until <time dateTime={conversation.snoozedUntil}>{formatSnoozeTime(new Date(conversation.snoozedUntil), now)}</time>
              </p>
            )}
          </div>
        ))}
        {hasMore && (
          <div ref={sentinel} className="p-3 text-center text-xs text-slate-500">
            {loadingMore ? 'Loading more…' : ''}
          </div>
        )}
      </div>
    </>
  );
}

function EmptyInbox() {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <div className="p-6 text-sm text-slate-600">
      <p className="font-medium text-slate-800">No conversations yet</p>
      <p className="mt-2">Messages appear here as soon as WhatsApp delivers them. To connect:</p>
      <ol className="mt-2 list-decimal space-y-1 pl-5">
        <li>
          In Meta&apos;s App Dashboard (WhatsApp → Configuration), set the callback URL to{' '}
          <code className="rounded bg-slate-100 px-1 break-all">{origin}/api/webhook</code> and the verify token to your{' '}
          <code className="rounded bg-slate-100 px-1">WHATSAPP_VERIFY_TOKEN</code>.
        </li>
        <li>Subscribe to the “messages” field.</li>
      </ol>
      <p className="mt-3">
        Trying it locally? Run <code className="rounded bg-slate-100 px-1">npm run simulate</code> to post sample webhooks.
      </p>
    </div>
  );
}

function NoMatches({ query, tab, label }: { query: string; tab: string; label?: string }) {
  const labelled = label ? ` labelled “${label}”` : '';
  return (
    <p className="p-6 text-sm text-slate-600">
      {query ? (
        <>
          No conversations{labelled} match “{query}” in {tab}.
        </>
      ) : label ? (
        <>
          No conversations{labelled} in {tab}.
        </>
      ) : (
        <>No conversations in {tab} on this number.</>
      )}
    </p>
  );
}

const EMPTY_TAB: Record<ConversationStatus, string> = {
  open: 'No open conversations: nothing is waiting for an answer.',
  pending: 'No pending conversations: none is waiting on a customer.',
  snoozed: 'No snoozed conversations.',
  resolved: 'No resolved conversations yet.',
};

function EmptyTab({ status }: { status: ConversationStatus }) {
  return <p className="p-6 text-sm text-slate-600">{EMPTY_TAB[status]}</p>;
}

function ListSkeleton() {
  return (
    <div role="status" aria-label="Loading conversations" className="animate-pulse">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="flex items-center gap-3 border-b border-slate-100 px-3 py-3">
          <div className="h-11 w-11 rounded-full bg-slate-200" />
          <div className="flex-1 space-y-2">
            <div className="h-3 w-1/2 rounded bg-slate-200" />
            <div className="h-3 w-3/4 rounded bg-slate-100" />
          </div>
        </div>
      ))}
    </div>
  );
}

/** The current time, refreshed every `ms`, so relative times ("5m") stay true. */
function useNow(ms: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
