import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { DELIVERY_ORDER, PENDING, READ_STATUSES, RECEIVED } from './status';
import type { ContactSighting, CustomerIdentity, NormalizedBatch, NormalizedMessage, NormalizedStatus } from './types';

// Writes normalized webhook batches in set-based statements: one statement per table for a whole batch
// of events, not one per item. Rows travel as one jsonb parameter each (jsonb_to_recordset), which
// behaves the same on postgres.js and PGlite. Every write is idempotent: running a batch twice changes nothing.

export interface StoredChanges {
  /** Conversations whose list entry changed (new message, unread, status of the last message ...). */
  conversationIds: number[];
  /** Messages created or changed. */
  wamids: string[];
}

/** One event's normalized content, tagged with the raw event it came from. */
export interface EventBatch {
  eventId: number;
  batch: NormalizedBatch;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Exec = Db | Tx;

const json = (rows: unknown) => sql`${JSON.stringify(rows)}::jsonb`;
const identityKey = (c: CustomerIdentity) => `${c.waId ?? ''}|${c.userId ?? ''}`;

/** Hidden from threads and previews: they change other messages rather than being messages. */
const MODIFIER_TYPES = new Set(['edit', 'revoke']);

export async function storeBatches(tx: Exec, events: EventBatch[]): Promise<StoredChanges> {
  // Background work, not a request: a batch of 3 MB bodies may legitimately take longer than the request
  // pool's statement timeout (db/client.ts), when the processor shares that pool (next dev, no worker bundle).
  await tx.execute(sql`set local statement_timeout = 0`);
  const messages = dedupeMessages(events);
  const statuses = events.flatMap((e) => e.batch.statuses.map((s) => ({ ...s, eventId: e.eventId })));
  const changedConversations = new Set<number>();
  const changedWamids = new Set<string>();

  await upsertBusinessNumbers(tx, events, messages, statuses);
  const contactIds = await resolveContacts(tx, events, messages, statuses);
  const conversationIds = await ensureConversations(tx, contactIds, [...messages, ...statuses]);
  // Undefined only for a status with no recipient at all (messages without a customer never get here).
  const conversationOf = (m: { phoneNumberId: string; customer: CustomerIdentity }) =>
    conversationIds.get(`${m.phoneNumberId}#${contactIds.get(identityKey(m.customer))}`);

  const insertedMessages = await insertMessages(tx, messages, conversationOf);
  await countNewMessages(tx, messages, insertedMessages);
  await enqueueMediaDownloads(tx, messages, insertedMessages);
  const inserted = [...insertedMessages, ...(await insertPlaceholders(tx, statuses, conversationOf))];
  await insertStatusHistory(tx, statuses);
  const statusChanged = await reconcileStatuses(tx, new Set([...statuses.map((x) => x.wamid), ...inserted.filter((r) => r.is_new).map((r) => r.wamid)]));
  const modified = await applyEditsAndRevokes(tx, messages, inserted);
  await bumpConversations(tx, inserted);
  await insertAccountEvents(tx, events);

  for (const r of [...inserted, ...statusChanged, ...modified]) {
    changedWamids.add(r.wamid);
    changedConversations.add(Number(r.conversation_id));
  }
  return { conversationIds: [...changedConversations], wamids: [...changedWamids] };
}

/** A wamid seen twice in one batch (two envelopes of one message) is written once: the first wins. */
function dedupeMessages(events: EventBatch[]) {
  const byWamid = new Map<string, NormalizedMessage & { eventId: number }>();
  for (const e of events) for (const m of e.batch.messages) if (!byWamid.has(m.wamid)) byWamid.set(m.wamid, { ...m, eventId: e.eventId });
  return [...byWamid.values()];
}

async function upsertBusinessNumbers(
  tx: Exec,
  events: EventBatch[],
  messages: { phoneNumberId: string }[],
  statuses: { phoneNumberId: string }[],
) {
  const numbers = new Map<string, { phone_number_id: string; display_phone_number: string | null; waba_id: string | null }>();
  // Items carry their number even when metadata was odd: make sure every referenced number exists.
  for (const item of [...messages, ...statuses])
    numbers.set(item.phoneNumberId, { phone_number_id: item.phoneNumberId, display_phone_number: null, waba_id: null });
  for (const e of events)
    for (const n of e.batch.businessNumbers)
      numbers.set(n.phoneNumberId, { phone_number_id: n.phoneNumberId, display_phone_number: n.displayPhoneNumber, waba_id: n.wabaId });
  if (numbers.size === 0) return;
  const rows = [...numbers.values()].sort((a, b) => (a.phone_number_id < b.phone_number_id ? -1 : 1));
  await tx.execute(sql`
    insert into business_numbers (phone_number_id, display_phone_number, waba_id)
    select phone_number_id, display_phone_number, waba_id
    from jsonb_to_recordset(${json(rows)}) as x(phone_number_id text, display_phone_number text, waba_id text)
    on conflict (phone_number_id) do update set
      display_phone_number = coalesce(excluded.display_phone_number, business_numbers.display_phone_number),
      waba_id = coalesce(excluded.waba_id, business_numbers.waba_id),
      updated_at = now()
    where (excluded.display_phone_number is not null and excluded.display_phone_number is distinct from business_numbers.display_phone_number)
       or (excluded.waba_id is not null and excluded.waba_id is distinct from business_numbers.waba_id)`);
}

interface ContactIdRow {
  id: string | number;
  wa_id: string | null;
  user_id: string | null;
}

/**
 * Finds or creates the contact behind every customer identity in the batch. A customer is known by wa_id
 * (phone) and/or BSUID (user_id); a sighting with both joins them, merging two contacts seen apart before.
 * Returns identityKey → contact id.
 */
async function resolveContacts(
  tx: Exec,
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

  const load = () =>
    queryRows<ContactIdRow>(
      tx as Db,
      sql`select id, wa_id, user_id from contacts
          where wa_id in (select jsonb_array_elements_text(${json(waIds)}))
             or user_id in (select jsonb_array_elements_text(${json(userIds)}))
          order by id`,
    );

  // Create the identities nobody knows yet. ON CONFLICT DO NOTHING covers both unique keys, and another
  // instance creating the same contact at the same moment.
  let existing = await load();
  const known = indexContacts(existing);
  const fresh = all
    .filter((s) => !(s.waId && known.byWa.has(s.waId)) && !(s.userId && known.byUser.has(s.userId)))
    .sort((a, b) => identityKey(a).localeCompare(identityKey(b)));
  if (fresh.length > 0) {
    await tx.execute(sql`
      insert into contacts (wa_id, user_id, name, username)
      select wa_id, user_id, name, username
      from jsonb_to_recordset(${json(fresh.map((s) => ({ wa_id: s.waId, user_id: s.userId, name: s.name, username: s.username })))})
        as x(wa_id text, user_id text, name text, username text)
      on conflict do nothing`);
    existing = await load();
  }

  // Join identities seen together, and learn names.
  let merged = false;
  for (const s of all) {
    const { byWa, byUser } = indexContacts(existing);
    const a = s.waId ? byWa.get(s.waId) : undefined;
    const b = s.userId ? byUser.get(s.userId) : undefined;
    if (a && b && a.id !== b.id && !a.user_id && !b.wa_id) {
      await mergeContacts(tx, a.id, b.id);
      merged = true;
      existing = existing.filter((c) => c.id !== b.id).map((c) => (c.id === a.id ? { ...c, user_id: s.userId } : c));
    } else if (a && !b && s.userId && !a.user_id) {
      await tx.execute(sql`update contacts set user_id = ${s.userId}, updated_at = now() where id = ${a.id} and user_id is null`);
      a.user_id = s.userId;
    } else if (b && !a && s.waId && !b.wa_id) {
      await tx.execute(sql`update contacts set wa_id = ${s.waId}, updated_at = now() where id = ${b.id} and wa_id is null`);
      b.wa_id = s.waId;
    }
  }
  if (merged) existing = await load();

  const named = all.filter((s) => s.name || s.username);
  if (named.length > 0) {
    await tx.execute(sql`
      update contacts c set name = coalesce(x.name, c.name), username = coalesce(x.username, c.username), updated_at = now()
      from jsonb_to_recordset(${json(named.map((s) => ({ wa_id: s.waId, user_id: s.userId, name: s.name, username: s.username })))})
        as x(wa_id text, user_id text, name text, username text)
      where (c.wa_id = x.wa_id or c.user_id = x.user_id)
        and (c.name is distinct from coalesce(x.name, c.name) or c.username is distinct from coalesce(x.username, c.username))`);
  }

  const { byWa, byUser } = indexContacts(existing);
  for (const s of all) {
    const c = (s.waId && byWa.get(s.waId)) || (s.userId && byUser.get(s.userId));
    if (c) result.set(identityKey(s), Number(c.id));
  }
  return result;
}

function indexContacts(rows: ContactIdRow[]) {
  const byWa = new Map<string, ContactIdRow>();
  const byUser = new Map<string, ContactIdRow>();
  for (const r of rows) {
    if (r.wa_id) byWa.set(r.wa_id, r);
    if (r.user_id) byUser.set(r.user_id, r);
  }
  return { byWa, byUser };
}

/** Folds contact `dropId` (known by BSUID only) into `keepId` (known by phone only): one customer, one thread per number. */
async function mergeContacts(tx: Exec, keepId: number | string, dropId: number | string) {
  // Threads both contacts have on the same number become one: messages move, counts add up.
  const pairs = sql`select d.id as drop_conv, k.id as keep_conv from conversations d
    join conversations k on k.phone_number_id = d.phone_number_id and k.contact_id = ${keepId}
    where d.contact_id = ${dropId}`;
  await tx.execute(sql`update messages m set conversation_id = p.keep_conv from (${pairs}) p where m.conversation_id = p.drop_conv`);
  await tx.execute(sql`
    update conversations k set
      unread_count = k.unread_count + d.unread_count,
      last_message_at = greatest(k.last_message_at, d.last_message_at),
      last_message_wamid = case when k.last_message_at is null or d.last_message_at > k.last_message_at
        then d.last_message_wamid else k.last_message_wamid end
    from (${pairs}) p join conversations d on d.id = p.drop_conv
    where k.id = p.keep_conv`);
  await tx.execute(sql`delete from conversations where id in (select drop_conv from (${pairs}) p)`);
  await tx.execute(sql`update conversations set contact_id = ${keepId} where contact_id = ${dropId}`);
  const [dropped] = await queryRows<{ user_id: string; name: string | null; username: string | null }>(
    tx as Db,
    sql`delete from contacts where id = ${dropId} returning user_id, name, username`,
  );
  await tx.execute(sql`
    update contacts set user_id = ${dropped?.user_id ?? null}, name = coalesce(name, ${dropped?.name ?? null}),
      username = coalesce(username, ${dropped?.username ?? null}), updated_at = now()
    where id = ${keepId}`);
}

/** One conversation per (business number, contact). Returns `${phoneNumberId}#${contactId}` → conversation id. */
async function ensureConversations(
  tx: Exec,
  contactIds: Map<string, number>,
  items: { phoneNumberId: string; customer: CustomerIdentity }[],
): Promise<Map<string, number>> {
  const pairs = new Map<string, { phone_number_id: string; contact_id: number }>();
  for (const item of items) {
    const contactId = contactIds.get(identityKey(item.customer));
    if (contactId === undefined) continue;
    pairs.set(`${item.phoneNumberId}#${contactId}`, { phone_number_id: item.phoneNumberId, contact_id: contactId });
  }
  const result = new Map<string, number>();
  if (pairs.size === 0) return result;
  const rows = [...pairs.values()].sort((a, b) => a.contact_id - b.contact_id || (a.phone_number_id < b.phone_number_id ? -1 : 1));
  const load = async (wanted: typeof rows) => {
    const found = await queryRows<{ id: string | number; phone_number_id: string; contact_id: string | number }>(
      tx as Db,
      sql`select c.id, c.phone_number_id, c.contact_id
          from conversations c join jsonb_to_recordset(${json(wanted)}) as x(phone_number_id text, contact_id bigint)
            on c.phone_number_id = x.phone_number_id and c.contact_id = x.contact_id`,
    );
    for (const r of found) result.set(`${r.phone_number_id}#${Number(r.contact_id)}`, Number(r.id));
  };
  await load(rows);
  // Insert only what is missing: ON CONFLICT still draws an id from the sequence for every row it skips.
  const missing = rows.filter((r) => !result.has(`${r.phone_number_id}#${r.contact_id}`));
  if (missing.length > 0) {
    await tx.execute(sql`
      insert into conversations (phone_number_id, contact_id)
      select phone_number_id, contact_id from jsonb_to_recordset(${json(missing)}) as x(phone_number_id text, contact_id bigint)
      on conflict do nothing`);
    await load(missing);
  }
  return result;
}

interface InsertedMessage {
  wamid: string;
  conversation_id: string | number;
  direction: string;
  type: string;
  sent_at: string;
  is_new: boolean;
}

/**
 * New messages are inserted; a wamid seen before is left alone, unless all we had was a placeholder
 * made from its statuses: then the message fills it in and keeps the status it already reached.
 */
async function insertMessages(
  tx: Exec,
  messages: (NormalizedMessage & { eventId: number })[],
  conversationOf: (m: NormalizedMessage) => number | undefined,
): Promise<InsertedMessage[]> {
  const rows = messages
    .map((m) => ({
      wamid: m.wamid,
      conversation_id: conversationOf(m),
      direction: m.direction,
      type: m.type,
      subtype: m.subtype,
      text: m.text,
      sent_at: m.timestamp.toISOString(),
      reply_to_wamid: m.replyToWamid,
      forwarded: m.forwarded,
      frequently_forwarded: m.frequentlyForwarded,
      media: m.media,
      target_wamid: m.targetWamid,
      status: m.direction === 'inbound' ? RECEIVED : PENDING,
      errors: m.errors,
      raw: m.raw,
      event_id: m.eventId,
    }))
    .sort((a, b) => (a.wamid < b.wamid ? -1 : 1));
  if (rows.length === 0) return [];
  // Never drop a message quietly: failing makes the event retry, and then wait for an operator.
  const orphan = rows.find((r) => r.conversation_id === undefined);
  if (orphan) throw new Error(`no conversation resolved for message ${orphan.wamid}`);
  return queryRows<InsertedMessage>(
    tx as Db,
    sql`
    insert into messages (wamid, conversation_id, direction, type, subtype, text, sent_at, reply_to_wamid, forwarded,
      frequently_forwarded, media, target_wamid, status, errors, raw, event_id)
    select wamid, conversation_id, direction, type, subtype, text, sent_at, reply_to_wamid, forwarded,
      frequently_forwarded, media, target_wamid, status, errors, raw, event_id
    from jsonb_to_recordset(${json(rows)}) as x(wamid text, conversation_id bigint, direction text, type text, subtype text,
      text text, sent_at timestamptz, reply_to_wamid text, forwarded boolean, frequently_forwarded boolean, media jsonb,
      target_wamid text, status text, errors jsonb, raw jsonb, event_id bigint)
    on conflict (wamid) do update set
      direction = excluded.direction, type = excluded.type, subtype = excluded.subtype, text = excluded.text,
      sent_at = excluded.sent_at, reply_to_wamid = excluded.reply_to_wamid, forwarded = excluded.forwarded,
      frequently_forwarded = excluded.frequently_forwarded, media = excluded.media, target_wamid = excluded.target_wamid,
      errors = case when messages.status = 'failed' then messages.errors else excluded.errors end,
      raw = excluded.raw, event_id = excluded.event_id, placeholder = false
    where messages.placeholder
    returning wamid, conversation_id, direction, type, sent_at, (xmax = 0) as is_new`,
  );
}

/** A status for a message we never saw (sent by another system) still deserves a line in the thread. */
async function insertPlaceholders(
  tx: Exec,
  statuses: NormalizedStatus[],
  conversationOf: (s: NormalizedStatus) => number | undefined,
): Promise<InsertedMessage[]> {
  const earliest = new Map<string, { wamid: string; conversation_id: number; sent_at: string }>();
  for (const s of statuses) {
    const conversationId = conversationOf(s);
    if (conversationId === undefined) continue;
    const at = s.timestamp.toISOString();
    const prev = earliest.get(s.wamid);
    if (!prev || at < prev.sent_at) earliest.set(s.wamid, { wamid: s.wamid, conversation_id: conversationId, sent_at: at });
  }
  if (earliest.size === 0) return [];
  const rows = [...earliest.values()].sort((a, b) => (a.wamid < b.wamid ? -1 : 1));
  return queryRows<InsertedMessage>(
    tx as Db,
    sql`
    insert into messages (wamid, conversation_id, direction, type, sent_at, status, placeholder)
    select wamid, conversation_id, 'outbound', 'placeholder', sent_at, 'pending', true
    from jsonb_to_recordset(${json(rows)}) as x(wamid text, conversation_id bigint, sent_at timestamptz)
    on conflict (wamid) do nothing
    returning wamid, conversation_id, direction, type, sent_at, true as is_new`,
  );
}

/** An error code fit for an integer column (Meta's are small positive integers; anything else is kept only in `errors`). */
export function errorCodeOf(errors: readonly { code: number | null }[]): number | null {
  const code = errors[0]?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 2_147_483_647 ? code : null;
}

/**
 * Appends to the status history, and adds what was really new (not a replay) to the hourly delivery
 * counts and the per-message delivery times, in the same statement.
 */
async function insertStatusHistory(tx: Exec, statuses: (NormalizedStatus & { eventId: number })[]) {
  if (statuses.length === 0) return;
  const rows = statuses.map((s) => ({
    wamid: s.wamid,
    status: s.status,
    occurred_at: s.timestamp.toISOString(),
    recipient_id: s.customer.waId,
    recipient_user_id: s.customer.userId,
    errors: s.errors,
    pricing: s.pricing,
    conversation: s.conversation,
    raw: s.raw,
    event_id: s.eventId,
    phone_number_id: s.phoneNumberId,
    error_code: errorCodeOf(s.errors),
  }));
  const delivery = sql.raw(DELIVERY_ORDER.map((s) => `'${s}'`).join(','));
  // A played voice message was heard, so it was read: the funnel counts whichever came first.
  const read = sql.raw(READ_STATUSES.map((s) => `'${s}'`).join(','));
  await tx.execute(sql`
    with inserted as (
      insert into status_events (wamid, status, occurred_at, recipient_id, recipient_user_id, errors, pricing, conversation, raw,
        event_id, phone_number_id, error_code)
      select wamid, status, occurred_at, recipient_id, recipient_user_id, errors, pricing, conversation, raw, event_id,
        phone_number_id, error_code
      from jsonb_to_recordset(${json(rows)}) as x(wamid text, status text, occurred_at timestamptz, recipient_id text,
        recipient_user_id text, errors jsonb, pricing jsonb, conversation jsonb, raw jsonb, event_id bigint,
        phone_number_id text, error_code integer)
      on conflict do nothing
      returning wamid, status, occurred_at, phone_number_id, error_code
    ), hourly as (
      insert into delivery_stats_hourly (hour, phone_number_id, status, error_code, count)
      select date_trunc('hour', occurred_at, 'UTC'), phone_number_id, status, coalesce(error_code, 0), count(*)
      from inserted group by 1, 2, 3, 4 order by 1, 2, 3, 4
      on conflict (hour, phone_number_id, status, error_code) do update set count = delivery_stats_hourly.count + excluded.count
    )
    insert into delivery_timings (wamid, phone_number_id, sent_at, delivered_at, read_at, failed_at)
    select wamid, min(phone_number_id), min(occurred_at) filter (where status = 'sent'), min(occurred_at) filter (where status = 'delivered'),
      min(occurred_at) filter (where status in (${read})), min(occurred_at) filter (where status = 'failed')
    from inserted where status in (${delivery}) group by wamid order by wamid
    on conflict (wamid) do update set
      sent_at = least(delivery_timings.sent_at, excluded.sent_at),
      delivered_at = least(delivery_timings.delivered_at, excluded.delivered_at),
      read_at = least(delivery_timings.read_at, excluded.read_at),
      failed_at = least(delivery_timings.failed_at, excluded.failed_at)`);
}

/** Message types whose file is fetched from the Graph API (lib/media/downloader.ts). */
export const DOWNLOADABLE_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/** A download job per media message really added: committed with the message, so none is ever missed. */
async function enqueueMediaDownloads(tx: Exec, messages: NormalizedMessage[], inserted: InsertedMessage[]) {
  const added = new Set(inserted.map((r) => r.wamid));
  const rows = messages
    .filter((m) => added.has(m.wamid) && DOWNLOADABLE_TYPES.has(m.type) && m.media?.id)
    .map((m) => ({ wamid: m.wamid, media_id: m.media!.id, kind: m.type, mime_type: m.media!.mimeType, filename: m.media!.filename }))
    .sort((a, b) => (a.wamid < b.wamid ? -1 : 1));
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into media_items (wamid, media_id, kind, mime_type, filename)
    select wamid, media_id, kind, mime_type, filename
    from jsonb_to_recordset(${json(rows)}) as x(wamid text, media_id text, kind text, mime_type text, filename text)
    on conflict (wamid) do nothing`);
}

/** Messages really added (new, or a placeholder filled in), counted per UTC hour, number, direction and type. */
async function countNewMessages(tx: Exec, messages: NormalizedMessage[], inserted: InsertedMessage[]) {
  const numberOf = new Map(messages.map((m) => [m.wamid, m.phoneNumberId]));
  const counts = new Map<string, { hour: string; phone_number_id: string; direction: string; type: string; count: number }>();
  for (const r of inserted) {
    const phoneNumberId = numberOf.get(r.wamid);
    if (phoneNumberId === undefined) continue;
    const hour = new Date(r.sent_at);
    hour.setUTCMinutes(0, 0, 0);
    const key = `${hour.toISOString()}|${phoneNumberId}|${r.direction}|${r.type}`;
    const entry = counts.get(key) ?? { hour: hour.toISOString(), phone_number_id: phoneNumberId, direction: r.direction, type: r.type, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  if (counts.size === 0) return;
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  await tx.execute(sql`
    insert into message_stats_hourly (hour, phone_number_id, direction, type, count)
    select hour, phone_number_id, direction, type, count
    from jsonb_to_recordset(${json(rows)}) as x(hour timestamptz, phone_number_id text, direction text, type text, count bigint)
    on conflict (hour, phone_number_id, direction, type) do update set count = message_stats_hourly.count + excluded.count`);
}

/**
 * Sets each message's current status to the furthest one in its history, never moving backwards.
 * Derived from status_events rather than from this batch alone, so a status that arrived before its
 * message (with no recipient to make a placeholder for) still applies when the message lands.
 */
async function reconcileStatuses(tx: Exec, wamids: Set<string>) {
  if (wamids.size === 0) return [];
  const order = sql.raw(`array[${DELIVERY_ORDER.map((s) => `'${s}'`).join(',')}]::text[]`);
  return queryRows<{ wamid: string; conversation_id: string | number }>(
    tx as Db,
    sql`
    update messages m set status = s.status, status_rank = s.rank, status_at = s.occurred_at,
      errors = case when s.status = 'failed' then s.errors else m.errors end
    from (
      select distinct on (wamid) wamid, status, occurred_at, errors, array_position(${order}, status) as rank
      from status_events
      where wamid in (select jsonb_array_elements_text(${json([...wamids].sort())})) and status = any(${order})
      order by wamid, rank desc, occurred_at
    ) s
    where m.wamid = s.wamid and s.rank > m.status_rank
    returning m.wamid, m.conversation_id`,
  );
}

/**
 * An edit replaces the text of its original (the original's raw JSON and the edit rows keep the history);
 * a revoke marks it deleted. Either may arrive before the original: then it applies when the original lands.
 */
async function applyEditsAndRevokes(tx: Exec, messages: NormalizedMessage[], inserted: InsertedMessage[]) {
  const targets = new Set<string>();
  for (const m of messages) if (MODIFIER_TYPES.has(m.type) && m.targetWamid) targets.add(m.targetWamid);
  for (const r of inserted) if (r.is_new && !MODIFIER_TYPES.has(r.type)) targets.add(r.wamid);
  if (targets.size === 0) return [];
  const list = json([...targets].sort());
  const edited = await queryRows<{ wamid: string; conversation_id: string | number }>(
    tx as Db,
    sql`
    update messages o set text = e.text, edited_at = e.sent_at
    from (
      select distinct on (target_wamid) target_wamid, text, sent_at from messages
      where type = 'edit' and target_wamid in (select jsonb_array_elements_text(${list}))
      order by target_wamid, sent_at desc, wamid desc
    ) e
    where o.wamid = e.target_wamid and o.type <> 'edit' and (o.edited_at is null or o.edited_at < e.sent_at)
    returning o.wamid, o.conversation_id`,
  );
  const revoked = await queryRows<{ wamid: string; conversation_id: string | number }>(
    tx as Db,
    sql`
    update messages o set deleted_at = r.sent_at
    from (
      select distinct on (target_wamid) target_wamid, sent_at from messages
      where type = 'revoke' and target_wamid in (select jsonb_array_elements_text(${list}))
      order by target_wamid, sent_at
    ) r
    where o.wamid = r.target_wamid and o.type <> 'revoke' and o.deleted_at is null
    returning o.wamid, o.conversation_id`,
  );
  return [...edited, ...revoked];
}

/** Newest activity and unread counts, from the messages this batch really added. */
async function bumpConversations(tx: Exec, inserted: InsertedMessage[]) {
  const perConversation = new Map<number, { id: number; at: string; wamid: string; unread: number }>();
  for (const r of inserted) {
    if (MODIFIER_TYPES.has(r.type)) continue;
    const id = Number(r.conversation_id);
    const at = new Date(r.sent_at).toISOString();
    const entry = perConversation.get(id) ?? { id, at, wamid: r.wamid, unread: 0 };
    if (at > entry.at || (at === entry.at && r.wamid > entry.wamid)) Object.assign(entry, { at, wamid: r.wamid });
    if (r.is_new && r.direction === 'inbound' && r.type !== 'reaction') entry.unread++;
    perConversation.set(id, entry);
  }
  if (perConversation.size === 0) return;
  const rows = [...perConversation.values()].sort((a, b) => a.id - b.id);
  await tx.execute(sql`
    update conversations c set
      unread_count = c.unread_count + x.unread,
      last_message_at = case when c.last_message_at is null or (x.at, x.wamid) > (c.last_message_at, c.last_message_wamid) then x.at else c.last_message_at end,
      last_message_wamid = case when c.last_message_at is null or (x.at, x.wamid) > (c.last_message_at, c.last_message_wamid) then x.wamid else c.last_message_wamid end
    from jsonb_to_recordset(${json(rows)}) as x(id bigint, at timestamptz, wamid text, unread int)
    where c.id = x.id`);
}

/**
 * Account events have no id of their own. The same content, from the same place at the same time, is one
 * event: a retry that Meta re-serialized differently is then not stored twice.
 */
async function insertAccountEvents(tx: Exec, events: EventBatch[]) {
  const rows = events.flatMap((e) =>
    e.batch.accountEvents.map((a) => ({
      dedupe_key: createHash('sha256')
        .update(JSON.stringify([a.wabaId, a.phoneNumberId, a.field, a.eventType, a.timestamp, a.payload]))
        .digest('hex'),
      event_id: e.eventId,
      waba_id: a.wabaId,
      phone_number_id: a.phoneNumberId,
      field: a.field,
      event_type: a.eventType,
      occurred_at: a.timestamp?.toISOString() ?? null,
      payload: a.payload,
    })),
  );
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into account_events (dedupe_key, event_id, waba_id, phone_number_id, field, event_type, occurred_at, payload)
    select dedupe_key, event_id, waba_id, phone_number_id, field, event_type, occurred_at, payload
    from jsonb_to_recordset(${json(rows)}) as x(dedupe_key text, event_id bigint, waba_id text, phone_number_id text,
      field text, event_type text, occurred_at timestamptz, payload jsonb)
    on conflict (dedupe_key) do nothing`);
}
