import {
  countUnreadFor,
  countUnseenMentions,
  getNotifyUnassigned,
  listUnreadFor,
  listUnseenMentions,
  setNotifyUnassigned,
} from '@/db/queries/notifications';
import type { Principal } from '@/lib/auth/access';
import {
  getMentionsResponseSchema,
  getNotificationsResponseSchema,
  notificationSettingsSchema,
  type ApiMention,
  type GetMentionsResponse,
  type GetNotificationsResponse,
  type NotificationSettings,
} from '@/lib/contracts/notifications';
import { forbidden } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { readApiDeps } from './read-api';

// The signed-in agent's notifications (issue 13 §7). The browser asks when a change notice says messages
// or mentions changed, and notifies of what rose since its previous answer: one indexed read of the
// conversations' columns and the mentions table, never a scan of the messages.

export type { GetMentionsResponse, GetNotificationsResponse, NotificationSettings } from '@/lib/contracts/notifications';

const CONVERSATIONS_LISTED = 20;
const MENTIONS_LISTED = 20;

function userIdOf(principal: Principal): string {
  if (principal.kind !== 'user') throw forbidden('API keys have no notifications: this is for signed-in people.');
  return principal.userId;
}

export const getNotificationSettings = defineRoute(
  {
    method: 'GET',
    path: '/api/me/notification-settings',
    access: 'session',
    summary: 'Your notification settings: whether new messages in unassigned conversations notify you too.',
    deps: readApiDeps,
    response: notificationSettingsSchema,
  },
  async ({ deps, principal }): Promise<NotificationSettings> => ({
    notifyUnassigned: await getNotifyUnassigned(deps.db, userIdOf(principal)),
  }),
);

export const putNotificationSettings = defineRoute(
  {
    method: 'PUT',
    path: '/api/me/notification-settings',
    access: 'session',
    summary: 'Changes your notification settings.',
    deps: readApiDeps,
    body: notificationSettingsSchema,
    response: notificationSettingsSchema,
  },
  async ({ deps, principal, body }): Promise<NotificationSettings> => {
    await setNotifyUnassigned(deps.db, userIdOf(principal), body.notifyUnassigned);
    return { notifyUnassigned: body.notifyUnassigned };
  },
);

export const getMentions = defineRoute(
  {
    method: 'GET',
    path: '/api/me/mentions',
    access: 'session',
    summary: 'Notes that @mention you and that you have not seen yet (opening their conversation marks them seen).',
    deps: readApiDeps,
    response: getMentionsResponseSchema,
  },
  async ({ deps, principal }): Promise<GetMentionsResponse> => ({
    mentions: (await listUnseenMentions(deps.db, userIdOf(principal), 50)).map(toApiMention),
  }),
);

export const getNotifications = defineRoute(
  {
    method: 'GET',
    path: '/api/me/notifications',
    access: 'session',
    summary:
      "The tab title's count and what to notify of: your conversations (and unassigned ones, if set) with unread messages, and unseen mentions.",
    deps: readApiDeps,
    response: getNotificationsResponseSchema,
  },
  async ({ deps, principal }): Promise<GetNotificationsResponse> => {
    const userId = userIdOf(principal);
    const notifyUnassigned = await getNotifyUnassigned(deps.db, userId);
    const [unread, unreadConversations, mentionCount, mentions] = await Promise.all([
      countUnreadFor(deps.db, userId, notifyUnassigned),
      listUnreadFor(deps.db, userId, notifyUnassigned, CONVERSATIONS_LISTED),
      countUnseenMentions(deps.db, userId),
      listUnseenMentions(deps.db, userId, MENTIONS_LISTED),
    ]);
    return {
      count: unread + mentionCount,
      conversations: unreadConversations.map((c) => ({
        id: String(c.id),
        contactName: c.contactName,
        unreadCount: c.unreadCount,
        lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
        preview: c.preview,
        assignedToMe: c.assigneeId === userId,
      })),
      mentions: mentions.map(toApiMention),
    };
  },
);

function toApiMention(m: Awaited<ReturnType<typeof listUnseenMentions>>[number]): ApiMention {
  return {
    id: String(m.activityId),
    conversationId: String(m.conversationId),
    contactName: m.contactName,
    byName: m.byName,
    text: m.text,
    createdAt: m.createdAt.toISOString(),
  };
}
