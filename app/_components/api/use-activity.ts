'use client';
import { useEffect, useMemo } from 'react';
import { fetchJson } from '@/app/_components/fetch-json';
import type { ApiActivityEntry, GetActivityResponse, PostNoteBody } from '@/lib/contracts/activity';
import type { GetAuditResponse, ApiAuditEntry } from '@/lib/contracts/audit';
import { auditKey, conversationActivityKey, conversationNotesUrl } from './keys';
import { useCursorPages } from './use-cursor-pages';

// A conversation's trail and notes, the team (whom to @mention), and the admin audit: one hook each.

const ACTIVITY_PAGE = 50;

/** A conversation's trail, newest first, more pages as asked. */
export function useConversationActivity(conversationId: string, options: { limit?: number } = {}) {
  return useCursorPages<GetActivityResponse, ApiActivityEntry>(
    (before) => conversationActivityKey(conversationId, { limit: options.limit ?? ACTIVITY_PAGE, before }),
    (page) => page.entries,
  );
}

/**
 * The trail entries the thread places between its messages: those since the oldest loaded message (all
 * of them once the thread's first message is loaded), oldest first. Loads trail pages until it reaches
 * that time, so a note between two loaded messages is never missing.
 */
export function useThreadActivity(conversationId: string, oldestMessageAt: string | null, allMessagesLoaded: boolean) {
  const trail = useConversationActivity(conversationId);
  const fromMs = allMessagesLoaded
    ? Number.NEGATIVE_INFINITY
    : oldestMessageAt === null
      ? Number.POSITIVE_INFINITY
      : Date.parse(oldestMessageAt);
  const oldestEntry = trail.items.at(-1);
  const reachedBound = oldestEntry !== undefined && Date.parse(oldestEntry.at) < fromMs;
  const { hasMore, loadingMore, loadMore } = trail;
  useEffect(() => {
    if (hasMore && !loadingMore && !reachedBound) loadMore();
  }, [hasMore, loadingMore, reachedBound, loadMore]);
  const entries = useMemo(() => trail.items.filter((e) => Date.parse(e.at) >= fromMs).reverse(), [trail.items, fromMs]);
  return { entries, refresh: trail.refresh, error: trail.error };
}

export function postNote(conversationId: string, body: PostNoteBody): Promise<ApiActivityEntry> {
  return fetchJson<ApiActivityEntry>(conversationNotesUrl(conversationId), { method: 'POST', body });
}

/** The admin audit, newest first, more pages as asked. */
export function useAudit() {
  return useCursorPages<GetAuditResponse, ApiAuditEntry>(
    (before) => auditKey({ limit: 50, before }),
    (page) => page.entries,
  );
}
