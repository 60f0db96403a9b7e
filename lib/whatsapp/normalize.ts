// Meta's webhook JSON → NormalizedBatch. PURE: no database, no I/O; the only clock is the default
// for `receivedAt`, the fallback time of items whose own timestamp is unusable.
//
// It never throws, whatever the body. Every entry → change → value → item is walked, and an item
// that cannot be read becomes an `invalid_item` AccountEvent instead of sinking its neighbours.
// The raw body is stored verbatim elsewhere, so nothing here has to keep what it does not understand.

import {
  accountValueSchema,
  changeSchema,
  contactItemSchema,
  entrySchema,
  errorItemSchema,
  historyChunkSchema,
  historyThreadSchema,
  historyValueSchema,
  messageItemSchema,
  messagingValueSchema,
  statusItemSchema,
  webhookBodySchema,
  type AccountValue,
  type MessagingValue,
  type Metadata,
} from './payload';
import { contentOfItem, storedFieldsOf } from './message-types';
import { deliveryErrors } from './message-types/read';
import { safeJson, safeText } from './sanitize';
import type {
  AccountEvent,
  BusinessNumber,
  ContactSighting,
  CustomerIdentity,
  DeliveryStatus,
  Direction,
  NormalizedBatch,
  NormalizedMessage,
  NormalizedStatus,
} from './types';

const WHATSAPP_BUSINESS_ACCOUNT = 'whatsapp_business_account';

/** Fields whose value carries messages, echoes and statuses; every other field but history is an AccountEvent. */
const MESSAGING_FIELDS = new Set(['messages', 'smb_message_echoes']);
/** The Business app's past chats (coexistence onboarding): messages, marked as history. */
const HISTORY_FIELD = 'history';

export function normalizeWebhook(body: unknown, receivedAt: Date = new Date()): NormalizedBatch {
  const batch = new BatchBuilder(receivedAt);
  try {
    const envelope = webhookBodySchema.safeParse(body);
    // Other objects (instagram, page ...) are kept only as raw events.
    if (envelope.success && envelope.data.object === WHATSAPP_BUSINESS_ACCOUNT) {
      for (const entry of envelope.data.entry) {
        batch.guard(BODY_PLACE, entry, () => readEntry(batch, entry));
      }
    }
  } catch {
    // Unreachable in practice (every item is guarded); keep whatever was read.
  }
  return batch.build();
}

// --- Walking the envelope ----------------------------------------------------------------------

/** Where an item sits in the body: what every AccountEvent made from it is tagged with. */
interface Place {
  wabaId: string | null;
  phoneNumberId: string | null;
  /** The change's `field`. */
  field: string | null;
  /** `entry.time`, when Meta sends one. */
  time: Date | null;
}

const BODY_PLACE: Place = { wabaId: null, phoneNumberId: null, field: null, time: null };

function readEntry(batch: BatchBuilder, rawEntry: unknown): void {
  const parsed = entrySchema.safeParse(rawEntry);
  if (!parsed.success) return batch.invalid(BODY_PLACE, 'entry_not_object', rawEntry);
  const entry = parsed.data;
  const place: Place = { ...BODY_PLACE, wabaId: cleanString(entry.id), time: parseEpoch(entry.time) };
  if (!Array.isArray(entry.changes)) return batch.invalid(place, 'entry_without_changes', rawEntry);
  for (const change of entry.changes) {
    batch.guard(place, change, () => readChange(batch, place, change));
  }
}

function readChange(batch: BatchBuilder, entryPlace: Place, rawChange: unknown): void {
  const parsed = changeSchema.safeParse(rawChange);
  if (!parsed.success) return batch.invalid(entryPlace, 'change_not_object', rawChange);
  const field = cleanString(parsed.data.field);
  const value = parsed.data.value;
  if (field !== null ? MESSAGING_FIELDS.has(field) : looksLikeMessagingValue(value)) {
    readMessagingValue(batch, { ...entryPlace, field: field ?? 'messages' }, value);
  } else if (field === HISTORY_FIELD) {
    readHistoryValue(batch, { ...entryPlace, field }, value);
  } else {
    readAccountEvent(batch, { ...entryPlace, field: field ?? 'unknown' }, value);
  }
}

function looksLikeMessagingValue(value: unknown): boolean {
  return isRecord(value) && ['messages', 'statuses', 'message_echoes'].some((key) => Array.isArray(value[key]));
}

