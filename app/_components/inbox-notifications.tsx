'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { useNotifications } from '@/app/_components/api/use-notifications';
import type { GetNotificationsResponse } from '@/lib/contracts/notifications';
import { newNotifications, titleWithCount } from '@/lib/inbox/notifications';

// The tab title's count ("(3) Inbox · Ticks") and a browser notification for each new customer message
// in the agent's conversations (and unassigned ones, if they asked) and each new mention, once the agent
// allowed notifications (the header's bell). Mounted once in the signed-in layout. A notification opens
// its conversation. What the agent is looking at, in a visible tab, notifies nobody.

export function InboxNotifications() {
  const { data } = useNotifications();
  const router = useRouter();
  const pathname = usePathname();
  const openConversation = /^\/conversations\/([^/]+)/.exec(pathname)?.[1] ?? null;
  const previous = useRef<GetNotificationsResponse | null>(null);

  useTitleCount(data?.count ?? 0);

  useEffect(() => {
    if (!data) return;
    const before = previous.current;
    previous.current = data;
    if (!before || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const looking = document.visibilityState === 'visible' ? openConversation : null;
    for (const item of newNotifications(before, data, looking)) {
      const notification = new Notification(item.title, { body: item.body, tag: item.tag });
      notification.onclick = () => {
        window.focus();
        router.push(`/conversations/${encodeURIComponent(item.conversationId)}`);
        notification.close();
      };
    }
  }, [data, openConversation, router]);

  return null;
}

/** Keeps "(n) " in front of the title, whatever title each page sets. */
function useTitleCount(count: number): void {
  useEffect(() => {
    const apply = () => {
      const wanted = titleWithCount(document.title, count);
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    // Next sets each page's title on navigation: put the count back.
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [count]);
}
