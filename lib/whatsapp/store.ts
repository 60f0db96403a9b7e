import { createHash } from 'node:crypto';
import { liftStatementTimeout, type Transaction } from '@/db/client';
import { insertAccountEvents } from '@/db/writes/account-events';
import { takeApplyTurn } from '@/db/writes/apply-turn';
import { upsertBusinessNumbers, type BusinessNumberSighting } from '@/db/writes/business-numbers';
import {
  findContacts,
  insertContacts,
  mergeContacts,
  setContactUserId,
  setContactWaId,
  updateContactNames,
  type ContactIds,
  type ContactNames,
} from '@/db/writes/contacts';
import {
  bumpConversations,
  findConversations,
  insertConversations,
  type ConversationBump,
  type ConversationKey,
} from '@/db/writes/conversations';
import { enqueueMediaDownloads } from '@/db/writes/media-items';
import { addMessageStats, type MessageCount } from '@/db/writes/message-stats';
import {
  applyEditsAndRevokes,
  insertMessages,
  insertPlaceholders,
  nameOutboundMessages,
  reconcileStatuses,
  type InsertedMessage,
} from '@/db/writes/messages';
import { insertStatusEvents } from '@/db/writes/status-events';
import { findErasedWamids } from '@/db/queries/erase';
import { requestTemplateSyncs } from '@/db/queries/templates';
import { publicMessageId } from '@/lib/inbox/message-id';
import { messageIdOfCallbackData } from '@/lib/outbox/callback-data';
import { opensServiceWindow } from '@/lib/outbox/service-window';
import { accountsWithTemplateChanges, TEMPLATE_SYNC_MIN_INTERVAL_MS } from '@/lib/templates/sync-policy';
import { rewritesTarget } from './message-types';
import { DELIVERY_ORDER, deliveryRank, PENDING, READ_STATUSES, RECEIVED } from './status';
import {
  type ContactSighting,
  type CustomerIdentity,
  isMediaMessageType,
  type NormalizedBatch,
  type NormalizedMessage,
  type NormalizedStatus,
} from './types';

// Writes normalized webhook batches in set-based statements (db/writes/): one statement per table for a
// whole batch of events, not one per item. Every write is idempotent: running a batch twice changes nothing.
// This file decides what to write; the statements live in db/writes/.

export interface StoredChanges {
  /** Conversations whose list entry changed (new message, unread, status of the last message ...). */
  conversationIds: number[];
  /** Messages created or changed, as the API names them. */
  messageIds: string[];
  /** Media files were queued to download (the downloaders are told: the `downloads` topic). */
  downloadsQueued: boolean;
}

/** One event's normalized content, tagged with the raw event it came from. */
export interface EventBatch {
  eventId: number;
  batch: NormalizedBatch;
}

const identityKey = (c: CustomerIdentity) => `${c.waId ?? ''}|${c.userId ?? ''}`;