function readMessagingValue(batch: BatchBuilder, changePlace: Place, rawValue: unknown): void {
  const parsed = messagingValueSchema.safeParse(rawValue);
  if (!parsed.success) return batch.invalid(changePlace, 'value_not_object', rawValue);
  const value = parsed.data;
  const phoneNumberId = batch.addBusinessNumber(value.metadata, changePlace.wabaId);
  const place: Place = { ...changePlace, phoneNumberId };

  for (const item of itemsOf(batch, place, value, 'contacts')) {
    batch.guard(place, item, () => readContact(batch, place, item));
  }
  for (const item of itemsOf(batch, place, value, 'messages')) {
    batch.guard(place, item, () => readMessage(batch, place, item, 'inbound'));
  }
  // Messages the business sent from the WhatsApp Business app (coexistence): same shape, other direction.
  for (const item of itemsOf(batch, place, value, 'message_echoes')) {
    batch.guard(place, item, () => readMessage(batch, place, item, 'outbound'));
  }
  for (const item of itemsOf(batch, place, value, 'statuses')) {
    batch.guard(place, item, () => readStatus(batch, place, item));
  }
  // Value-level errors: something went wrong for the number as a whole, not for one message.
  for (const item of itemsOf(batch, place, value, 'errors')) {
    batch.guard(place, item, () => batch.addValueError(place, item));
  }
}

/** The items of one array in a value; anything but an array there is itself an invalid item. */
function itemsOf(
  batch: BatchBuilder,
  place: Place,
  value: MessagingValue,
  key: 'contacts' | 'messages' | 'message_echoes' | 'statuses' | 'errors',
): readonly unknown[] {
  const items = value[key];
  if (items === undefined || items === null) return [];
  if (Array.isArray(items)) return items;
  batch.invalid(place, `${key}_not_array`, items);
  return [];
}

// --- Contacts, messages, statuses --------------------------------------------------------------

function readContact(batch: BatchBuilder, place: Place, rawItem: unknown): void {
  const parsed = contactItemSchema.safeParse(rawItem);
  if (!parsed.success) return batch.invalid(place, 'contact_not_object', rawItem);
  const contact = parsed.data;
  const identity = customerIdentity(cleanString(contact.wa_id), cleanString(contact.user_id));
  if (!identity) return batch.invalid(place, 'contact_without_id', rawItem);
  batch.sight(identity, cleanString(contact.profile?.name), cleanString(contact.profile?.username));
}

/** How a history message differs from a live one: its thread names the customer; `history_context` its status. */
interface HistoryThread {
  customer: CustomerIdentity;
}

function readMessage(batch: BatchBuilder, place: Place, rawItem: unknown, source: Direction | HistoryThread): void {
  const parsed = messageItemSchema.safeParse(rawItem);
  if (!parsed.success) return batch.invalid(place, 'message_not_object', rawItem);
  const message = parsed.data;
  const wamid = cleanString(message.id);
  if (!wamid) return batch.invalid(place, 'message_without_id', rawItem);
  if (!place.phoneNumberId) return batch.invalid(place, 'message_without_phone_number_id', rawItem);

  const thread = typeof source === 'string' ? null : source;
  const direction = typeof source === 'string' ? source : historyDirection(message, source.customer);
  // The person on the other side: the sender of an inbound message, the recipient of an echo.
  const person = thread
    ? thread.customer
    : direction === 'inbound'
      ? customerIdentity(cleanString(message.from), cleanString(message.from_user_id))
      : customerIdentity(cleanString(message.to), cleanString(message.to_user_id));
  // Groups API: the conversation is the group, as it is for statuses of messages sent to it.
  const groupId = cleanString(message.group_id);
  const customer = groupId ? groupIdentity(groupId) : person;
  if (!customer) return batch.invalid(place, 'message_without_customer', rawItem);

  // What the message says comes from its type's module (lib/whatsapp/message-types), and with it the
  // columns the store keeps beside it: searchable text, subtype, the file to download, the target.
  const content = contentOfItem(message, isRecord(rawItem) ? rawItem : {});
  const stored = storedFieldsOf(content);
  const normalized: NormalizedMessage = {
    wamid,
    phoneNumberId: place.phoneNumberId,
    customer,
    direction,
    type: cleanString(message.type) ?? 'unknown',
    subtype: stored.subtype,
    text: stored.text,
    timestamp: parseEpoch(message.timestamp) ?? batch.fallbackTime(),
    replyToWamid: cleanString(message.context?.id),
    forwarded: message.context?.forwarded === true,
    frequentlyForwarded: message.context?.frequently_forwarded === true,
    media: stored.media,
    targetWamid: stored.targetWamid,
    errors: deliveryErrors(message.errors),
    content,
    raw: safeJson(rawItem),
  };
  if (thread) normalized.history = { status: direction === 'outbound' ? historyStatus(message.history_context?.status) : null };
  batch.messages.push(normalized);
  batch.sight(customer, null, null);
  if (groupId && person) batch.sight(person, null, null);
}

