'use client';
import Link from 'next/link';
import { ArrowLeft } from 'lucide-react';
import { type DragEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { CONVERSATIONS } from '@/app/_components/api/keys';
import { useThreadActivity } from '@/app/_components/api/use-activity';
import { postConversationRead, useConversation, useConversationMessages } from '@/app/_components/api/use-inbox';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import { postMessage, retryMessage } from '@/app/_components/api/use-outbox';
import { businessNumberLabel, contactLabel } from '@/app/_components/conversation-row';
import { ApiRequestError } from '@/app/_components/fetch-json';
import { type ThreadActions, ThreadActionsContext } from '@/app/_components/thread-actions';
import { ThreadView } from '@/app/_components/thread-view';
import { RefreshCoalescer } from '@/app/_components/refresh-coalescer';
import { useChanges, useCoalesced, useIsLive } from '@/app/_components/use-live-updates';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { AssigneeControl } from './assignee-control';
import { CollisionGuardProvider } from './collision-warning';
import { ActivityLink } from './activity-link';
import { Composer } from './composer';
import { ConversationLabels } from './conversation-labels';
import { ConversationMenu } from './conversation-menu';
import { useServiceWindow } from './use-service-window';
import { StatusControls } from './status-controls';
import { newClientId } from './use-send';
import { TypingLine, useThreadPresence, Viewers } from './presence';
import { useLiveMessages } from './use-live-messages';
import { threadRefetchFor } from '@/lib/realtime/refetch';
/** Within this many pixels of the bottom, new messages scroll into view; further up, the reader stays put. */
const STICK_TO_BOTTOM_PX = 120;

export function ConversationThread({ conversationId }: { conversationId: string }) {
  // Pages come newest first, each oldest-first inside: the hook puts them in reading order, each message once.
  const thread = useConversationMessages(conversationId);
  const { items: loaded, pages: data, error, isLoading, hasMore: hasOlder, loadingMore: loadingOlder, loadMore: loadOlder } = thread;
  const header = useConversation(conversationId);
  const viewers = useThreadPresence(conversationId);
  // Notes and system lines between the loaded messages (older ones come with older pages).
  const activity = useThreadActivity(conversationId, loaded[0]?.timestamp ?? null, data !== undefined && !hasOlder);

  // What just came (our own sends, messages the stream sent along) shows before the pages have it.
  const live = useLiveMessages(loaded);
  const { messages } = live;
  // The messages first (what the agent waits to see); the header and the notes between them after.
  const refreshMessages = useCoalesced(() => live.settleAfter(thread.refresh), { foreground: true });
  const refreshAround = useCoalesced(() => Promise.all([header.mutate(), activity.refresh()]));
  const refresh = useCallback(() => {
    refreshMessages();
    refreshAround();
  }, [refreshMessages, refreshAround]);
  useChanges((notice) => {
    const stale = threadRefetchFor(notice, Number(conversationId));
    // Shown now; the refetch still follows (it also brings what the notice changed around them).
    const sentAlong = notice?.threadMessages?.filter((m) => m.conversationId === conversationId);
    if (sentAlong?.length) live.add(sentAlong);
    if (stale.messages) refreshMessages();
    if (stale.around) refreshAround();
  });

  const onSent = useCallback(
    (message: ApiMessage) => {
      live.add([message]);
      refresh();
    },
    [live.add, refresh],
  );

  const [replyTo, setReplyTo] = useState<ApiMessage | null>(null);
  const cancelReply = useCallback(() => setReplyTo(null), []);
  const [droppedFile, setDroppedFile] = useState<File | null>(null);
  const takeDroppedFile = useCallback(() => setDroppedFile(null), []);

  // Redrawn at the moment the window closes: Reply and React go with it.
  const serviceWindow = useServiceWindow(header.data?.serviceWindow.closesAt ?? null);
  // A boolean, not the conversation: every live update brings a new conversation object, and a new
  // context value would re-render every message of the thread.
  const canSend = header.data?.sendingEnabled === true && serviceWindow.state === 'open';
  const actions = useMemo<ThreadActions>(
    () => ({
      canSend,
      reply: (message) => setReplyTo(message),
      react: async (message, emoji) => {
        onSent(await postMessage(conversationId, { type: 'reaction', clientId: newClientId(), messageId: message.id, emoji }));
      },
      retry: async (message) => {
        await retryMessage(message.id);
        refresh();
      },
    }),
    [canSend, conversationId, onSent, refresh],
  );
  const dropZone = useFileDrop(setDroppedFile, actions.canSend);

  const newest = messages.at(-1);
  const conversation = header.data;
  const contact = conversation?.contact ?? newest?.contact ?? null;
  const businessLabel = conversation && businessNumberLabel(conversation.displayPhoneNumber, conversation.businessPhoneNumberId);

  useMarkRead(conversationId, newest?.id);
  const { ref: scroller, newBelow, toBottom } = useStickToBottom(newest?.id, messages[0]?.id, messages.length);
  const topSentinel = useLoadOlderOnScroll(scroller, hasOlder && !loadingOlder, loadOlder);

  // Gone while open (erased, perhaps by another admin): the header's refetch says so first.
  const gone = header.error instanceof ApiRequestError && header.error.status === 404;
  if ((error && !data) || gone) {
    const missing = gone || (error instanceof ApiRequestError && error.status === 404);
    return (
      <div className="m-auto max-w-sm p-6 text-center text-sm">
        <p role="alert" className="font-medium text-slate-800">
          {missing ? 'This conversation does not exist.' : `Could not load this conversation: ${error?.message}`}
        </p>
        <Link href="/" className="mt-3 inline-block text-emerald-700 underline">
          Back to the inbox
        </Link>
      </div>
    );
  }

  return (
    <ThreadActionsContext.Provider value={actions}>
      <header className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-white px-4 py-2">
        <Link href="/" className="rounded p-1.5 text-slate-600 hover:bg-slate-100 md:hidden" aria-label="Back to conversations">
          <ArrowLeft className="size-5" aria-hidden="true" />
        </Link>
        <div className="min-w-0 flex-1 basis-40">
          <h2 className="truncate font-medium">{contact ? contactLabel(contact) : isLoading ? 'Loading…' : 'Conversation'}</h2>
          {contact && (
            <p className="truncate text-xs text-slate-500">
              {contact.waId && contact.name ? `+${contact.waId}` : null}
              {businessLabel && <> · to {businessLabel}</>}
            </p>
          )}
        </div>
        {conversation && <AssigneeControl conversation={conversation} onChanged={(c) => header.mutate(c, { revalidate: false })} />}
        <Viewers viewers={viewers} />
        {conversation && <StatusControls conversation={conversation} onChanged={(c) => header.mutate(c, { revalidate: false })} />}
        {conversation && <ConversationLabels conversation={conversation} onChanged={(c) => header.mutate(c, { revalidate: false })} />}
        <ActivityLink conversationId={conversationId} />
        {conversation && <ConversationMenu conversation={conversation} />}
      </header>
      <div className="relative flex min-h-0 flex-1 flex-col" {...dropZone.handlers}>
        {dropZone.over && (
          <div className="pointer-events-none absolute inset-2 z-20 flex items-center justify-center rounded-lg border-2 border-dashed border-emerald-500 bg-emerald-50/80 text-sm font-medium text-emerald-800">
            Drop the file to attach it
          </div>
        )}
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
                  onClick={loadOlder}
                  className="rounded-full bg-white px-4 py-1 text-xs text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-60"
                >
                  {loadingOlder ? 'Loading…' : 'Load older messages'}
                </button>
              </div>
            )}
            {isLoading && !data ? (
              <p className="py-8 text-center text-sm text-slate-500">Loading messages…</p>
            ) : (
              <ThreadView messages={messages} activity={activity.entries} />
            )}
          </div>
        </div>
        <TypingLine viewers={viewers} />
        {conversation && (
          <CollisionGuardProvider messages={messages} loaded={data !== undefined}>
            <Composer
              conversationId={conversationId}
              conversation={conversation}
              serviceWindow={serviceWindow}
              replyTo={replyTo}
              onCancelReply={cancelReply}
              droppedFile={droppedFile}
              onDroppedFileTaken={takeDroppedFile}
              onSent={onSent}
            />
          </CollisionGuardProvider>
        )}
      </div>
    </ThreadActionsContext.Provider>
  );
}