export async function storeBatches(tx: Transaction, received: EventBatch[]): Promise<StoredChanges> {
  // Background work, not a request: a batch of 3 MB bodies may legitimately take longer than the request
  // pool's statement timeout (db/client.ts), when the processor shares that pool (next dev, no worker bundle).
  // Statements that need nothing from each other are sent together (postgres.js pipelines a transaction's
  // queries): the database still runs them one after another, in the order written, but the batch waits
  // for one round trip instead of several (each one a turn of this thread's event loop, long under load).
  const [, events] = await Promise.all([liftStatementTimeout(tx), withoutErased(tx, received)]);
  const messages = dedupeMessages(events);
  const statuses = events.flatMap((e) => e.batch.statuses.map((s) => ({ ...s, eventId: e.eventId })));
  const changedConversations = new Set<number>();
  const changedMessages = new Set<string>();

  await upsertBusinessNumbers(tx, businessNumbersOf(events, [...messages, ...statuses]));
  const contactIds = await resolveContacts(tx, events, messages, statuses);
  const conversationIds = await ensureConversations(tx, contactIds, [...messages, ...statuses]);
  // Undefined only for a status with no recipient at all (messages without a customer never get here).
  const conversationOf = (m: { phoneNumberId: string; customer: CustomerIdentity }) =>
    conversationIds.get(`${m.phoneNumberId}#${contactIds.get(identityKey(m.customer))}`);

  const insertedMessages = await insertMessages(tx, messageRows(messages, conversationOf));
  const downloads = downloadsOf(messages, insertedMessages);
  await enqueueMediaDownloads(tx, downloads);

  // The rest depends on what other batches wrote: one batch at a time (db/writes/apply-turn.ts). The turn is
  // held until commit, and every round trip in it waits for this thread, which may be normalizing the next
  // batch meanwhile (bench:process): the statements go together, and the server runs them in the order written.
  const turn = takeApplyTurn(tx);
  // Awaited below with the statements sent after it: a failure (a deadlock) is not "unhandled" meanwhile.
  turn.catch(() => {});
  // Statuses of messages written here carry our id: they name them before any placeholder is made for the
  // wamid. Naming is several statements, each on the last one's answer: it ends before the rest is sent.
  const names = outboundNamesOf(statuses);
  const named = names.length > 0 ? (await Promise.all([turn, nameOutboundMessages(tx, names)]))[1] : [];
  const placeholders = placeholdersOf(statuses, conversationOf);
  // Statuses belong to the business's messages: a customer's new message has none waiting for it. A
  // placeholder's wamid is a status's, so it is in the set already.
  const arrived = insertedMessages.filter((r) => r.isNew && r.direction === 'outbound').map((r) => r.wamid);
  const [, placeholderRows, , statusChanged, modified] = await Promise.all([
    turn,
    insertPlaceholders(tx, placeholders),
    insertStatusEvents(tx, statusRows(statuses), { delivery: DELIVERY_ORDER, read: READ_STATUSES }),
    reconcileStatuses(tx, [...new Set([...statuses.map((x) => x.wamid), ...arrived])], DELIVERY_ORDER),
    // Every placeholder this batch may add, not only those it does add (unknown until it has): applying an
    // edit or a revoke again changes nothing.
    applyEditsAndRevokes(tx, editTargets(messages, insertedMessages, placeholders)),
  ]);
  const inserted = [...insertedMessages, ...placeholderRows];
  // A template changed on Meta's side: any instance's template sync fetches the account again (spaced).
  const templateAccounts = accountsWithTemplateChanges(events.flatMap((e) => e.batch.accountEvents));
  await Promise.all([
    bumpConversations(tx, conversationBumps(inserted)),
    addMessageStats(tx, countNewMessages(messages, insertedMessages)),
    insertAccountEvents(tx, accountEventRows(events)),
    requestTemplateSyncs(tx, templateAccounts, { atOnce: false, minIntervalMs: TEMPLATE_SYNC_MIN_INTERVAL_MS }),
  ]);

  for (const r of [...inserted, ...named, ...statusChanged, ...modified]) {
    changedMessages.add(publicMessageId(r));
    changedConversations.add(r.conversationId);
  }
  return { conversationIds: [...changedConversations], messageIds: [...changedMessages], downloadsQueued: downloads.length > 0 };
}

/**
 * Messages and statuses of an erased customer's wamids are dropped (lib/privacy/erase.ts): a status Meta
 * reports late would otherwise bring the customer back as a placeholder in a new conversation.
 */
async function withoutErased(tx: Transaction, events: EventBatch[]): Promise<EventBatch[]> {
  const wamids = new Set(events.flatMap((e) => [...e.batch.messages.map((m) => m.wamid), ...e.batch.statuses.map((s) => s.wamid)]));
  const erased = await findErasedWamids(tx, [...wamids]);
  if (erased.size === 0) return events;
  return events.map((e) => {
    const messages = e.batch.messages.filter((m) => !erased.has(m.wamid));
    const statuses = e.batch.statuses.filter((s) => !erased.has(s.wamid));
    // The sightings that came with the dropped items only go too, or the contact would come back empty.
    const idsOf = (items: { customer: CustomerIdentity }[]) =>
      new Set(items.flatMap((x) => [x.customer.waId, x.customer.userId]).filter((id): id is string => !!id));
    const kept = idsOf([...messages, ...statuses]);
    const dropped = idsOf([...e.batch.messages, ...e.batch.statuses].filter((x) => erased.has(x.wamid)));
    const ofDropped = (id: string | null) => !!id && dropped.has(id) && !kept.has(id);
    const contacts = e.batch.contacts.filter((c) => !ofDropped(c.waId) && !ofDropped(c.userId));
    return { eventId: e.eventId, batch: { ...e.batch, messages, statuses, contacts } };
  });
}