// --- History: the Business app's past chats ----------------------------------------------------

/**
 * `value.history[]`: chunks of threads, one per customer, each of messages as webhooks carry them. Each chunk's
 * place in the sync (phase, chunk_order, progress) is kept as an account event, so an admin can see it
 * progress; a chunk of errors (the business declined to share its history) is a value-level error.
 */
function readHistoryValue(batch: BatchBuilder, changePlace: Place, rawValue: unknown): void {
  const parsed = historyValueSchema.safeParse(rawValue);
  if (!parsed.success) return batch.invalid(changePlace, 'value_not_object', rawValue);
  const phoneNumberId = batch.addBusinessNumber(parsed.data.metadata, changePlace.wabaId);
  const place: Place = { ...changePlace, phoneNumberId };
  const chunks = parsed.data.history;
  if (chunks === undefined || chunks === null) return;
  if (!Array.isArray(chunks)) return batch.invalid(place, 'history_not_array', chunks);
  for (const chunk of chunks) batch.guard(place, chunk, () => readHistoryChunk(batch, place, chunk));
}

function readHistoryChunk(batch: BatchBuilder, place: Place, rawChunk: unknown): void {
  const parsed = historyChunkSchema.safeParse(rawChunk);
  if (!parsed.success) return batch.invalid(place, 'history_chunk_not_object', rawChunk);
  const { metadata, threads, errors } = parsed.data;
  let messageCount = 0;
  const threadList = Array.isArray(threads) ? threads : [];
  if (threads !== undefined && threads !== null && !Array.isArray(threads)) batch.invalid(place, 'threads_not_array', threads);
  for (const rawThread of threadList) {
    batch.guard(place, rawThread, () => {
      const thread = historyThreadSchema.safeParse(rawThread);
      if (!thread.success) return batch.invalid(place, 'thread_not_object', rawThread);
      const customer = customerIdentity(cleanString(thread.data.id), null);
      if (!customer) return batch.invalid(place, 'thread_without_id', rawThread);
      const items = thread.data.messages;
      if (items === undefined || items === null) return;
      if (!Array.isArray(items)) return batch.invalid(place, 'messages_not_array', items);
      for (const item of items) batch.guard(place, item, () => readMessage(batch, place, item, { customer }));
      messageCount += items.length;
    });
  }
  if (Array.isArray(errors)) for (const item of errors) batch.guard(place, item, () => batch.addValueError(place, item));
  batch.accountEvents.push({
    wabaId: place.wabaId,
    phoneNumberId: place.phoneNumberId,
    field: HISTORY_FIELD,
    eventType: metadata?.progress === undefined ? 'chunk' : `progress_${metadata.progress}`,
    timestamp: copyDate(place.time),
    payload: {
      phase: metadata?.phase ?? null,
      chunkOrder: metadata?.chunk_order ?? null,
      progress: metadata?.progress ?? null,
      threads: threadList.length,
      messages: messageCount,
    },
  });
}

/**
 * A history message's direction: the business's own messages carry `to` (as echoes do) or come from
 * someone other than the thread's customer.
 */
function historyDirection(message: { from?: string; to?: string }, customer: CustomerIdentity): Direction {
  if (cleanString(message.to) !== null) return 'outbound';
  const from = cleanString(message.from);
  return from === null || from === customer.waId || from === customer.userId ? 'inbound' : 'outbound';
}