/** Files dragged over the thread (or the composer): the first one dropped is attached. */
function useFileDrop(onFile: (file: File) => void, enabled: boolean) {
  const [over, setOver] = useState(false);
  const hasFiles = (event: DragEvent) => enabled && [...event.dataTransfer.types].includes('Files');
  return {
    over,
    handlers: {
      onDragOver: (event: DragEvent) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave: (event: DragEvent) => {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setOver(false);
      },
      onDrop: (event: DragEvent) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer.files[0];
        if (file) onFile(file);
      },
    },
  };
}

/**
 * Opening a conversation (and every new message while it is open and the tab is in view) marks it
 * read for everyone. A tab in the background leaves it unread until someone looks. The marks are
 * coalesced like a refetch (refresh-coalescer.ts): the first at once, a burst of new messages folded into
 * one more a gap later. Each mark is a notice on which every open page refetches its list and counts: a
 * mark a message was 21–23 a second from one page under bench:live's back-to-back messages.
 */
function useMarkRead(conversationId: string, newestId: string | undefined) {
  const invalidate = useInvalidate();
  const live = useIsLive();
  const latest = useRef({ invalidate, live, newestId });
  useEffect(() => {
    latest.current = { invalidate, live, newestId };
  });
  const request = useRef<(() => void) | null>(null);
  useEffect(() => {
    // One coalescer a conversation: a mark still due for the last one is dropped, never sent for it later.
    let open = true;
    const marks = new RefreshCoalescer(async () => {
      if (!open || document.visibilityState === 'hidden') return;
      await postConversationRead(conversationId);
      // Live, the read mark's own notice refetches this browser's list too, coalesced with the rest: a
      // refetch here as well was one more list a mark. Offline, the list would wait for its next poll.
      if (!latest.current.live) await latest.current.invalidate(CONVERSATIONS);
    });
    request.current = marks.request;
    // Back in view: what came meanwhile is read now (an empty thread has nothing to mark).
    const onVisibility = () => {
      if (latest.current.newestId) marks.request();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      open = false;
      request.current = null;
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [conversationId]);
  useEffect(() => {
    if (newestId) request.current?.();
  }, [newestId]);
}

/**
 * Starts at the newest message; follows new ones only while the reader is at the bottom; and when
 * older messages are added above, keeps the reader's place instead of jumping.
 */
function useStickToBottom(newestId: string | undefined, oldestId: string | undefined, count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef({
    count: 0,
    newestId: undefined as string | undefined,
    oldestId: undefined as string | undefined,
    scrollHeight: 0,
  });
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
