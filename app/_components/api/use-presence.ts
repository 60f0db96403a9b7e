'use client';
import useSWR from 'swr';
import type { GetConversationPresenceResponse, PostPresenceBody } from '@/lib/contracts/presence';
import { PRESENCE_BEAT_MS } from '@/lib/contracts/presence';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { useChanges, useCoalesced } from '@/app/_components/use-live-updates';
import { conversationPresenceKey, presenceLeaveUrl, presenceUrl } from './keys';

// Presence's endpoints: this tab's beat and leave, and who else views a conversation.

/** POST /api/presence (204). */
export async function postPresenceBeat(body: PostPresenceBody): Promise<void> {
  await fetchJson<null>(presenceUrl(), { method: 'POST', body });
}

/** POST /api/presence/leave as the page goes away: keepalive lets the request outlive the page. */
export function sendPresenceLeave(clientId: string): void {
  fetch(presenceLeaveUrl(), {
    method: 'POST',
    keepalive: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId }),
  }).catch(() => {});
}

/**
 * Who else has the conversation open: refetched on its 'presence' notices and every 20 s besides, so that
 * a browser that vanished without a word drops out once its beats are a minute old.
 */
export function useConversationPresence(conversationId: string) {
  const presence = useSWR<GetConversationPresenceResponse>(conversationPresenceKey(conversationId), swrFetcher, {
    refreshInterval: PRESENCE_BEAT_MS,
    keepPreviousData: true,
  });
  const refresh = useCoalesced(() => presence.mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || (notice.topics.includes('presence') && notice.conversations.includes(Number(conversationId))))
      refresh();
  });
  return presence;
}
