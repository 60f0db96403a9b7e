// Zod schemas for the JSON Meta posts to the webhook.
//
// Only the envelope is strict: it decides 400 versus accept in the HTTP route. Everything below it
// is lenient on purpose. Meta adds fields and types without notice and real traffic carries shapes
// no sample shows, so a field of the wrong type reads as absent instead of failing its item, and
// unknown keys are ignored here (the raw body is stored verbatim elsewhere). The normalizer decides
// what an item missing a field it needs becomes.

import { z } from 'zod';

/** A JSON object with a string `object` and an array `entry`; anything else is a 400. */
export const webhookBodySchema = z.looseObject({
  object: z.string(),
  entry: z.array(z.unknown()),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

// --- Lenient building blocks -------------------------------------------------------------------

/** A string; a finite number is accepted as its decimal text (ids are sometimes sent unquoted). */
const lenientString = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .optional()
  .catch(undefined);

const lenientBoolean = z.boolean().optional().catch(undefined);

/** Epoch seconds: Meta sends strings ("1767000000"), sometimes numbers. Parsed by the normalizer. */
const lenientEpoch = z.union([z.string(), z.number()]).optional().catch(undefined);

const lenientNumber = z.number().optional().catch(undefined);

/** A whole number, also as its decimal text. */
const lenientCount = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^\d{1,9}$/)
      .transform(Number),
  ])
  .optional()
  .catch(undefined);

const lenientArray = z.array(z.unknown()).optional().catch(undefined);

/** An optional nested object whose own fields are lenient: anything but an object reads as absent. */
function lenientObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape).optional().catch(undefined);
}

// --- Envelope ----------------------------------------------------------------------------------

export const entrySchema = z.object({
  /** The WhatsApp Business Account id. */
  id: lenientString,
  time: lenientEpoch,
  changes: z.unknown().optional(),
});
export type Entry = z.infer<typeof entrySchema>;

export const changeSchema = z.object({
  field: lenientString,
  value: z.unknown().optional(),
});
export type Change = z.infer<typeof changeSchema>;

export const metadataSchema = z.object({
  phone_number_id: lenientString,
  display_phone_number: lenientString,
});
export type Metadata = z.infer<typeof metadataSchema>;

/** The `value` of a `messages` / `smb_message_echoes` change. Item arrays are checked by the normalizer. */
export const messagingValueSchema = z.object({
  metadata: metadataSchema.optional().catch(undefined),
  contacts: z.unknown().optional(),
  messages: z.unknown().optional(),
  message_echoes: z.unknown().optional(),
  statuses: z.unknown().optional(),
  errors: z.unknown().optional(),
});
export type MessagingValue = z.infer<typeof messagingValueSchema>;

/**
 * The `value` of a `history` change: the WhatsApp Business app's past chats, shared when its number joined
 * the Cloud API, in chunks (`history[]`), each of threads (one per customer) of messages shaped as webhook
 * messages plus `history_context.status`. Checked item by item by the normalizer.
 */
export const historyValueSchema = z.object({
  metadata: metadataSchema.optional().catch(undefined),
  history: z.unknown().optional(),
});

/** One chunk of `value.history[]`: where it stands, and its threads or (sharing declined) its errors. */
export const historyChunkSchema = z.object({
  metadata: lenientObject({ phase: lenientCount, chunk_order: lenientCount, progress: lenientCount }),
  threads: z.unknown().optional(),
  errors: z.unknown().optional(),
});

export const historyThreadSchema = z.object({
  /** The customer's phone number (or BSUID). */
  id: lenientString,
  messages: z.unknown().optional(),
});

/** The `value` of every other field: only what names the event and its time. */
export const accountValueSchema = z.object({
  metadata: metadataSchema.optional().catch(undefined),
  event: lenientString,
  timestamp: lenientEpoch,
  decision: lenientString,
  new_quality_score: lenientString,
  new_category: lenientString,
  alert_info: lenientObject({ alert_type: lenientString }),
  user_preferences: lenientArray,
  calls: lenientArray,
  state_sync: lenientArray,
});
export type AccountValue = z.infer<typeof accountValueSchema>;

// --- Items -------------------------------------------------------------------------------------

