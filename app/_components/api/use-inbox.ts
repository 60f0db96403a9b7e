'use client';
import useSWR from 'swr';
import type {
  ApiConversation,
  ConversationStatus,
  ApiMessage,
  GetBusinessNumbersResponse,
  GetConversationMessagesResponse,
  GetConversationResponse,
  GetConversationCountsResponse,
  GetConversationsResponse,
  GetMessageResponse,
  PostConversationReadResponse,
  PostConversationStatusBody,
  PostConversationStatusResponse,
} from '@/lib/contracts/inbox';
import type { GetLabelsResponse } from '@/lib/contracts/labels';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { useChanges, useCoalesced, usePollInterval } from '@/app/_components/use-live-updates';
import {
  businessNumbersKey,
  conversationCountsKey,
  conversationKey,
  conversationLabelUrl,
  conversationMessagesKey,
  conversationReadUrl,
  conversationStatusUrl,
  conversationsKey,
  labelsKey,
  messageKey,
  type ConversationsParams,
} from './keys';
import { useCursorPages } from './use-cursor-pages';

// The inbox's endpoints, one typed hook each.

const CONVERSATIONS_PAGE = 50;
const MESSAGES_PAGE = 50;

/** The conversation list, newest activity first, more pages as asked. */
export function useConversations(params: ConversationsParams) {
  return useCursorPages<GetConversationsResponse, ApiConversation>(
    (cursor) => conversationsKey({ limit: CONVERSATIONS_PAGE, ...params, cursor }),
    (page) => page.conversations,
    { keepPreviousData: true },
  );
}

/**
 * How many conversations each status holds (the list's tabs), on every number or one ('' for all), and per
 * view how many of `status` have unread messages.
 */
export function useConversationCounts(businessPhoneNumberId: string, status?: ConversationStatus) {
  return useSWR<GetConversationCountsResponse>(conversationCountsKey({ businessPhoneNumberId, status }), swrFetcher, {
    refreshInterval: usePollInterval(),
    keepPreviousData: true,
  });
}

/** One conversation's messages in reading order (oldest first); older pages as asked. */
export function useConversationMessages(conversationId: string) {
  return useCursorPages<GetConversationMessagesResponse, ApiMessage>(
    (before) => conversationMessagesKey(conversationId, { limit: MESSAGES_PAGE, before }),
    (page) => page.messages,
    { oldestPageFirst: true },
  );
}

/** The thread's header and composer: the customer, the business number, the 24-hour window, whether sending is on. */
export function useConversation(conversationId: string) {
  return useSWR<GetConversationResponse>(conversationKey(conversationId), swrFetcher, { refreshInterval: usePollInterval() });
}

/** Our business numbers with their conversation counts (the list's filter, the thread's "to"). */
export function useBusinessNumbers(options: { poll?: boolean } = {}) {
  const pollInterval = usePollInterval();
  return useSWR<GetBusinessNumbersResponse>(businessNumbersKey(), swrFetcher, { refreshInterval: options.poll ? pollInterval : 0 });
}

/** One message by wamid (a quoted message older than the pages loaded); null loads nothing. */
export function useMessage(wamid: string | null) {
  return useSWR<GetMessageResponse>(wamid === null ? null : messageKey(wamid), swrFetcher, {
    revalidateOnFocus: false,
    shouldRetryOnError: false,
  });
}

export function postConversationRead(conversationId: string): Promise<PostConversationReadResponse> {
  return fetchJson<PostConversationReadResponse>(conversationReadUrl(conversationId), { method: 'POST' });
}

/** POST /api/conversations/{id}/status: the conversation as GET /api/conversations/{id} shows it afterwards. */
export function postConversationStatus(conversationId: string, body: PostConversationStatusBody): Promise<PostConversationStatusResponse> {
  return fetchJson<PostConversationStatusResponse>(conversationStatusUrl(conversationId), { method: 'POST', body });
}

/**
 * Every label with its conversation count (the list's filter, the thread's "Add label", the admin page),
 * refetched when any browser changes labels (the `labels` topic), a new label included.
 */
export function useLabels() {
  const labels = useSWR<GetLabelsResponse>(labelsKey(), swrFetcher, { refreshInterval: usePollInterval(), keepPreviousData: true });
  const refresh = useCoalesced(() => labels.mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('labels')) refresh();
  });
  return labels;
}

/** PUT or DELETE /api/conversations/{id}/labels/{labelId}: the conversation as GET /api/conversations/{id} shows it afterwards. */
export function setConversationLabel(conversationId: string, labelId: string, on: boolean): Promise<GetConversationResponse> {
  return fetchJson<GetConversationResponse>(conversationLabelUrl(conversationId, labelId), { method: on ? 'PUT' : 'DELETE' });
}
