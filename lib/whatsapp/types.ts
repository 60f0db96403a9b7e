// The normalized shape of one webhook body: what lib/whatsapp/normalize.ts produces from Meta's JSON
// and what lib/whatsapp/store.ts writes. Pure data: no database types here.

import type { MessageContent } from './message-types';

// The lists of media and modifier types come from the message type registry.
export {
  isMediaMessageType,
  isModifierMessageType,
  MEDIA_MESSAGE_TYPES,
  type MediaMessageType,
  type MessageContent,
  MODIFIER_MESSAGE_TYPES,
} from './message-types';

export type Direction = 'inbound' | 'outbound';

/** Delivery statuses that move a message forward; anything else Meta sends is kept in history only. */
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/** One of our business phone numbers, from `value.metadata`. */
export interface BusinessNumber {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  /** The WhatsApp Business Account id (`entry.id`). */
  wabaId: string | null;
}

/**
 * A customer as WhatsApp identifies them: the phone-number based `wa_id` and/or the
 * business-scoped user id (BSUID, `user_id`) Meta sends since 2026. At least one is set.
 */
export interface CustomerIdentity {
  waId: string | null;
  userId: string | null;
}

/** A customer seen in a body, with what we learned about them (from `contacts[]`, or only from a message/status). */
export interface ContactSighting extends CustomerIdentity {
  name: string | null;
  username: string | null;
}

export interface DeliveryError {
  code: number | null;
  title: string | null;
  message: string | null;
  details: string | null;
}

export interface MediaInfo {
  id: string | null;
  mimeType: string | null;
  sha256: string | null;
  caption: string | null;
  filename: string | null;
  /** Audio recorded as a voice note. */
  voice: boolean;
  /** Animated sticker. */
  animated: boolean;
  url: string | null;
}

export interface NormalizedMessage {
  wamid: string;
  phoneNumberId: string;
  /** The other party: sender of an inbound message, recipient of an outbound one (echoes). */
  customer: CustomerIdentity;
  direction: Direction;
  /** Meta's `type`, verbatim (also for types we have never seen). */
  type: string;
  /** Second-level type where Meta has one: interactive.type, system.type, reaction "removed" ... */
  subtype: string | null;
  /** Human-readable text where the type has one (body, caption, chosen title, emoji, place name/address ...). */
  text: string | null;
  /** Meta's timestamp: messages are ordered by it, not by arrival. */
  timestamp: Date;
  /** `context.id`: the message this one replies to. */
  replyToWamid: string | null;
  forwarded: boolean;
  frequentlyForwarded: boolean;
  media: MediaInfo | null;
  /** The message another one acts on: reaction target, edited or revoked original. */
  targetWamid: string | null;
  /** Errors attached to the message itself (unsupported types, failed inbound media ...). */
  errors: DeliveryError[];
  /** What the message says, typed per type (lib/whatsapp/message-types): what the inbox renders. */
  content: MessageContent;
  /** The item exactly as Meta sent it, made safe for jsonb (kept for integrators). */
  raw: unknown;
  /**
   * Set for a message from the Business app's shared chat history (the `history` field): how far it got
   * (`history_context.status`, for messages the business sent: a delivery status, or null when unknown).
   */
  history?: { status: DeliveryStatus | null };
}

export interface NormalizedStatus {
  wamid: string;
  phoneNumberId: string;
  customer: CustomerIdentity;
  /** Meta's status, verbatim; only DeliveryStatus values move a message's current status. */
  status: string;
  timestamp: Date;
  errors: DeliveryError[];
  pricing: unknown | null;
  conversation: unknown | null;
  /** `biz_opaque_callback_data`: what the sender asked to get back (the outbox puts our message id there). */
  callbackData: string | null;
  raw: unknown;
}

/** Everything else: template and account updates, quality changes, value-level errors, items we could not read. */
export interface AccountEvent {
  wabaId: string | null;
  phoneNumberId: string | null;
  /** The change's `field` (message_template_status_update, account_update ...), or 'errors' / 'invalid_item'. */
  field: string;
  /** A short kind within the field where Meta gives one (value.event, error code ...). */
  eventType: string | null;
  timestamp: Date | null;
  payload: unknown;
}

export interface NormalizedBatch {
  businessNumbers: BusinessNumber[];
  contacts: ContactSighting[];
  messages: NormalizedMessage[];
  statuses: NormalizedStatus[];
  accountEvents: AccountEvent[];
}
