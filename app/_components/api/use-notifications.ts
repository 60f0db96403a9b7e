'use client';
import useSWR from 'swr';
import type { GetNotificationsResponse, NotificationSettings } from '@/lib/contracts/notifications';
import { fetchJson, swrFetcher } from '@/app/_components/fetch-json';
import { useChanges, useCoalesced, usePollInterval } from '@/app/_components/use-live-updates';
import { notificationSettingsKey, notificationsKey } from './keys';

// The signed-in person's notifications: what to count in the tab title and to notify of, and their setting.

/**
 * Refetched when messages arrive (the 'messages' topic), on mentions, and when a conversation itself changed
 * (read, assigned, its status: ids without messages); not on deliveries or presence, which change no count.
 */
export function useNotifications() {
  const notifications = useSWR<GetNotificationsResponse>(notificationsKey(), swrFetcher, {
    refreshInterval: usePollInterval(),
    keepPreviousData: true,
  });
  const refresh = useCoalesced(() => notifications.mutate());
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('messages') || notice.topics.includes('mentions')) refresh();
    else if (notice.conversations.length > 0 && notice.messages.length === 0 && !notice.topics.includes('presence')) refresh();
  });
  return notifications;
}

export function useNotificationSettings() {
  return useSWR<NotificationSettings>(notificationSettingsKey(), swrFetcher);
}

export function putNotificationSettings(body: NotificationSettings): Promise<NotificationSettings> {
  return fetchJson<NotificationSettings>(notificationSettingsKey(), { method: 'PUT', body });
}