/** A wamid seen twice in one batch (two envelopes of one message) is written once: the first wins. */
function dedupeMessages(events: EventBatch[]) {
  const byWamid = new Map<string, NormalizedMessage & { eventId: number }>();
  for (const e of events) for (const m of e.batch.messages) if (!byWamid.has(m.wamid)) byWamid.set(m.wamid, { ...m, eventId: e.eventId });
  return [...byWamid.values()];
}

function businessNumbersOf(events: EventBatch[], items: { phoneNumberId: string }[]): BusinessNumberSighting[] {
  const numbers = new Map<string, BusinessNumberSighting>();
  // Items carry their number even when metadata was odd: make sure every referenced number exists.
  for (const item of items) numbers.set(item.phoneNumberId, { phoneNumberId: item.phoneNumberId, displayPhoneNumber: null, wabaId: null });
  for (const e of events) for (const n of e.batch.businessNumbers) numbers.set(n.phoneNumberId, n);
  return [...numbers.values()];
}

/**
 * Finds or creates the contact behind every customer identity in the batch. A customer is known by wa_id
 * (phone) and/or BSUID (user_id); a sighting with both joins them, merging two contacts seen apart before.
 * Returns identityKey → contact id.
 */
async function resolveContacts(
  tx: Transaction,
  events: EventBatch[],
  messages: NormalizedMessage[],
  statuses: NormalizedStatus[],
): Promise<Map<string, number>> {
  const sightings = new Map<string, ContactSighting>();
  const see = (s: ContactSighting) => {
    if (!s.waId && !s.userId) return;
    const key = identityKey(s);
    const prev = sightings.get(key);
    sightings.set(key, { ...s, name: s.name ?? prev?.name ?? null, username: s.username ?? prev?.username ?? null });
  };
  for (const e of events) e.batch.contacts.forEach(see);
  for (const item of [...messages, ...statuses]) see({ ...item.customer, name: null, username: null });
  const result = new Map<string, number>();
  if (sightings.size === 0) return result;

  const all = [...sightings.values()];
  const waIds = [...new Set(all.map((s) => s.waId).filter((x): x is string => !!x))].sort();
  const userIds = [...new Set(all.map((s) => s.userId).filter((x): x is string => !!x))].sort();
  const load = () => findContacts(tx, { waIds, userIds });

  // Create the identities nobody knows yet.
  let existing = await load();
  const known = indexContacts(existing);
  const fresh = all
    .filter((s) => !(s.waId && known.byWa.has(s.waId)) && !(s.userId && known.byUser.has(s.userId)))
    .sort((a, b) => identityKey(a).localeCompare(identityKey(b)));
  if (fresh.length > 0) {
    await insertContacts(tx, fresh);
    existing = await load();
  }

  // Join identities seen together, and learn names.
  let merged = false;
  for (const s of all) {
    const { byWa, byUser } = indexContacts(existing);
    const a = s.waId ? byWa.get(s.waId) : undefined;
    const b = s.userId ? byUser.get(s.userId) : undefined;
    if (a && b && a.id !== b.id && !a.userId && !b.waId) {
      await mergeContacts(tx, a.id, b.id);
      merged = true;
      existing = existing.filter((c) => c.id !== b.id).map((c) => (c.id === a.id ? { ...c, userId: s.userId } : c));
    } else if (a && !b && s.userId && !a.userId) {
      await setContactUserId(tx, a.id, s.userId);
      a.userId = s.userId;
    } else if (b && !a && s.waId && !b.waId) {
      await setContactWaId(tx, b.id, s.waId);
      b.waId = s.waId;
    }
  }
  if (merged) existing = await load();

  const { byWa, byUser } = indexContacts(existing);
  const names = new Map<number, ContactNames>();
  for (const s of all) {
    const c = (s.waId && byWa.get(s.waId)) || (s.userId && byUser.get(s.userId));
    if (!c) continue;
    result.set(identityKey(s), c.id);
    if (s.name || s.username) {
      const prev = names.get(c.id);
      names.set(c.id, { id: c.id, name: s.name ?? prev?.name ?? null, username: s.username ?? prev?.username ?? null });
    }
  }
  await updateContactNames(tx, [...names.values()]);
  return result;
}

function indexContacts(rows: ContactIds[]) {
  const byWa = new Map<string, ContactIds>();
  const byUser = new Map<string, ContactIds>();
  for (const r of rows) {
    if (r.waId) byWa.set(r.waId, r);
    if (r.userId) byUser.set(r.userId, r);
  }
  return { byWa, byUser };
}

