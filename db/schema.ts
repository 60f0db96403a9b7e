import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Every webhook body exactly as received (bytes: JSON may hold \u0000 or lone surrogates that jsonb rejects).
 * Committed before the 200 goes out; the worker normalizes it afterwards.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    body: bytea('body').notNull(),
    /** sha256 of the body: an identical retry from Meta is recognized and stored once. */
    bodySha256: bytea('body_sha256').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    /** pending → processed | failed. */
    state: text('state', { enum: ['pending', 'processed', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    processedAt: tstz('processed_at'),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('webhook_events_body_sha256_key').on(t.bodySha256),
    index('webhook_events_pending_idx').on(t.nextAttemptAt, t.id).where(sql`state = 'pending'`),
    index('webhook_events_failed_idx').on(t.id).where(sql`state = 'failed'`),
  ],
);
export type WebhookEvent = typeof webhookEvents.$inferSelect;

/** Our own WhatsApp business phone numbers (`metadata`). */
export const businessNumbers = pgTable('business_numbers', {
  phoneNumberId: text('phone_number_id').primaryKey(),
  displayPhoneNumber: text('display_phone_number'),
  wabaId: text('waba_id'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type BusinessNumberRow = typeof businessNumbers.$inferSelect;

/** Customers: identified by wa_id (phone) and/or BSUID (user_id); one row once both are seen together. */
export const contacts = pgTable(
  'contacts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    waId: text('wa_id'),
    userId: text('user_id'),
    name: text('name'),
    username: text('username'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contacts_wa_id_key').on(t.waId), uniqueIndex('contacts_user_id_key').on(t.userId)],
);
export type ContactRow = typeof contacts.$inferSelect;

/** One thread per (business number, customer). */
export const conversations = pgTable(
  'conversations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phoneNumberId: text('phone_number_id')
      .notNull()
      .references(() => businessNumbers.phoneNumberId),
    contactId: bigint('contact_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id),
    lastMessageAt: tstz('last_message_at'),
    lastMessageWamid: text('last_message_wamid'),
    unreadCount: integer('unread_count').notNull().default(0),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_number_contact_key').on(t.phoneNumberId, t.contactId),
    index('conversations_activity_idx').on(t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('conversations_number_activity_idx').on(t.phoneNumberId, t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('conversations_contact_idx').on(t.contactId),
  ],
);
export type ConversationRow = typeof conversations.$inferSelect;

/** Messages, keyed by Meta's wamid. Outbound messages we only know from statuses are placeholders until seen. */
export const messages = pgTable(
  'messages',
  {
    wamid: text('wamid').primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    type: text('type').notNull(),
    subtype: text('subtype'),
    text: text('text'),
    /** Meta's timestamp: threads are ordered by it, not by arrival. */
    sentAt: tstz('sent_at').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    replyToWamid: text('reply_to_wamid'),
    forwarded: boolean('forwarded').notNull().default(false),
    frequentlyForwarded: boolean('frequently_forwarded').notNull().default(false),
    media: jsonb('media'),
    /** What a reaction, edit or revoke acts on. */
    targetWamid: text('target_wamid'),
    /** received (inbound) | pending | sent | delivered | read | failed. */
    status: text('status').notNull(),
    /** Ordering of status so it only moves forward (see lib/whatsapp/status.ts). */
    statusRank: smallint('status_rank').notNull().default(0),
    statusAt: tstz('status_at'),
    errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
    /** Known only from a status (sent by another system); filled in if the message itself arrives later. */
    placeholder: boolean('placeholder').notNull().default(false),
    editedAt: tstz('edited_at'),
    deletedAt: tstz('deleted_at'),
    raw: jsonb('raw'),
    eventId: bigint('event_id', { mode: 'number' }),
  },
  (t) => [
    index('messages_thread_idx').on(t.conversationId, t.sentAt.desc(), t.wamid.desc()),
    index('messages_target_idx').on(t.targetWamid).where(sql`target_wamid is not null`),
  ],
);
export type MessageRow = typeof messages.$inferSelect;

/** Every status Meta reported, in full: the history behind a message's current status. */
export const statusEvents = pgTable(
  'status_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    wamid: text('wamid').notNull(),
    status: text('status').notNull(),
    occurredAt: tstz('occurred_at').notNull(),
    recipientId: text('recipient_id'),
    recipientUserId: text('recipient_user_id'),
    errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
    pricing: jsonb('pricing'),
    conversation: jsonb('conversation'),
    raw: jsonb('raw'),
    eventId: bigint('event_id', { mode: 'number' }),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('status_events_wamid_status_time_key').on(t.wamid, t.status, t.occurredAt)],
);
export type StatusEventRow = typeof statusEvents.$inferSelect;

/** Template, account and quality updates, value-level errors, and items we could not read. */
export const accountEvents = pgTable(
  'account_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** sha256 of where, when and what: the same event delivered in another envelope is stored once. */
    dedupeKey: text('dedupe_key').notNull(),
    eventId: bigint('event_id', { mode: 'number' }),
    wabaId: text('waba_id'),
    phoneNumberId: text('phone_number_id'),
    field: text('field').notNull(),
    eventType: text('event_type'),
    occurredAt: tstz('occurred_at'),
    payload: jsonb('payload'),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('account_events_dedupe_key').on(t.dedupeKey),
    index('account_events_received_idx').on(t.receivedAt.desc(), t.id.desc()),
  ],
);
export type AccountEventRow = typeof accountEvents.$inferSelect;
