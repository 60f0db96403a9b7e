'use client';
import Link from 'next/link';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import useSWR, { useSWRConfig } from 'swr';
import useSWRInfinite from 'swr/infinite';
import type { GetBusinessNumbersResponse, GetConversationMessagesResponse } from '@/lib/inbox/read-api';
import { businessNumberLabel, contactLabel } from '@/app/_components/conversation-row';
import { ApiRequestError, fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { ThreadView } from '@/app/_components/thread-view';
import { useChanges, useCoalesced, usePollInterval } from '@/app/_components/use-live-updates';

const PAGE_SIZE = 50;
/** Within this many pixels of the bottom, new messages scroll into view; further up, the reader stays put. */
const STICK_TO_BOTTOM_PX = 120;

export function ConversationThread({ conversationId }: { conversationId: string }) {
  const pollInterval = usePollInterval();
  const base = `/api/conversations/${encodeURIComponent(conversationId)}/messages`;
  const { data, error, isLoading, size, setSize, mutate } = useSWRInfinite<GetConversationMessagesResponse>(
    (index, previous: GetConversationMessagesResponse | null) => {
      if (previous && !previous.nextCursor) return null;
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (index > 0 && previous?.nextCursor) params.set('before', previous.nextCursor);
      return `${base}?${params}`;
    },
    swrFetcher,
    { refreshInterval: pollInterval, revalidateFirstPage: true },
  );

  const refresh = useCoalesced(() => mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.conversations.includes(Number(conversationId))) refresh();
  });

  // Pages come newest first, each oldest-first inside: put them in reading order, each message once.
  const messages = useMemo(() => {
    const seen = new Set<string>();
    return [...(data ?? [])]
      .reverse()
      .flatMap((page) => page.messages)
      .filter((m) => !seen.has(m.id) && seen.add(m.id));
  }, [data]);
  const hasOlder = !!data?.at(-1)?.nextCursor;
  const loadingOlder = size > 0 && data !== undefined && data[size - 1] === undefined;
  const newest = messages.at(-1);
  const contact = newest?.contact ?? null;
  // Shared with the list's filter (same key): the business number as people know it.
  const numbers = useSWR<GetBusinessNumbersResponse>('/api/business-numbers', swrFetcher);
  const businessNumber = numbers.data?.businessNumbers.find((n) => n.id === newest?.businessPhoneNumberId);
  const businessLabel = newest && businessNumberLabel(businessNumber?.displayPhoneNumber, newest.businessPhoneNumberId);

  useMarkRead(conversationId, newest?.id);
  const { ref: scroller, newBelow, toBottom } = useStickToBottom(newest?.id, messages[0]?.id, messages.length);
  const topSentinel = useLoadOlderOnScroll(scroller, hasOlder && !loadingOlder, () => void setSize((s) => s + 1));

  if (error && !data) {
    const missing = error instanceof ApiRequestError && error.status === 404;
    return (
      <div className="m-auto max-w-sm p-6 text-center text-sm">
        <p role="alert" className="font-medium text-slate-800">
          {missing ? 'This conversation does not exist.' : `Could not load this conversation: ${(error as Error).message}`}
        </p>
        <Link href="/" className="mt-3 inline-block text-emerald-700 underline">
          Back to the inbox
        </Link>
      </div>
    );
  }

  return (
    <>
      <header className="flex shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <Link href="/" className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100 md:hidden" aria-label="Back to conversations">
          ←
        </Link>
        <div className="min-w-0">
          <h2 className="truncate font-medium">{contact ? contactLabel(contact) : isLoading ? 'Loading…' : 'Conversation'}</h2>
          {contact && (
            <p className="truncate text-xs text-slate-500">
              {contact.waId && contact.name ? `+${contact.waId}` : null}
              {businessLabel && <> · to {businessLabel}</>}
            </p>
          )}
        </div>
      </header>
      <div className="relative flex min-h-0 flex-1 flex-col">
        {newBelow && (
          <button
            type="button"
            onClick={toBottom}
            className="absolute right-4 bottom-4 z-10 rounded-full bg-emerald-600 px-4 py-2 text-sm font-medium text-white shadow-lg hover:bg-emerald-700"
          >
            New messages ↓
          </button>
        )}
        <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto px-3 py-4 sm:px-8">
          {hasOlder && (
            <div ref={topSentinel} className="mb-3 text-center">
              <button
                type="button"
                disabled={loadingOlder}
                onClick={() => setSize((s) => s + 1)}
                className="rounded-full bg-white px-4 py-1 text-xs text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-60"
              >
                {loadingOlder ? 'Loading…' : 'Load older messages'}
              </button>
            </div>
          )}
          {isLoading && !data ? <p className="py-8 text-center text-sm text-slate-500">Loading messages…</p> : <ThreadView messages={messages} />}
        </div>
      </div>
    </>
  );
}

/**
 * Opening a conversation (and every new message while it is open and the tab is in view) marks it
 * read for everyone. A tab in the background leaves it unread until someone looks.
 */
function useMarkRead(conversationId: string, newestId: string | undefined) {
  const { mutate } = useSWRConfig();
  useEffect(() => {
    if (!newestId) return;
    const markRead = () => {
      if (document.visibilityState === 'hidden') return;
      fetchJson(`/api/conversations/${encodeURIComponent(conversationId)}/read`, { method: 'POST' })
        // The list's own copy: other browsers hear of it through the change stream.
        .then(() => mutate((key) => typeof key === 'string' && key.includes('/api/conversations?')))
        .catch(() => {});
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [conversationId, newestId, mutate]);
}

/**
 * Starts at the newest message; follows new ones only while the reader is at the bottom; and when
 * older messages are added above, keeps the reader's place instead of jumping.
 */
function useStickToBottom(newestId: string | undefined, oldestId: string | undefined, count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef({ count: 0, newestId: undefined as string | undefined, oldestId: undefined as string | undefined, scrollHeight: 0 });
  // A message arrived while the reader was further up: offer a way down instead of yanking them there.
  const [newBelow, setNewBelow] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
      if (atBottom.current) setNewBelow(false);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const before = previous.current;
    if (before.count === 0 && count > 0) el.scrollTop = el.scrollHeight;
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    else if (oldestId !== before.oldestId && before.count > 0) el.scrollTop += el.scrollHeight - before.scrollHeight;
    if (before.count > 0 && newestId !== before.newestId && !atBottom.current) setNewBelow(true);
    previous.current = { count, newestId, oldestId, scrollHeight: el.scrollHeight };
  }, [newestId, oldestId, count]);
  const toBottom = () => {
    const el = ref.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    setNewBelow(false);
  };
  return { ref, newBelow, toBottom };
}

/** Loads the previous page when the top of the thread scrolls into view. */
function useLoadOlderOnScroll(scroller: React.RefObject<HTMLDivElement | null>, enabled: boolean, loadOlder: () => void) {
  const sentinel = useRef<HTMLDivElement>(null);
  const latest = useRef(loadOlder);
  useEffect(() => {
    latest.current = loadOlder;
  });
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !enabled) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && latest.current(), {
      root: scroller.current,
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [enabled, scroller]);
  return sentinel;
}