/** One conversation per (business number, contact). Returns `${phoneNumberId}#${contactId}` → conversation id. */
async function ensureConversations(
  tx: Transaction,
  contactIds: Map<string, number>,
  items: { phoneNumberId: string; customer: CustomerIdentity; history?: unknown }[],
): Promise<Map<string, number>> {
  const keys = new Map<string, ConversationKey>();
  for (const item of items) {
    const contactId = contactIds.get(identityKey(item.customer));
    if (contactId === undefined) continue;
    const key = `${item.phoneNumberId}#${contactId}`;
    // A conversation that only the shared history brings starts resolved: onboarding a number with
    // months of past chats must not fill the Open tab with conversations nobody is waiting on.
    const historyOnly = item.history !== undefined && (keys.get(key)?.resolved ?? true);
    keys.set(key, { phoneNumberId: item.phoneNumberId, contactId, resolved: historyOnly });
  }
  const result = new Map<string, number>();
  if (keys.size === 0) return result;
  const load = async (wanted: { phoneNumberId: string; contactId: number }[]) => {
    for (const c of await findConversations(tx, wanted)) result.set(`${c.phoneNumberId}#${c.contactId}`, c.id);
  };
  await load([...keys.values()]);
  // Insert only what is missing: ON CONFLICT still draws an id from the sequence for every row it skips.
  const missing = [...keys.entries()].filter(([key]) => !result.has(key)).map(([, k]) => k);
  if (missing.length > 0) {
    await insertConversations(tx, missing);
    await load(missing);
  }
  return result;
}

function messageRows(messages: (NormalizedMessage & { eventId: number })[], conversationOf: (m: NormalizedMessage) => number | undefined) {
  return messages.map((m) => {
    const conversationId = conversationOf(m);
    // Never drop a message quietly: failing makes the event retry, and then wait for an operator.
    if (conversationId === undefined) throw new Error(`no conversation resolved for message ${m.wamid}`);
    return {
      wamid: m.wamid,
      conversationId,
      direction: m.direction,
      type: m.type,
      subtype: m.subtype,
      text: m.text,
      sentAt: m.timestamp,
      replyToWamid: m.replyToWamid,
      forwarded: m.forwarded,
      frequentlyForwarded: m.frequentlyForwarded,
      media: m.media,
      targetWamid: m.targetWamid,
      ...initialStatus(m),
      history: m.history !== undefined,
      errors: m.errors,
      content: m.content,
      raw: m.raw,
      eventId: m.eventId,
    };
  });
}

/**
 * Where a message starts: received (inbound), or pending until its statuses arrive (an echo). A history
 * message the business sent starts where the history says it got to; without a word on it, as sent.
 */
function initialStatus(m: NormalizedMessage): { status: string; statusRank: number } {
  if (m.direction === 'inbound') return { status: RECEIVED, statusRank: 0 };
  if (m.history === undefined) return { status: PENDING, statusRank: 0 };
  const status = m.history.status ?? 'sent';
  return { status, statusRank: deliveryRank(status) };
}

/** Our message id and its wamid, from each status that carries our callback data. */
function outboundNamesOf(statuses: NormalizedStatus[]) {
  const names = new Map<number, string>();
  for (const s of statuses) {
    const id = messageIdOfCallbackData(s.callbackData);
    if (id !== null && !names.has(id)) names.set(id, s.wamid);
  }
  return [...names].map(([id, wamid]) => ({ id, wamid }));
}

/** A status for a message we never saw gets a placeholder, dated by its earliest status. */
function placeholdersOf(statuses: NormalizedStatus[], conversationOf: (s: NormalizedStatus) => number | undefined) {
  const earliest = new Map<string, { wamid: string; conversationId: number; sentAt: string }>();
  for (const s of statuses) {
    const conversationId = conversationOf(s);
    if (conversationId === undefined) continue;
    const at = s.timestamp.toISOString();
    const prev = earliest.get(s.wamid);
    if (!prev || at < prev.sentAt) earliest.set(s.wamid, { wamid: s.wamid, conversationId, sentAt: at });
  }
  return [...earliest.values()];
}

/** An error code fit for an integer column (Meta's are small positive integers; anything else is kept only in `errors`). */
export function errorCodeOf(errors: readonly { code: number | null }[]): number | null {
  const code = errors[0]?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 2_147_483_647 ? code : null;
}

