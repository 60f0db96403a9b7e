'use client';
import { useEffect, useRef } from 'react';
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
  const refresh = useAtMostEvery(
    NOTIFICATIONS_GAP_MS,
    useCoalesced(() => notifications.mutate()),
  );
  useChanges((notice) => {
    if (!notice || notice.partial || notice.topics.includes('messages') || notice.topics.includes('mentions')) refresh();
    else if (notice.conversations.length > 0 && notice.messages.length === 0 && !notice.topics.includes('presence')) refresh();
  });
  return notifications;
}

/**
 * Between two reads of one browser's notifications: a busy inbox sends many message notices a second,
 * and every open tab of every agent would read for each; a second late is soon enough for a count.
 */
const NOTIFICATIONS_GAP_MS = 1_000;

/** `run` at once after a quiet spell, else once more at the end of the gap: never more often, never a notice lost. */
function useAtMostEvery(gapMs: number, run: () => void): () => void {
  const state = useRef({ last: Number.NEGATIVE_INFINITY, timer: undefined as ReturnType<typeof setTimeout> | undefined });
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  useEffect(() => () => clearTimeout(state.current.timer), []);
  return () => {
    const s = state.current;
    if (s.timer !== undefined) return;
    const wait = s.last + gapMs - performance.now();
    const go = () => {
      s.timer = undefined;
      s.last = performance.now();
      latest.current();
    };
    if (wait <= 0) go();
    else s.timer = setTimeout(go, wait);
  };
}

export function useNotificationSettings() {
  return useSWR<NotificationSettings>(notificationSettingsKey(), swrFetcher);
}

export function putNotificationSettings(body: NotificationSettings): Promise<NotificationSettings> {
  return fetchJson<NotificationSettings>(notificationSettingsKey(), { method: 'PUT', body });
}
