import { z } from 'zod';

// What the signed-in agent is told of (issue 13 §7): new customer messages in conversations assigned to
// them, in unassigned ones if they asked for those, and notes that @mention them. The browser shows the
// count in the tab title and a notification for what is new since its last look. Client-safe.

export const notificationSettingsSchema = z.object({
  notifyUnassigned: z
    .boolean()
    .meta({ description: 'Also notify of new messages in unassigned conversations (always of your own and of mentions).' }),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;
export type PutNotificationSettingsBody = NotificationSettings;

export const apiMentionSchema = z.object({
  id: z.string().meta({ description: 'The note it is in (its activity id).' }),
  conversationId: z.string(),
  contactName: z.string().nullable(),
  byName: z.string().meta({ description: 'Who wrote the note.' }),
  text: z.string().meta({ description: "The note's text." }),
  createdAt: z.string(),
});
export type ApiMention = z.infer<typeof apiMentionSchema>;

export const getMentionsResponseSchema = z.object({
  mentions: z
    .array(apiMentionSchema)
    .meta({ description: 'Unseen mentions, newest first (at most 50). Opening the conversation marks them seen.' }),
});
export type GetMentionsResponse = z.infer<typeof getMentionsResponseSchema>;

export const apiUnreadConversationSchema = z.object({
  id: z.string(),
  contactName: z.string().nullable(),
  unreadCount: z.number().int(),
  lastInboundAt: z.string().nullable(),
  /** The newest message's text, for the notification's body. */
  preview: z.string().nullable(),
  assignedToMe: z.boolean(),
});
export type ApiUnreadConversation = z.infer<typeof apiUnreadConversationSchema>;

export const getNotificationsResponseSchema = z.object({
  count: z.number().int().meta({
    description:
      "The tab title's count: unread customer messages in your conversations (and unassigned ones, if set), plus unseen mentions.",
  }),
  conversations: z.array(apiUnreadConversationSchema).meta({
    description: 'Those conversations with unread messages, latest customer message first (at most 20): a rise in one is a new message.',
  }),
  mentions: z.array(apiMentionSchema).meta({ description: 'Unseen mentions, newest first (at most 20).' }),
});
export type GetNotificationsResponse = z.infer<typeof getNotificationsResponseSchema>;
