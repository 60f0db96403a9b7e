import type { GetNotificationsResponse } from '@/lib/contracts/notifications';

// What is new between two answers of GET /api/me/notifications, as browser notifications, and the tab
// title's count. PURE.

export interface NewNotification {
  /** One notification per conversation or mention: a newer one replaces it. */
  tag: string;
  title: string;
  body: string;
  conversationId: string;
}

/**
 * A conversation whose unread count rose (or whose customer wrote again) since `before`, and each mention
 * not in `before`; nothing for the conversation the agent is looking at (`lookingAt`, in a visible tab).
 */
export function newNotifications(
  before: GetNotificationsResponse,
  now: GetNotificationsResponse,
  lookingAt: string | null,
): NewNotification[] {
  const was = new Map(before.conversations.map((c) => [c.id, c]));
  const mentioned = new Set(before.mentions.map((m) => m.id));
  const out: NewNotification[] = [];
  for (const c of now.conversations) {
    if (c.id === lookingAt) continue;
    const old = was.get(c.id);
    if (old && c.unreadCount <= old.unreadCount && c.lastInboundAt === old.lastInboundAt) continue;
    out.push({
      tag: `conversation-${c.id}`,
      title: c.contactName ?? 'New message',
      body: c.preview ?? (c.unreadCount > 1 ? `${c.unreadCount} new messages` : 'New message'),
      conversationId: c.id,
    });
  }
  for (const m of now.mentions) {
    if (mentioned.has(m.id) || m.conversationId === lookingAt) continue;
    out.push({
      tag: `mention-${m.id}`,
      title: `${m.byName} mentioned you${m.contactName ? ` (${m.contactName})` : ''}`,
      body: m.text,
      conversationId: m.conversationId,
    });
  }
  return out;
}

const COUNT_PREFIX = /^\(\d+\) /;

/** "(3) Inbox · Ticks"; the bare title at zero. */
export function titleWithCount(title: string, count: number): string {
  const bare = title.replace(COUNT_PREFIX, '');
  return count > 0 ? `(${count}) ${bare}` : bare;
}
