import { z } from 'zod';
import { limitSchema, optionalText } from '@/lib/http/query-params';
import { messageContentSchema } from '@/lib/whatsapp/message-types';
import { CONVERSATION_STATUSES, type ConversationStatus } from './conversation-status';
import { apiLabelSchema } from './labels';
import { assigneeFilterSchema, viewUnreadCountsSchema } from './assignment';

// The inbox's read API (app/api/{messages,conversations,business-numbers}): what each endpoint takes
// and answers. Client-safe: the browser's hooks import these types; the server parses with these
// schemas and the OpenAPI document is generated from them.

/**
 * received: inbound. pending: in our outbox (or a placeholder's first status). sent … failed: as Meta reports.
 * unconfirmed: written here, and the request's outcome is unknown (a timeout, a lost connection): it may or may
 * not have been sent; never resent by itself.
 */
export const MESSAGE_STATUSES = ['received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed', 'unconfirmed'] as const;
export const messageStatusSchema = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const directionSchema = z.enum(['inbound', 'outbound']);

export { CONVERSATION_STATUSES, type ConversationStatus } from './conversation-status';
export const conversationStatusSchema = z
  .enum(CONVERSATION_STATUSES)
  .meta({ description: 'open: to be answered. pending: waiting on the customer. resolved: done. snoozed: open again at `snoozedUntil`.' });

export const apiContactSchema = z.object({
  waId: z.string().nullable(),
  userId: z.string().nullable(),
  name: z.string().nullable(),
});
export type ApiContact = z.infer<typeof apiContactSchema>;

export const apiDeliveryErrorSchema = z.object({
  code: z.number().int().nullable(),
  title: z.string().nullable(),
  message: z.string().nullable(),
  details: z.string().nullable(),
});
export type ApiDeliveryError = z.infer<typeof apiDeliveryErrorSchema>;

export const mediaInfoSchema = z.object({
  id: z.string().nullable(),
  mimeType: z.string().nullable(),
  sha256: z.string().nullable(),
  caption: z.string().nullable(),
  filename: z.string().nullable(),
  voice: z.boolean().meta({ description: 'Audio recorded as a voice note.' }),
  animated: z.boolean().meta({ description: 'Animated sticker.' }),
  url: z.string().nullable(),
});

export const apiMediaFileSchema = z.object({
  state: z.enum(['pending', 'downloaded', 'failed']),
  failureReason: z.string().nullable().meta({
    description:
      'Why it failed, or (state pending) why the last attempt failed before the next: expired | unauthorized | checksum_mismatch | too_large | timeout | unavailable | untrusted_host.',
  }),
  failedAt: z
    .string()
    .nullable()
    .meta({ description: 'When it last failed for good (state failed): a retry that fails again has a newer time.' }),
  waitingForAccessToken: z
    .boolean()
    .meta({ description: 'Pending because no access token is configured: nothing will happen until an admin sets one.' }),
  size: z.number().int().nullable(),
  mimeType: z.string().nullable(),
  attempts: z.number().int().meta({ description: 'Attempts started so far; with `downloading`, one of them is under way.' }),
  maxAttempts: z.number().int().meta({ description: 'A retryable failure is final after this many attempts.' }),
  downloading: z.boolean().meta({ description: 'An attempt is under way now (state pending).' }),
  url: z.string().meta({ description: 'GET it for the bytes (when downloaded).' }),
});
export type ApiMediaFile = z.infer<typeof apiMediaFileSchema>;

