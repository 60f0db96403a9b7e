'use client';
import useSWR from 'swr';
import type { GetAgentsResponse } from '@/lib/contracts/agents';
import type { AvailabilityResponse, InboxSettings, PutAvailabilityBody } from '@/lib/contracts/assignment';
import type { GetConversationResponse } from '@/lib/contracts/inbox';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { useChanges, useCoalesced, usePollInterval } from '@/app/_components/use-live-updates';
import { agentsKey, conversationAssigneeUrl, inboxSettingsKey, myAvailabilityKey } from './keys';

// Assignment's endpoints, one typed hook (or call) each.

/** The team (whom to assign, who is online), refetched when anyone's availability or account changes. */
export function useAgents(options: { enabled?: boolean } = {}) {
  const agents = useSWR<GetAgentsResponse>(options.enabled === false ? null : agentsKey(), swrFetcher, {
    // Presence comes and goes without a notice of its own: the online dots look again now and then.
    refreshInterval: Math.max(usePollInterval(), 30_000),
    keepPreviousData: true,
  });
  const refresh = useCoalesced(() => agents.mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('agents') || notice.topics.includes('presence')) refresh();
  });
  return agents;
}

/** POST /api/conversations/{id}/assignee: the conversation as GET /api/conversations/{id} shows it afterwards. */
export function postConversationAssignee(conversationId: string, assigneeId: string | null): Promise<GetConversationResponse> {
  return fetchJson<GetConversationResponse>(conversationAssigneeUrl(conversationId), { method: 'POST', body: { assigneeId } });
}

export function useMyAvailability() {
  return useSWR<AvailabilityResponse>(myAvailabilityKey(), swrFetcher);
}

export function putMyAvailability(body: PutAvailabilityBody): Promise<AvailabilityResponse> {
  return fetchJson<AvailabilityResponse>(myAvailabilityKey(), { method: 'PUT', body });
}

export function useInboxSettings() {
  const settings = useSWR<InboxSettings>(inboxSettingsKey(), swrFetcher);
  const refresh = useCoalesced(() => settings.mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('settings')) refresh();
  });
  return settings;
}

export function putInboxSettings(body: Partial<InboxSettings>): Promise<InboxSettings> {
  return fetchJson<InboxSettings>(inboxSettingsKey(), { method: 'PUT', body });
}
