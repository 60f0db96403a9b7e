'use client';
import { useCallback, useMemo } from 'react';
import useSWRInfinite from 'swr/infinite';
import { swrFetcher } from '@/app/_components/fetch-json';
import { usePollInterval } from '@/app/_components/use-live-updates';

// The one way the browser reads a keyset-paged list (the conversation list, a thread, the error log):
// the first page refetched on every revalidation (new rows arrive at the top), more pages on demand,
// polled while the live stream is down, and each row shown once even when activity shifts rows
// from one page to the next between fetches.

export interface CursorPage {
  nextCursor: string | null;
}

export interface CursorPagesOptions {
  /** Keep showing the old rows while a new filter's first page loads. */
  keepPreviousData?: boolean;
  /** The API pages newest first, but the rows are read oldest first (a thread): put the last page first. */
  oldestPageFirst?: boolean;
}

/**
 * `pageKey(cursor)` is the URL of the page after `cursor` (null: the first page); `pageKey` null
 * loads nothing. `itemsOf` picks a page's rows (the same field on every render).
 */
export function useCursorPages<P extends CursorPage, T extends { id: string }>(
  pageKey: ((cursor: string | null) => string) | null,
  itemsOf: (page: P) => T[],
  options: CursorPagesOptions = {},
) {
  const pollInterval = usePollInterval();
  const { data, error, isLoading, size, setSize, mutate } = useSWRInfinite<P>(
    (index, previous: P | null) => {
      if (pageKey === null || (previous && !previous.nextCursor)) return null;
      return pageKey(index > 0 && previous ? previous.nextCursor : null);
    },
    swrFetcher,
    { refreshInterval: pollInterval, revalidateFirstPage: true, keepPreviousData: options.keepPreviousData },
  );
  const oldestPageFirst = options.oldestPageFirst === true;
  // biome-ignore lint/correctness/useExhaustiveDependencies: itemsOf only picks a field of the page, the same on every render
  const items = useMemo(() => {
    const seen = new Set<string>();
    const pages = oldestPageFirst ? [...(data ?? [])].reverse() : (data ?? []);
    return pages.flatMap(itemsOf).filter((item) => !seen.has(item.id) && seen.add(item.id));
    // itemsOf only picks a field of the page: the same on every render.
  }, [data, oldestPageFirst]);
  const refresh = useCallback(() => mutate(), [mutate]);
  const loadMore = useCallback(() => void setSize((n) => n + 1), [setSize]);
  return {
    items,
    /** The pages as fetched, newest first. */
    pages: data,
    error: error as Error | undefined,
    isLoading,
    /** Refetch (the first page, and any page whose rows may have changed). */
    refresh,
    hasMore: !!data?.at(-1)?.nextCursor,
    loadingMore: size > 0 && data !== undefined && data[size - 1] === undefined,
    loadMore,
  };
}