/** `value.contacts[]`: who sent the messages (or received the statuses) in this value. */
export const contactItemSchema = z.object({
  wa_id: lenientString,
  /** Business-scoped user id (BSUID), sent since April 2026. */
  user_id: lenientString,
  profile: lenientObject({ name: lenientString, username: lenientString }),
});
export type ContactItem = z.infer<typeof contactItemSchema>;

export const errorItemSchema = z.object({
  code: z.union([z.number(), z.string()]).optional().catch(undefined),
  title: lenientString,
  message: lenientString,
  details: lenientString,
  error_data: lenientObject({ details: lenientString }),
});
export type ErrorItem = z.infer<typeof errorItemSchema>;

export const mediaContentSchema = z.object({
  id: lenientString,
  mime_type: lenientString,
  sha256: lenientString,
  caption: lenientString,
  filename: lenientString,
  voice: lenientBoolean,
  animated: lenientBoolean,
  url: lenientString,
});
export type MediaContent = z.infer<typeof mediaContentSchema>;

/** One entry of a `contacts` message (a contact card the customer shared). */
export const sharedContactSchema = z.object({
  name: lenientObject({
    formatted_name: lenientString,
    first_name: lenientString,
    last_name: lenientString,
  }),
});
export type SharedContact = z.infer<typeof sharedContactSchema>;

export const orderItemSchema = z.object({
  product_retailer_id: lenientString,
  quantity: z.union([z.number(), z.string()]).optional().catch(undefined),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

const media = mediaContentSchema.optional().catch(undefined);

/** A message in `value.messages[]` (inbound) or `value.message_echoes[]` (sent from the Business app). */
export const messageItemSchema = z.object({
  id: lenientString,
  type: lenientString,
  timestamp: lenientEpoch,
  from: lenientString,
  from_user_id: lenientString,
  to: lenientString,
  to_user_id: lenientString,
  /** Groups API: the group the message was posted in. */
  group_id: lenientString,
  context: lenientObject({
    id: lenientString,
    from: lenientString,
    forwarded: lenientBoolean,
    frequently_forwarded: lenientBoolean,
  }),
  errors: lenientArray,
  text: lenientObject({ body: lenientString }),
  image: media,
  video: media,
  audio: media,
  document: media,
  sticker: media,
  location: lenientObject({
    name: lenientString,
    address: lenientString,
    latitude: lenientNumber,
    longitude: lenientNumber,
  }),
  contacts: lenientArray,
  interactive: lenientObject({
    type: lenientString,
    button_reply: lenientObject({ id: lenientString, title: lenientString }),
    list_reply: lenientObject({ id: lenientString, title: lenientString, description: lenientString }),
    nfm_reply: lenientObject({ name: lenientString, body: lenientString, response_json: lenientString }),
  }),
  button: lenientObject({ text: lenientString, payload: lenientString }),
  reaction: lenientObject({ message_id: lenientString, emoji: lenientString }),
  order: lenientObject({ catalog_id: lenientString, text: lenientString, product_items: lenientArray }),
  system: lenientObject({ body: lenientString, type: lenientString }),
  /** The edited message comes whole in `edit.message`; the normalizer parses it with this same schema. */
  edit: lenientObject({ original_message_id: lenientString, message: z.unknown().optional() }),
  revoke: lenientObject({ original_message_id: lenientString }),
  unsupported: lenientObject({ type: lenientString }),
  /** History messages only: how far the message got (SENT, DELIVERED, READ, PLAYED, ERROR, PENDING). */
  history_context: lenientObject({ status: lenientString }),
});
export type MessageItem = z.infer<typeof messageItemSchema>;

/** A delivery status in `value.statuses[]`, for a message the business sent. */
export const statusItemSchema = z.object({
  id: lenientString,
  status: lenientString,
  timestamp: lenientEpoch,
  recipient_id: lenientString,
  /** BSUID of the recipient, sent since April 2026. */
  recipient_user_id: lenientString,
  /** "individual", or "group" for the Groups API (recipient_id is then the group id). */
  recipient_type: lenientString,
  errors: lenientArray,
  pricing: z.unknown().optional(),
  conversation: z.unknown().optional(),
  /** What the sender put in the message's `biz_opaque_callback_data`, returned on its statuses (ours: our message id). */
  biz_opaque_callback_data: lenientString,
});
export type StatusItem = z.infer<typeof statusItemSchema>;