export const apiMessageSchema = z.object({
  id: z.string().meta({
    description:
      "The message's id: its wamid for a message that came from Meta; our own id (digits) for one written here, kept after Meta names it. Routes that take a message accept either.",
  }),
  wamid: z.string().nullable().meta({ description: "Meta's id for the message; null until Meta assigns one." }),
  conversationId: z.string(),
  businessPhoneNumberId: z.string(),
  direction: directionSchema,
  type: z.string(),
  subtype: z.string().nullable(),
  text: z.string().nullable(),
  timestamp: z.string().meta({ description: "Meta's timestamp (ISO-8601)." }),
  contact: apiContactSchema,
  status: messageStatusSchema,
  errors: z.array(apiDeliveryErrorSchema),
  replyToId: z.string().nullable(),
  statusHistory: z
    .array(z.object({ status: z.string(), timestamp: z.string() }))
    .meta({ description: 'Every status Meta reported, oldest first; may include statuses that do not move `status` (e.g. "deleted").' }),
  content: messageContentSchema
    .nullable()
    .meta({ description: 'What the message says, typed per type ({ v: 1, type, ... }); null for placeholders.' }),
  placeholder: z.boolean().meta({ description: 'Known only from its statuses (sent by another system): no type, text or content yet.' }),
  history: z.boolean().meta({
    description:
      "From the WhatsApp Business app's chat history, shared when the number joined the Cloud API: shown at its own time, never unread.",
  }),
  clientId: z.string().nullable().meta({ description: 'For a message written here: the id its writer gave it (POST … /messages).' }),
  sentBy: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .meta({ description: 'Who wrote it here: an agent (their user id) or an API key ("api-key:<id>"); null for messages from WhatsApp.' }),
  media: mediaInfoSchema.nullable(),
  mediaFile: apiMediaFileSchema
    .nullable()
    .meta({ description: "The media file's download (image, audio, video, document, sticker); null for other messages." }),
  targetId: z.string().nullable().meta({ description: 'What a reaction, edit or revoke acts on.' }),
  forwarded: z.boolean(),
  frequentlyForwarded: z.boolean(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export const apiConversationSchema = z.object({
  id: z.string(),
  businessPhoneNumberId: z.string(),
  displayPhoneNumber: z.string().nullable(),
  contact: apiContactSchema,
  lastMessage: z
    .object({
      id: z.string(),
      type: z.string(),
      text: z.string().nullable(),
      direction: directionSchema,
      status: messageStatusSchema,
      timestamp: z.string(),
    })
    .nullable(),
  lastMessageAt: z.string().nullable(),
  unreadCount: z.number().int(),
  status: conversationStatusSchema,
  snoozedUntil: z
    .string()
    .nullable()
    .meta({ description: 'When a snoozed conversation opens again by itself (ISO-8601); null unless snoozed.' }),
  labels: z.array(apiLabelSchema).meta({ description: 'The labels it carries, by name.' }),
  assignee: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .meta({ description: 'The agent it is assigned to; null when unassigned.' }),
});
export type ApiConversation = z.infer<typeof apiConversationSchema>;

/** One message (GET /api/messages/{id}): as lists show it, plus Meta's item for integrators. */
export const getMessageResponseSchema = apiMessageSchema.extend({
  raw: z.unknown().meta({ description: 'The item exactly as Meta sent it; null for placeholders and for messages written here.' }),
});
export type GetMessageResponse = z.infer<typeof getMessageResponseSchema>;

/** One conversation (the thread header): as the list shows it, plus what the composer needs. */
export const getConversationResponseSchema = apiConversationSchema.extend({
  contactId: z.string().meta({ description: "The customer's contact id: their export and erasure (/api/contacts/{id}/...)." }),
  lastInboundAt: z
    .string()
    .nullable()
    .meta({ description: "Meta's time of the customer's latest message: the 24-hour window runs from it. Null if they never wrote." }),
  serviceWindow: z
    .object({
      open: z.boolean(),
      closesAt: z.string().nullable().meta({ description: 'When it closes (or closed); null if the customer never wrote.' }),
    })
    .meta({ description: "WhatsApp's customer service window: while open anything may be sent; when closed, only templates." }),
  sendingEnabled: z.boolean().meta({ description: 'False when no WHATSAPP_ACCESS_TOKEN is set: nothing can be sent.' }),
});
export type GetConversationResponse = z.infer<typeof getConversationResponseSchema>;

export const getConversationsResponseSchema = z.object({
  conversations: z.array(apiConversationSchema),
  nextCursor: z.string().nullable(),
  searchedMessageText: z
    .boolean()
    .optional()
    .meta({ description: 'With `q`: whether message text was searched too (it takes three letters or digits in a row).' }),
});
export type GetConversationsResponse = z.infer<typeof getConversationsResponseSchema>;

export const getConversationMessagesResponseSchema = z.object({
  messages: z.array(apiMessageSchema),
  nextCursor: z.string().nullable(),
});
export type GetConversationMessagesResponse = z.infer<typeof getConversationMessagesResponseSchema>;

export const getBusinessNumbersResponseSchema = z.object({
  businessNumbers: z.array(z.object({ id: z.string(), displayPhoneNumber: z.string().nullable(), conversationCount: z.number().int() })),
});
export type GetBusinessNumbersResponse = z.infer<typeof getBusinessNumbersResponseSchema>;

export const postConversationReadResponseSchema = z.object({ unreadCount: z.literal(0) });
export type PostConversationReadResponse = z.infer<typeof postConversationReadResponseSchema>;

/** Set a conversation's status (POST /api/conversations/{id}/status); a snooze says until when. */
export const postConversationStatusBodySchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('open') }),
  z.strictObject({ status: z.literal('pending') }),
  z.strictObject({ status: z.literal('resolved') }),
  z.strictObject({
    status: z.literal('snoozed'),
    snoozedUntil: z.iso
      .datetime({ offset: true })
      .meta({ description: 'When it opens again by itself: ISO-8601, in the future and at most a year ahead.' }),
  }),
]);
export type PostConversationStatusBody = z.infer<typeof postConversationStatusBodySchema>;
export type PostConversationStatusResponse = GetConversationResponse;

const statusCount = z.number().int();
/** Conversations per status (the inbox's tabs), on every business number or one. */
export const getConversationCountsResponseSchema = z.object({
  counts: z.object({
    open: statusCount,
    pending: statusCount,
    resolved: statusCount,
    snoozed: statusCount,
  } satisfies Record<ConversationStatus, z.ZodNumber>),
  views: viewUnreadCountsSchema,
});
export type GetConversationCountsResponse = z.infer<typeof getConversationCountsResponseSchema>;

// ---- Parameters ----

export const conversationsQuerySchema = z.object({
  limit: limitSchema,
  cursor: z.string().max(1000, 'malformed cursor').optional(),
  q: optionalText(200),
  businessPhoneNumberId: optionalText(64),
  status: conversationStatusSchema.optional().meta({ description: 'Only conversations with this status; absent: every status.' }),
  labelId: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a label id')
    .optional()
    .meta({ description: 'Only conversations carrying this label (GET /api/labels lists them).' }),
  assignee: assigneeFilterSchema.optional(),
});

export const conversationCountsQuerySchema = z.object({
  businessPhoneNumberId: optionalText(64),
  status: conversationStatusSchema.optional().meta({ description: 'The tab in effect: `views` counts conversations of this status.' }),
});

export const conversationMessagesQuerySchema = z.object({
  limit: limitSchema,
  before: z.string().max(2000, 'malformed cursor').optional(),
});

/** Ids in paths are opaque strings: one that cannot exist is simply not found (404, never 400). */
export const conversationParamsSchema = z.object({ id: z.string() });
export const messageParamsSchema = z.object({ id: z.string().meta({ description: "The message's id or its wamid, URL-encoded." }) });
