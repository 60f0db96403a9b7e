'use client';
import useSWR from 'swr';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { useChanges, useCoalesced, usePollInterval } from '@/app/_components/use-live-updates';
import type {
  ApiCannedReply,
  CreateCannedReplyBody,
  GetCannedRepliesResponse,
  UpdateCannedReplyBody,
} from '@/lib/contracts/canned-replies';
import { cannedRepliesKey, cannedReplyUrl } from './keys';

// Canned replies: one hook for the list (the composer's "/" picker and the pages that manage them) and
// one call per change.

/** The shared canned replies and the viewer's own, by shortcut; refetched when any browser changes one. */
export function useCannedReplies({ enabled = true }: { enabled?: boolean } = {}) {
  const replies = useSWR<GetCannedRepliesResponse>(enabled ? cannedRepliesKey() : null, swrFetcher, {
    refreshInterval: usePollInterval(),
    keepPreviousData: true,
  });
  const refresh = useCoalesced(() => replies.mutate());
  useChanges((notice) => {
    if (!enabled) return;
    if (!notice || notice.partial || notice.topics.includes('canned-replies')) refresh();
  });
  return replies;
}

export function createCannedReply(body: CreateCannedReplyBody): Promise<ApiCannedReply> {
  return fetchJson<ApiCannedReply>(cannedRepliesKey(), { method: 'POST', body });
}

export function updateCannedReply(id: string, patch: UpdateCannedReplyBody): Promise<ApiCannedReply> {
  return fetchJson<ApiCannedReply>(cannedReplyUrl(id), { method: 'PATCH', body: patch });
}

export function deleteCannedReply(id: string): Promise<unknown> {
  return fetchJson(cannedReplyUrl(id), { method: 'DELETE' });
}