/** `history_context.status` as a delivery status (ERROR is failed); PENDING and anything unknown: null. */
function historyStatus(status: string | undefined): DeliveryStatus | null {
  switch (status?.toLowerCase()) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'played':
      return 'played';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

function readStatus(batch: BatchBuilder, place: Place, rawItem: unknown): void {
  const parsed = statusItemSchema.safeParse(rawItem);
  if (!parsed.success) return batch.invalid(place, 'status_not_object', rawItem);
  const item = parsed.data;
  const wamid = cleanString(item.id);
  if (!wamid) return batch.invalid(place, 'status_without_id', rawItem);
  const status = cleanString(item.status);
  if (!status) return batch.invalid(place, 'status_without_status', rawItem);
  if (!place.phoneNumberId) return batch.invalid(place, 'status_without_phone_number_id', rawItem);

  const recipientId = cleanString(item.recipient_id);
  const customer =
    item.recipient_type === 'group' && recipientId
      ? groupIdentity(recipientId)
      : customerIdentity(recipientId, cleanString(item.recipient_user_id));
  const normalized: NormalizedStatus = {
    wamid,
    phoneNumberId: place.phoneNumberId,
    // A status still moves its message forward when Meta leaves out who it went to: the wamid is enough.
    customer: customer ?? { waId: null, userId: null },
    status: status.toLowerCase(),
    timestamp: parseEpoch(item.timestamp) ?? batch.fallbackTime(),
    errors: deliveryErrors(item.errors),
    pricing: safeJson(item.pricing) ?? null,
    conversation: safeJson(item.conversation) ?? null,
    callbackData: cleanString(item.biz_opaque_callback_data),
    raw: safeJson(rawItem),
  };
  batch.statuses.push(normalized);
  if (customer) batch.sight(customer, null, null);
}

// --- Account events: every field that is not messages -----------------------------------------

/** Where a field names its event somewhere other than `value.event`. */
const EVENT_TYPE_BY_FIELD = new Map<string, (value: AccountValue) => string | undefined>([
  ['phone_number_name_update', (value) => value.decision],
  ['message_template_quality_update', (value) => value.new_quality_score],
  ['template_category_update', (value) => value.new_category],
  ['account_alerts', (value) => value.alert_info?.alert_type],
  ['user_preferences', (value) => firstItemString(value.user_preferences, 'value')],
  ['calls', (value) => firstItemString(value.calls, 'event')],
  ['smb_app_state_sync', (value) => firstItemString(value.state_sync, 'action')],
]);

function readAccountEvent(batch: BatchBuilder, changePlace: Place, rawValue: unknown): void {
  const parsed = accountValueSchema.safeParse(rawValue);
  const value = parsed.success ? parsed.data : undefined;
  const field = changePlace.field ?? 'unknown';
  const phoneNumberId = batch.addBusinessNumber(value?.metadata, changePlace.wabaId);
  const place: Place = { ...changePlace, phoneNumberId };
  // user_preferences and calls name the customer the same way messages do.
  if (isRecord(rawValue) && Array.isArray(rawValue.contacts)) {
    for (const item of rawValue.contacts) batch.guard(place, item, () => readContact(batch, place, item));
  }
  const eventType = value ? (EVENT_TYPE_BY_FIELD.get(field)?.(value) ?? value.event) : undefined;
  batch.accountEvents.push({
    wabaId: place.wabaId,
    phoneNumberId: place.phoneNumberId,
    field,
    eventType: cleanString(eventType),
    timestamp: parseEpoch(value?.timestamp) ?? copyDate(place.time),
    payload: safeJson(rawValue) ?? null,
  });
}

function firstItemString(items: readonly unknown[] | undefined, key: string): string | undefined {
  const first = items?.[0];
  const candidate = isRecord(first) ? ownValue(first, key) : undefined;
  return typeof candidate === 'string' ? candidate : undefined;
}

// --- Identities --------------------------------------------------------------------------------

// A BSUID is a two-letter country code, a dot and an alphanumeric id ("US.13491208655302741918",
// parent ids "US.ENT.…"). Should one arrive where a phone number is expected, it is a user id.
const BSUID_PATTERN = /^[A-Z]{2}\.[A-Za-z0-9.]+$/;

function customerIdentity(phoneNumber: string | null, userId: string | null): CustomerIdentity | null {
  let waId = phoneNumber;
  if (waId !== null && BSUID_PATTERN.test(waId)) {
    userId ??= waId;
    waId = null;
  }
  if (waId === null && userId === null) return null;
  return { waId, userId };
}

function groupIdentity(groupId: string): CustomerIdentity {
  return { waId: groupId, userId: null };
}

/** Sightings of one customer, merged: a message's bare `from` adds nothing to the contacts[] entry. */
class SightingBook {
  private readonly sightings: ContactSighting[] = [];
  private readonly byWaId = new Map<string, ContactSighting>();
  private readonly byUserId = new Map<string, ContactSighting>();

  add(identity: CustomerIdentity, name: string | null, username: string | null): void {
    const known = this.findCompatible(identity);
    if (known) {
      known.waId ??= identity.waId;
      known.userId ??= identity.userId;
      known.name ??= name;
      known.username ??= username;
      this.index(known);
      return;
    }
    const sighting: ContactSighting = { waId: identity.waId, userId: identity.userId, name, username };
    this.sightings.push(sighting);
    this.index(sighting);
  }

  list(): ContactSighting[] {
    return this.sightings;
  }

  /** A sighting that agrees on every id both of them have. */
  private findCompatible(identity: CustomerIdentity): ContactSighting | undefined {
    const candidates = [
      identity.waId !== null ? this.byWaId.get(identity.waId) : undefined,
      identity.userId !== null ? this.byUserId.get(identity.userId) : undefined,
    ];
    return candidates.find(
      (s) =>
        s !== undefined &&
        (s.waId === null || identity.waId === null || s.waId === identity.waId) &&
        (s.userId === null || identity.userId === null || s.userId === identity.userId),
    );
  }

  private index(sighting: ContactSighting): void {
    if (sighting.waId !== null) this.byWaId.set(sighting.waId, sighting);
    if (sighting.userId !== null) this.byUserId.set(sighting.userId, sighting);
  }
}

// --- The batch being built ---------------------------------------------------------------------

class BatchBuilder {
  readonly messages: NormalizedMessage[] = [];
  readonly statuses: NormalizedStatus[] = [];
  readonly accountEvents: AccountEvent[] = [];
  private readonly businessNumbers = new Map<string, BusinessNumber>();
  private readonly sightings = new SightingBook();
  private readonly receivedAtMs: number;

  constructor(receivedAt: Date) {
    const ms = receivedAt instanceof Date ? receivedAt.getTime() : Number.NaN;
    this.receivedAtMs = Number.isNaN(ms) ? Date.now() : ms;
  }

  /** For items without a usable timestamp: when we received the body. */
  fallbackTime(): Date {
    return new Date(this.receivedAtMs);
  }

  /** Records the number from `value.metadata` and returns its id (null without one). */
  addBusinessNumber(metadata: Metadata | undefined, wabaId: string | null): string | null {
    const phoneNumberId = cleanString(metadata?.phone_number_id);
    if (!phoneNumberId) return null;
    const displayPhoneNumber = cleanString(metadata?.display_phone_number);
    const known = this.businessNumbers.get(phoneNumberId);
    if (known) {
      known.displayPhoneNumber ??= displayPhoneNumber;
      known.wabaId ??= wabaId;
    } else {
      this.businessNumbers.set(phoneNumberId, { phoneNumberId, displayPhoneNumber, wabaId });
    }
    return phoneNumberId;
  }

  sight(identity: CustomerIdentity, name: string | null, username: string | null): void {
    this.sightings.add(identity, name, username);
  }

  addValueError(place: Place, rawError: unknown): void {
    const parsed = errorItemSchema.safeParse(rawError);
    const code = parsed.success ? parsed.data.code : undefined;
    this.accountEvents.push({
      wabaId: place.wabaId,
      phoneNumberId: place.phoneNumberId,
      field: 'errors',
      eventType: code === undefined ? null : cleanString(String(code)),
      timestamp: copyDate(place.time),
      payload: { field: place.field, error: safeJson(rawError) ?? null },
    });
  }

  /** An item we could not read, kept as an event so it can be found and replayed. */
  invalid(place: Place, reason: string, item: unknown): void {
    let safeItem: unknown = null;
    try {
      safeItem = safeJson(item) ?? null;
    } catch {
      // Keep the event even if the item itself cannot be copied; the raw body has it.
    }
    this.accountEvents.push({
      wabaId: place.wabaId,
      phoneNumberId: place.phoneNumberId,
      field: 'invalid_item',
      eventType: reason,
      timestamp: copyDate(place.time),
      payload: { field: place.field, item: safeItem },
    });
  }

  /** Runs the reading of one item so that a surprise in it cannot sink the rest of the body. */
  guard(place: Place, item: unknown, read: () => void): void {
    try {
      read();
    } catch {
      this.invalid(place, 'unreadable', item);
    }
  }

  build(): NormalizedBatch {
    return {
      businessNumbers: [...this.businessNumbers.values()],
      contacts: this.sightings.list(),
      messages: this.messages,
      statuses: this.statuses,
      accountEvents: this.accountEvents,
    };
  }
}

// --- Small readers -----------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a type named "constructor" or "__proto__" must not reach Object.prototype. */
function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A string made safe for Postgres; empty or absent becomes null. */
function cleanString(s: string | null | undefined): string | null {
  return typeof s === 'string' && s !== '' ? safeText(s) : null;
}

/** Meta's timestamps are epoch seconds, usually as strings. Anything unusable is null. */
const MAX_EPOCH_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function parseEpoch(v: string | number | undefined): Date | null {
  let seconds = Number.NaN;
  if (typeof v === 'number') seconds = v;
  else if (typeof v === 'string' && v.trim() !== '') seconds = Number(v);
  // Past year 9999 toISOString() switches to an extended format Postgres will not read.
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_EPOCH_SECONDS) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

function copyDate(date: Date | null): Date | null {
  return date === null ? null : new Date(date.getTime());
}
