import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  type AnyPgColumn,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { CONVERSATION_STATUSES } from '../lib/contracts/conversation-status';
import { LABEL_COLOURS } from '../lib/contracts/label-colours';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Every webhook body exactly as received (bytes: JSON may hold \u0000 or lone surrogates that jsonb rejects).
 * Committed before the 200 goes out; the worker normalizes it afterwards.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    body: bytea('body').notNull(),
    /** sha256 of the body (webhook_event_hashes is what recognizes a retry). */
    bodySha256: bytea('body_sha256').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    /** pending → processed | failed; failed → pending (an operator's retry) | discarded (an operator gave up on it). */
    state: text('state', { enum: ['pending', 'processed', 'failed', 'discarded'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    processedAt: tstz('processed_at'),
    /** When it was given up on (state failed): the error log's time. */
    failedAt: tstz('failed_at'),
    lastError: text('last_error'),
    /**
     * When retention emptied `body` (RAW_EVENT_RETENTION_DAYS after it was received, once processed or
     * discarded): the row and its hash stay, so a late retry of the same body is still recognized.
     */
    bodyDeletedAt: tstz('body_deleted_at'),
  },
  (t) => [
    // Partitioned by month of received_at (db/queries/partitions.ts): the key is part of the primary key,
    // which still starts with id, so a lookup by id alone probes one index per month.
    primaryKey({ name: 'webhook_events_pkey', columns: [t.id, t.receivedAt] }),
    index('webhook_events_pending_idx').on(t.nextAttemptAt, t.id).where(sql`state = 'pending'`),
    index('webhook_events_failed_idx').on(t.id).where(sql`state = 'failed'`),
  ],
);
export type WebhookEvent = typeof webhookEvents.$inferSelect;

/**
 * The sha256 of every webhook body received within RAW_EVENT_RETENTION_DAYS: an identical retry from Meta is
 * recognized and stored once, whichever month it arrives in (a unique index on the partitioned
 * webhook_events would have to include received_at, and a retry arrives later).
 */
export const webhookEventHashes = pgTable(
  'webhook_event_hashes',
  {
    sha256: bytea('sha256').primaryKey(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_event_hashes_received_idx').on(t.receivedAt)],
);

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
  (t) => [
    uniqueIndex('contacts_wa_id_key').on(t.waId),
    uniqueIndex('contacts_user_id_key').on(t.userId),
    // Inbox search is a substring match (ILIKE '%q%'): trigram indexes serve it (pg_trgm, migration 0001).
    index('contacts_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('contacts_wa_id_trgm_idx').using('gin', t.waId.op('gin_trgm_ops')),
    index('contacts_user_id_trgm_idx').using('gin', t.userId.op('gin_trgm_ops')),
  ],
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
    /** The newest message (by Meta's timestamp, then id): the list's preview. */
    lastMessageId: bigint('last_message_id', { mode: 'number' }),
    unreadCount: integer('unread_count').notNull().default(0),
    /**
     * Meta's timestamp of the customer's latest message: WhatsApp's 24-hour customer service window runs
     * from it (our own messages never extend it).
     */
    lastInboundAt: tstz('last_inbound_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** open → pending | resolved | snoozed; a new customer message, or the end of a snooze, opens it again. */
    status: text('status', { enum: CONVERSATION_STATUSES }).notNull().default('open'),
    /** When a snooze ends: set exactly while snoozed. */
    snoozedUntil: tstz('snoozed_until'),
    statusChangedAt: tstz('status_changed_at'),
    /** The agent it is assigned to; unassigned when null (and when that user is deleted). */
    assigneeId: text('assignee_id').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    assignedAt: tstz('assigned_at'),
  },
  (t) => [
    uniqueIndex('conversations_number_contact_key').on(t.phoneNumberId, t.contactId),
    index('conversations_activity_idx').on(t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('conversations_number_activity_idx').on(t.phoneNumberId, t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    // The list of one status (a tab), alone or on one number: the same walk as the whole list.
    index('conversations_status_activity_idx').on(t.status, t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('conversations_number_status_activity_idx').on(t.phoneNumberId, t.status, t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    // The snooze waker's look for snoozes that ended: only snoozed rows are in it.
    index('conversations_snoozed_until_idx').on(t.snoozedUntil).where(sql`status = 'snoozed'`),
    index('conversations_contact_idx').on(t.contactId),
    // The Mine view (one agent's conversations of a status) and the Unassigned view, newest activity first.
    index('conversations_assignee_status_activity_idx').on(t.assigneeId, t.status, t.lastMessageAt.desc().nullsLast(), t.id.desc()),
    index('conversations_unassigned_status_activity_idx')
      .on(t.status, t.lastMessageAt.desc().nullsLast(), t.id.desc())
      .where(sql`assignee_id is null`),
    // Only conversations with unread messages (a small share): the unread counts per view (any status, any
    // number) and each agent's notifications, newest customer message first, read from the index alone.
    index('conversations_unread_idx')
      .on(t.assigneeId, t.lastInboundAt.desc().nullsLast(), t.id.desc(), t.status, t.phoneNumberId, t.unreadCount)
      .where(sql`unread_count > 0`),
    check('conversations_status_check', sql.raw(`status in (${CONVERSATION_STATUSES.map((s) => `'${s}'`).join(', ')})`)),
    check('conversations_snoozed_until_check', sql`(status = 'snoozed') = (snoozed_until is not null)`),
  ],
);
export type ConversationRow = typeof conversations.$inferSelect;

/**
 * How many conversations each business number has in each status, as changes to add up: triggers on
 * conversations (migration 0018) append one row per number and status a statement changed, so writers never
 * wait on one another's row; the tabs' counts sum them, and compaction folds them into one row per key.
 */
export const conversationStatusCounts = pgTable('conversation_status_counts', {
  phoneNumberId: text('phone_number_id').notNull(),
  status: text('status').notNull(),
  delta: bigint('delta', { mode: 'number' }).notNull(),
});

/** Labels admins define (name unique whatever its case, a colour of the palette); anyone puts them on conversations. */
export const labels = pgTable(
  'labels',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    colour: text('colour', { enum: LABEL_COLOURS }).notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('labels_name_key').on(sql`lower(${t.name})`),
    check('labels_colour_check', sql.raw(`colour in (${LABEL_COLOURS.map((c) => `'${c}'`).join(', ')})`)),
  ],
);
export type LabelRow = typeof labels.$inferSelect;

/** Which labels a conversation carries; deleting either side takes the pair with it. */
export const conversationLabels = pgTable(
  'conversation_labels',
  {
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    labelId: bigint('label_id', { mode: 'number' })
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
    addedAt: tstz('added_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.labelId] }),
    // A label's conversations (the list's label filter, the counts, a delete's notices).
    index('conversation_labels_label_idx').on(t.labelId, t.conversationId),
  ],
);

/**
 * Messages, with an id of our own: a message we write exists before Meta names it, so Meta's wamid is
 * set when Meta assigns it (unique; everything Meta refers to — statuses, replies, reactions, edits,
 * revokes — finds a message by it). Outbound messages we only know from statuses are placeholders until seen.
 */
export const messages = pgTable(
  'messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    wamid: text('wamid'),
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
    /** received (inbound) | pending | sent | delivered | read | played (a voice message) | failed. */
    status: text('status').notNull(),
    /** Ordering of status so it only moves forward (see lib/whatsapp/status.ts). */
    statusRank: smallint('status_rank').notNull().default(0),
    statusAt: tstz('status_at'),
    /**
     * status_at while the status is failed: the error log's key, kept by PostgreSQL. The failed-message
     * indexes name this column rather than status and status_at, so that a message moving on from sent to
     * delivered to read changes no indexed column and is updated in place (HOT): a new version of the row
     * would need new entries in every index, the text's trigrams included (migration 0019).
     */
    failedAt: tstz('failed_at').generatedAlwaysAs(sql`case when status = 'failed' then status_at end`),
    errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
    /** Known only from a status (sent by another system); filled in if the message itself arrives later. */
    placeholder: boolean('placeholder').notNull().default(false),
    /**
     * Shared from the WhatsApp Business app's chat history when the number joined the Cloud API (the `history`
     * webhook): shown in its thread at its own time, but never unread, never reopening, never opening the window.
     */
    history: boolean('history').notNull().default(false),
    editedAt: tstz('edited_at'),
    deletedAt: tstz('deleted_at'),
    /**
     * What the message says, typed per type ({ v: 1, type, ... }: lib/whatsapp/message-types/): what the
     * thread renders. Null for placeholders.
     */
    content: jsonb('content'),
    /** The item exactly as Meta sent it (made safe for jsonb), for integrators: GET /api/messages/{id}. */
    raw: jsonb('raw'),
    eventId: bigint('event_id', { mode: 'number' }),
    // ---- Written here (the outbox, lib/outbox/) ----
    /** The writer's own id for it (a UUID): the same clientId sends once, however often it is posted. */
    clientId: text('client_id'),
    /** Who wrote it: an agent (user id, kept null if the user is deleted), or an API key; the name as it was then. */
    sentByUserId: text('sent_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sentByApiKeyId: bigint('sent_by_api_key_id', { mode: 'number' }),
    sentByName: text('sent_by_name'),
    /** 'queued' while the outbox has to send it (waiting, or retrying after a retryable failure); null otherwise. */
    outboxState: text('outbox_state', { enum: ['queued'] }),
    /** Requests started for it (a retry an agent asks for starts again at 0). */
    sendAttempts: integer('send_attempts').notNull().default(0),
    nextSendAt: tstz('next_send_at'),
    /** Held by the instance sending it; one that ran out means the sender died mid-request: outcome unknown. */
    sendLeaseUntil: tstz('send_lease_until'),
  },
  (t) => [
    uniqueIndex('messages_wamid_key').on(t.wamid),
    uniqueIndex('messages_client_id_key').on(t.clientId),
    // The outbox: what is due, and per conversation what is still queued (sent strictly in order).
    index('messages_outbox_due_idx').on(t.nextSendAt, t.id).where(sql`outbox_state = 'queued'`),
    index('messages_outbox_conversation_idx').on(t.conversationId, t.id).where(sql`outbox_state = 'queued'`),
    index('messages_thread_idx').on(t.conversationId, t.sentAt.desc(), t.id.desc()),
    // The admin's export of a date range (all conversations, by Meta's timestamp), walked in key order.
    index('messages_sent_at_idx').on(t.sentAt, t.id),
    index('messages_target_idx').on(t.targetWamid).where(sql`target_wamid is not null`),
    index('messages_text_trgm_idx').using('gin', t.text.op('gin_trgm_ops')),
    // The error log: failed deliveries, newest first, optionally of one error code.
    index('messages_failed_idx').on(t.failedAt.desc(), t.id.desc()).where(sql`failed_at is not null`),
    index('messages_failed_code_idx').on(sql`(errors -> 0 ->> 'code')`, t.failedAt.desc(), t.id.desc()).where(sql`failed_at is not null`),
  ],
);
export type MessageRow = typeof messages.$inferSelect;

/** Every status Meta reported, in full: the history behind a message's current status. */
export const statusEvents = pgTable(
  'status_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
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
    /** The business number it was reported on (`metadata.phone_number_id`). */
    phoneNumberId: text('phone_number_id'),
    /** The first error's code, for failures: what the error log filters and the charts stack by. */
    errorCode: integer('error_code'),
  },
  // Partitioned by month of occurred_at (db/queries/partitions.ts): the key the replay check already holds.
  (t) => [
    primaryKey({ name: 'status_events_pkey', columns: [t.id, t.occurredAt] }),
    uniqueIndex('status_events_wamid_status_time_key').on(t.wamid, t.status, t.occurredAt),
  ],
);
export type StatusEventRow = typeof statusEvents.$inferSelect;

/**
 * The wamids of an erased customer's messages, as sha256 (a wamid spells the customer's number): a late
 * status or a second delivery of one is dropped instead of bringing the customer back (lib/privacy/erase.ts).
 */
export const erasedWamids = pgTable('erased_wamids', {
  wamidSha256: bytea('wamid_sha256').primaryKey(),
  erasedAt: tstz('erased_at').notNull().defaultNow(),
});

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

/**
 * One file per media message (image, audio, video, document, sticker), downloaded from the Graph API
 * before Meta's URL expires (lib/media/downloader.ts). The job lives here, not in memory: a restart
 * picks it up again. A download in progress holds a lease; a lease that ran out (a crash) is due again.
 */
export const mediaItems = pgTable(
  'media_items',
  {
    messageId: bigint('message_id', { mode: 'number' })
      .primaryKey()
      .references(() => messages.id),
    /** Meta's media id: from the webhook (inbound), or once our copy is uploaded to Meta (a file an agent sent). */
    mediaId: text('media_id'),
    /** The message type: image | audio | video | document | sticker. */
    kind: text('kind').notNull(),
    /** As the webhook said; the Graph API's answer replaces it. */
    mimeType: text('mime_type'),
    /** A document's original file name (untrusted: sanitized when served). */
    filename: text('filename'),
    state: text('state', { enum: ['pending', 'downloaded', 'failed'] })
      .notNull()
      .default('pending'),
    /** Why the last attempt failed: expired | unauthorized | checksum_mismatch | too_large | timeout | unavailable. */
    failureReason: text('failure_reason'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    leaseUntil: tstz('lease_until'),
    /** Where the bytes are (the storage's key: their sha256, so identical files are stored once). */
    storageKey: text('storage_key'),
    size: bigint('size', { mode: 'number' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    downloadedAt: tstz('downloaded_at'),
  },
  (t) => [
    index('media_items_due_idx').on(t.nextAttemptAt).where(sql`state = 'pending'`),
    // Counting failures (metrics) without scanning every downloaded file.
    index('media_items_failed_idx').on(t.messageId).where(sql`state = 'failed'`),
  ],
);
export type MediaItemRow = typeof mediaItems.$inferSelect;

// ---- Analytics rollups: kept up to date by the writes that create their rows (lib/whatsapp/store.ts,
// lib/whatsapp/ingest.ts, the processor), so charts add up a few thousand rows instead of counting millions.
// Hours are UTC hours; each write adds only what it really inserted, so replays change nothing.

/** Status events per UTC hour, business number, status and error code (0: none). */
export const deliveryStatsHourly = pgTable(
  'delivery_stats_hourly',
  {
    hour: tstz('hour').notNull(),
    phoneNumberId: text('phone_number_id').notNull(),
    status: text('status').notNull(),
    errorCode: integer('error_code').notNull().default(0),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.phoneNumberId, t.status, t.errorCode] })],
);

/** When each outbound message was first sent, delivered, read or failed: the funnel and its medians. */
export const deliveryTimings = pgTable(
  'delivery_timings',
  {
    wamid: text('wamid').primaryKey(),
    phoneNumberId: text('phone_number_id').notNull(),
    sentAt: tstz('sent_at'),
    deliveredAt: tstz('delivered_at'),
    readAt: tstz('read_at'),
    failedAt: tstz('failed_at'),
    // Whole seconds (Meta's timestamps are whole seconds), computed once on write: the medians sort small
    // integers read from the index instead of computing intervals for every row of a 30-day range.
    deliveredAfterS: integer('delivered_after_s').generatedAlwaysAs(
      sql`case when delivered_at >= sent_at then extract(epoch from delivered_at - sent_at)::integer end`,
    ),
    readAfterS: integer('read_after_s').generatedAlwaysAs(
      sql`case when read_at >= sent_at then extract(epoch from read_at - sent_at)::integer end`,
    ),
  },
  (t) => [
    // Covering (index-only scans) for all numbers and for one.
    index('delivery_timings_sent_idx')
      .on(t.sentAt, t.phoneNumberId, t.deliveredAfterS, t.readAfterS, t.failedAt)
      .where(sql`sent_at is not null`),
    index('delivery_timings_number_sent_idx')
      .on(t.phoneNumberId, t.sentAt, t.deliveredAfterS, t.readAfterS, t.failedAt)
      .where(sql`sent_at is not null`),
  ],
);

/**
 * delivery_timings summed per UTC day of sent_at, business number and kind: `sent` and `failed` (bucket 0),
 * `delivered` and `read` per bucket of their whole seconds (delivery_seconds_bucket: exact below 32 s, then
 * 16 buckets per doubling). The funnel adds these up; a median finds its bucket here, then its exact value
 * in delivery_timing_seconds. Kept by triggers on delivery_timings (migration 0018).
 */
export const deliveryTimingBuckets = pgTable(
  'delivery_timing_buckets',
  {
    day: tstz('day').notNull(),
    phoneNumberId: text('phone_number_id').notNull(),
    kind: text('kind', { enum: ['sent', 'delivered', 'read', 'failed'] }).notNull(),
    bucket: integer('bucket').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  // Migration 0018 adds INCLUDE (count) to both keys (drizzle cannot say it): index-only reads.
  (t) => [primaryKey({ name: 'delivery_timing_buckets_pkey', columns: [t.day, t.phoneNumberId, t.kind, t.bucket] })],
);

/**
 * How many messages took each whole number of seconds to be delivered or read, per UTC day of sent_at and
 * business number. Keyed by bucket first: a median reads only its own bucket's rows over the window's days.
 */
export const deliveryTimingSeconds = pgTable(
  'delivery_timing_seconds',
  {
    kind: text('kind', { enum: ['delivered', 'read'] }).notNull(),
    bucket: integer('bucket').notNull(),
    day: tstz('day').notNull(),
    phoneNumberId: text('phone_number_id').notNull(),
    seconds: integer('seconds').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'delivery_timing_seconds_pkey', columns: [t.kind, t.bucket, t.day, t.phoneNumberId, t.seconds] })],
);

/** Messages stored per UTC hour, business number, direction and type. */
export const messageStatsHourly = pgTable(
  'message_stats_hourly',
  {
    hour: tstz('hour').notNull(),
    phoneNumberId: text('phone_number_id').notNull(),
    direction: text('direction').notNull(),
    type: text('type').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.phoneNumberId, t.direction, t.type] })],
);

/**
 * Webhook deliveries per UTC hour: received, processed, failed (given up on), rejected (with the reason).
 * `shard` spreads concurrent writers over several rows so they never queue on one row lock.
 */
export const webhookStatsHourly = pgTable(
  'webhook_stats_hourly',
  {
    hour: tstz('hour').notNull(),
    kind: text('kind', { enum: ['received', 'processed', 'failed', 'rejected'] }).notNull(),
    reason: text('reason').notNull().default(''),
    shard: smallint('shard').notNull().default(0),
    count: bigint('count', { mode: 'number' }).notNull(),
    lastAt: tstz('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.kind, t.reason, t.shard] })],
);

// ---- People and access (better-auth's tables, lib/auth/auth.ts maps its models onto these) ----

/** Agents and admins. `role` and `banned` come from better-auth's admin plugin: banned = deactivated. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  role: text('role').notNull().default('agent'),
  /**
   * Whether auto-assignment may give them conversations while they are online: 'available' or 'away';
   * null is their role's default (agents available, admins away until they say otherwise).
   */
  availability: text('availability', { enum: ['available', 'away'] }),
  /** Auto-assignment's round robin: whoever was given one longest ago is next. */
  lastAutoAssignedAt: tstz('last_auto_assigned_at'),
  /** Notify them of new messages in unassigned conversations too (always of their own, and of mentions). */
  notifyUnassigned: boolean('notify_unassigned').notNull().default(false),
  banned: boolean('banned').default(false),
  banReason: text('ban_reason'),
  banExpires: tstz('ban_expires'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
export type UserRow = typeof users.$inferSelect;

/** Server-side sessions: deleting a row signs that browser out on its next request. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    token: text('token').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: tstz('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    impersonatedBy: text('impersonated_by'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Credentials: for email and password, `password` holds the scrypt hash. */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: tstz('access_token_expires_at'),
    refreshTokenExpiresAt: tstz('refresh_token_expires_at'),
    scope: text('scope'),
    password: text('password'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('accounts_user_idx').on(t.userId)],
);

export const verifications = pgTable('verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: tstz('expires_at').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/** Sign-in attempts per client and path, shared by every instance on the database. */
export const rateLimits = pgTable('rate_limits', {
  id: text('id').primaryKey(),
  key: text('key').notNull().unique(),
  count: integer('count').notNull(),
  lastRequest: bigint('last_request', { mode: 'number' }).notNull(),
});

/** API keys for integrators: only the sha256 of the key is kept; the key itself is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    /** The first characters of the key, to tell keys apart in the list. */
    prefix: text('prefix').notNull(),
    keyHash: bytea('key_hash').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash)],
);
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * How far each retention sweep has walked a table by id (lib/retention/purger.ts): every run starts where
 * the last one stopped instead of reading the table from the start.
 */
export const retentionWatermarks = pgTable('retention_watermarks', {
  name: text('name').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/** Secrets the app generates for itself on first start (e.g. the session signing key when AUTH_SECRET is unset). */
export const appSecrets = pgTable('app_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

// ---- Sending (the outbox: lib/outbox/) ----

/**
 * When each business number may make its next send: the outbox spaces requests to stay within
 * WHATSAPP_SEND_MPS per number, on every instance together.
 */
export const sendPacing = pgTable('send_pacing', {
  phoneNumberId: text('phone_number_id').primaryKey(),
  nextSlotAt: tstz('next_slot_at').notNull(),
});

/** Files an agent attached (POST /api/uploads), kept in media storage until a message sends them. */
export const uploads = pgTable('uploads', {
  id: text('id').primaryKey(),
  /** image | video | audio | document | sticker: how WhatsApp will carry it. */
  kind: text('kind').notNull(),
  mimeType: text('mime_type').notNull(),
  filename: text('filename'),
  size: bigint('size', { mode: 'number' }).notNull(),
  storageKey: text('storage_key').notNull(),
  createdByUserId: text('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
  createdByApiKeyId: bigint('created_by_api_key_id', { mode: 'number' }),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
export type UploadRow = typeof uploads.$inferSelect;

/** Message templates, as synced from GET /{waba_id}/message_templates. */
export const messageTemplates = pgTable(
  'message_templates',
  {
    /** Meta's template id. */
    id: text('id').primaryKey(),
    wabaId: text('waba_id').notNull(),
    name: text('name').notNull(),
    language: text('language').notNull(),
    category: text('category'),
    /** APPROVED (only these can be sent), PENDING, REJECTED, PAUSED, DISABLED ... */
    status: text('status').notNull(),
    /** POSITIONAL ({{1}}) or NAMED ({{first_name}}). */
    parameterFormat: text('parameter_format'),
    components: jsonb('components').notNull(),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [index('message_templates_waba_name_idx').on(t.wabaId, t.name, t.language)],
);
export type MessageTemplateRow = typeof messageTemplates.$inferSelect;

/** When each WhatsApp Business Account's templates were last synced (Meta allows ~200 requests an hour). */
export const templateSyncs = pgTable('template_syncs', {
  wabaId: text('waba_id').primaryKey(),
  syncedAt: tstz('synced_at'),
  /** A sync was asked for (start-up, a template webhook, an admin) and has not run yet. */
  requestedAt: tstz('requested_at'),
  lastError: text('last_error'),
});

// ---- Working as a team (issue 13: assignment, presence, notes, mentions, canned replies, the trail) ----

/** Inbox-wide settings admins change on /admin/settings: one row (id 1), made by the migration. */
export const inboxSettings = pgTable(
  'inbox_settings',
  {
    id: smallint('id').primaryKey().default(1),
    /** New or reopened unassigned conversations go round robin to online, available agents under the cap. */
    autoAssign: boolean('auto_assign').notNull().default(false),
    /** Open conversations an agent may hold before auto-assignment passes them by. */
    autoAssignCap: integer('auto_assign_cap').notNull().default(10),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  () => [check('inbox_settings_single_row', sql`id = 1`)],
);
export type InboxSettingsRow = typeof inboxSettings.$inferSelect;

/**
 * Who has the inbox open, per browser tab: its heartbeat (seenAt), the conversation it shows and when its
 * agent last typed a reply there. A tab that stops beating is gone after a minute without anyone deleting it;
 * signing out (the session's rows) takes its tabs at once.
 */
export const presence = pgTable(
  'presence',
  {
    /** The tab's own random id. */
    clientId: text('client_id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, { onDelete: 'cascade' }),
    typingAt: tstz('typing_at'),
    seenAt: tstz('seen_at').notNull().defaultNow(),
  },
  (t) => [
    index('presence_conversation_idx').on(t.conversationId, t.seenAt).where(sql`conversation_id is not null`),
    index('presence_user_idx').on(t.userId, t.seenAt),
  ],
);

/**
 * A conversation's trail: every action on it with who and when, and the agents' private notes (action
 * 'note', with `body`). The thread shows them between its messages; none of it ever goes to Meta.
 * `actorName` is the name as it was (an agent, an API key's name, or "Auto-assignment").
 */
export const conversationActivity = pgTable(
  'conversation_activity',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    at: tstz('at').notNull().defaultNow(),
    actorKind: text('actor_kind', { enum: ['user', 'api-key', 'system'] }).notNull(),
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    /** What was done (lib/contracts/activity.ts lists them). */
    action: text('action').notNull(),
    /** A note's text. */
    body: text('body'),
    /** What the action needs to be told: the assignee, the status, the label, the message... */
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('conversation_activity_conversation_idx').on(t.conversationId, t.at, t.id)],
);
export type ConversationActivityRow = typeof conversationActivity.$inferSelect;

/** An agent @mentioned in a note, until they have seen it (their notifications). */
export const mentions = pgTable(
  'mentions',
  {
    activityId: bigint('activity_id', { mode: 'number' })
      .notNull()
      .references(() => conversationActivity.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    seenAt: tstz('seen_at'),
  },
  (t) => [primaryKey({ columns: [t.activityId, t.userId] }), index('mentions_user_idx').on(t.userId, t.createdAt.desc())],
);

/** Saved replies: shared (no owner; admins manage them) or an agent's own, each with a shortcut for "/". */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ownerUserId: text('owner_user_id').references(() => users.id, { onDelete: 'cascade' }),
    shortcut: text('shortcut').notNull(),
    body: text('body').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  // One shortcut per owner (and once among the shared ones), whatever its case.
  (t) => [uniqueIndex('canned_replies_owner_shortcut_key').on(sql`coalesce(${t.ownerUserId}, '')`, sql`lower(${t.shortcut})`)],
);
export type CannedReplyRow = typeof cannedReplies.$inferSelect;

/** Admin changes to people and access (users, roles, API keys, settings): who did what to whom, and when. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull().defaultNow(),
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    /** 'user' | 'api-key' | 'settings' ...: what it was done to, by id and name as they were. */
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id'),
    targetName: text('target_name'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_at_idx').on(t.at.desc(), t.id.desc())],
);