function statusRows(statuses: (NormalizedStatus & { eventId: number })[]) {
  return statuses.map((s) => ({
    wamid: s.wamid,
    status: s.status,
    occurredAt: s.timestamp,
    recipientId: s.customer.waId,
    recipientUserId: s.customer.userId,
    errors: s.errors,
    pricing: s.pricing,
    conversation: s.conversation,
    raw: s.raw,
    eventId: s.eventId,
    phoneNumberId: s.phoneNumberId,
    errorCode: errorCodeOf(s.errors),
  }));
}

/** A download job per media message really added: committed with the message, so none is ever missed. */
function downloadsOf(messages: NormalizedMessage[], inserted: InsertedMessage[]) {
  const added = new Map(inserted.map((r) => [r.wamid, r.id]));
  return messages.flatMap((m) => {
    const messageId = added.get(m.wamid);
    if (messageId === undefined || !isMediaMessageType(m.type) || !m.media?.id) return [];
    return [{ messageId, mediaId: m.media.id, kind: m.type, mimeType: m.media.mimeType, filename: m.media.filename }];
  });
}

/** Messages really added (new, or a placeholder filled in), counted per UTC hour, number, direction and type. */
function countNewMessages(messages: NormalizedMessage[], inserted: InsertedMessage[]): MessageCount[] {
  const numberOf = new Map(messages.map((m) => [m.wamid, m.phoneNumberId]));
  const counts = new Map<string, MessageCount>();
  for (const r of inserted) {
    const phoneNumberId = numberOf.get(r.wamid);
    // A history message that came again with its media id was counted the first time.
    if (phoneNumberId === undefined || (r.history && !r.isNew)) continue;
    const hour = new Date(r.sentAt);
    hour.setUTCMinutes(0, 0, 0);
    const key = `${hour.toISOString()}|${phoneNumberId}|${r.direction}|${r.type}`;
    const entry = counts.get(key) ?? { hour: hour.toISOString(), phoneNumberId, direction: r.direction, type: r.type, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}

/**
 * The originals an edit or revoke may now apply to: those a new edit or revoke points at, and new
 * messages (placeholders included) that edits or revokes may have reached before them.
 */
function editTargets(messages: NormalizedMessage[], inserted: InsertedMessage[], placeholders: { wamid: string }[]): string[] {
  const targets = new Set<string>();
  for (const m of messages) if (rewritesTarget(m.type) && m.targetWamid) targets.add(m.targetWamid);
  for (const r of inserted) if (r.isNew && !rewritesTarget(r.type)) targets.add(r.wamid);
  for (const p of placeholders) targets.add(p.wamid);
  return [...targets];
}

/** Newest activity and unread counts, from the messages this batch really added. */
function conversationBumps(inserted: InsertedMessage[]): ConversationBump[] {
  const perConversation = new Map<number, ConversationBump>();
  for (const r of inserted) {
    if (rewritesTarget(r.type)) continue;
    const id = r.conversationId;
    const at = new Date(r.sentAt).toISOString();
    const entry: ConversationBump = perConversation.get(id) ?? { id, at, messageId: r.id, unread: 0, inboundAt: null };
    if (at > entry.at || (at === entry.at && r.id > entry.messageId)) Object.assign(entry, { at, messageId: r.id });
    perConversation.set(id, entry);
    // The shared history is the past: it is never unread, reopens nothing and opens no window.
    if (r.history) continue;
    if (r.isNew && r.direction === 'inbound' && r.type !== 'reaction') entry.unread++;
    if (opensServiceWindow(r) && (entry.inboundAt === null || at > entry.inboundAt)) entry.inboundAt = at;
  }
  return [...perConversation.values()];
}

/**
 * Account events have no id of their own. The same content, from the same place at the same time, is one
 * event: a retry that Meta re-serialized differently is then not stored twice.
 */
function accountEventRows(events: EventBatch[]) {
  return events.flatMap((e) =>
    e.batch.accountEvents.map((a) => ({
      dedupeKey: createHash('sha256')
        .update(JSON.stringify([a.wabaId, a.phoneNumberId, a.field, a.eventType, a.timestamp, a.payload]))
        .digest('hex'),
      eventId: e.eventId,
      wabaId: a.wabaId,
      phoneNumberId: a.phoneNumberId,
      field: a.field,
      eventType: a.eventType,
      occurredAt: a.timestamp,
      payload: a.payload,
    })),
  );
}
