import { sql } from 'drizzle-orm';
import { jsonb, queryRows, type Executor } from '../client';

// Erasing a customer (lib/privacy/erase.ts decides the order and runs it in one transaction): what there is
// of them, and the statements that delete it. webhook_events and status_events are only ever touched by
// plain UPDATE or DELETE by id or wamid, so these statements work whatever those tables' layout.

export interface ErasableContact {
  id: number;
  name: string | null;
  waId: string | null;
  userId: string | null;
}

export interface EraseCounts {
  conversations: number;
  messages: number;
  statusEvents: number;
  mediaFiles: number;
  notes: number;
}

type ContactRow = { id: string | number; name: string | null; wa_id: string | null; user_id: string | null };
const toContact = (r: ContactRow): ErasableContact => ({ id: Number(r.id), name: r.name, waId: r.wa_id, userId: r.user_id });

const conversationsOf = (contactId: number) => sql`select id from conversations where contact_id = ${contactId}`;
const messagesOf = (contactId: number) => sql`select id from messages where conversation_id in (${conversationsOf(contactId)})`;
const wamidsOf = (contactId: number) =>
  sql`select wamid from messages where conversation_id in (${conversationsOf(contactId)}) and wamid is not null`;

/** The contact and how much of them there is (the confirmation dialog); null when there is no such contact. */
export async function getErasePreview(db: Executor, contactId: number): Promise<(ErasableContact & { counts: EraseCounts }) | null> {
  const [row] = await queryRows<
    ContactRow & {
      conversations: string | number;
      messages: string | number;
      status_events: string | number;
      media_files: string | number;
      notes: string | number;
    }
  >(
    db,
    sql`select k.id, k.name, k.wa_id, k.user_id,
          (${sql`select count(*) from (${conversationsOf(contactId)}) c`}) as conversations,
          (${sql`select count(*) from (${messagesOf(contactId)}) m`}) as messages,
          (select count(*) from status_events where wamid in (${wamidsOf(contactId)})) as status_events,
          (select count(*) from media_items where message_id in (${messagesOf(contactId)})) as media_files,
          (select count(*) from conversation_activity where action = 'note' and conversation_id in (${conversationsOf(contactId)})) as notes
        from contacts k where k.id = ${contactId}`,
  );
  if (!row) return null;
  return {
    ...toContact(row),
    counts: {
      conversations: Number(row.conversations),
      messages: Number(row.messages),
      statusEvents: Number(row.status_events),
      mediaFiles: Number(row.media_files),
      notes: Number(row.notes),
    },
  };
}

/** The contact, or null; `lock`: held with its conversations until commit, so no message is written into them meanwhile. */
export async function findContact(tx: Executor, contactId: number, lock = false): Promise<ErasableContact | null> {
  const [row] = await queryRows<ContactRow>(
    tx,
    sql`select id, name, wa_id, user_id from contacts where id = ${contactId} ${lock ? sql`for update` : sql``}`,
  );
  if (!row) return null;
  if (lock) await tx.execute(sql`select id from conversations where contact_id = ${contactId} order by id for update`);
  return toContact(row);
}

export interface UnsettledEvent {
  id: number;
  state: string;
  body: Uint8Array;
}

/**
 * Raw events not yet processed (pending) or given up on (failed) whose bytes contain any of `needles`,
 * locked until commit (the processor skips locked events). A scan of those two states only: both are few.
 */
export async function lockUnsettledEventsMentioning(tx: Executor, needles: string[]): Promise<UnsettledEvent[]> {
  if (needles.length === 0) return [];
  const mentions = sql.join(
    needles.map((n) => sql`position(convert_to(${n}, 'UTF8') in body) > 0`),
    sql` or `,
  );
  const rows = await queryRows<{ id: string | number; state: string; body: Uint8Array }>(
    tx,
    sql`select id, state, body from webhook_events where state in ('pending', 'failed') and (${mentions}) order by id for update`,
  );
  return rows.map((r) => ({ id: Number(r.id), state: r.state, body: r.body }));
}

/** The raw events the contact's messages and their statuses came from. */
export async function linkedEventIds(tx: Executor, contactId: number): Promise<number[]> {
  const rows = await queryRows<{ event_id: string | number }>(
    tx,
    sql`select event_id from messages where conversation_id in (${conversationsOf(contactId)}) and event_id is not null
        union
        select event_id from status_events where wamid in (${wamidsOf(contactId)}) and event_id is not null`,
  );
  return rows.map((r) => Number(r.event_id));
}

/** Every wamid Meta gave the contact's messages. */
export async function wamidsOfContact(tx: Executor, contactId: number): Promise<string[]> {
  const rows = await queryRows<{ wamid: string }>(tx, wamidsOf(contactId));
  return rows.map((r) => r.wamid);
}

/**
 * Deletes everything of the contact but the raw bodies: status history and delivery times of their wamids,
 * media rows, read-receipt and typing counters, messages (queued ones too: the outbox never sees them
 * again), conversations (their labels, trail, notes, mentions and presence go with them) and the contact.
 * Returns what was deleted, and the storage keys of the media rows (the files go after commit).
 */
export async function deleteContactRows(
  tx: Executor,
  contactId: number,
): Promise<{ counts: EraseCounts; conversationIds: number[]; storageKeys: string[] }> {
  const statusEvents = await countDeleted(tx, sql`delete from status_events where wamid in (${wamidsOf(contactId)}) returning 1`);
  await tx.execute(sql`delete from delivery_timings where wamid in (${wamidsOf(contactId)})`);
  const media = await queryRows<{ storage_key: string | null }>(
    tx,
    sql`delete from media_items where message_id in (${messagesOf(contactId)}) returning storage_key`,
  );
  await tx.execute(sql`
    delete from rate_limits where key in (
      select 'read-receipt:' || id from (${messagesOf(contactId)}) m
      union all select 'typing:' || id from (${conversationsOf(contactId)}) c)`);
  const messages = await countDeleted(tx, sql`delete from messages where conversation_id in (${conversationsOf(contactId)}) returning 1`);
  const [notes] = await queryRows<{ n: string | number }>(
    tx,
    sql`select count(*) as n from conversation_activity where action = 'note' and conversation_id in (${conversationsOf(contactId)})`,
  );
  const conversations = await queryRows<{ id: string | number }>(
    tx,
    sql`delete from conversations where contact_id = ${contactId} returning id`,
  );
  await tx.execute(sql`delete from contacts where id = ${contactId}`);
  return {
    counts: {
      conversations: conversations.length,
      messages,
      statusEvents,
      mediaFiles: media.length,
      notes: Number(notes?.n ?? 0),
    },
    conversationIds: conversations.map((c) => Number(c.id)),
    storageKeys: [...new Set(media.flatMap((m) => (m.storage_key ? [m.storage_key] : [])))],
  };
}

/** How many rows a `delete ... returning 1` removed, counted in the database (no row travels). */
async function countDeleted(tx: Executor, statement: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(tx, sql`with d as (${statement}) select count(*) as n from d`);
  return Number(row?.n ?? 0);
}

/** Account events (unreadable items, value errors) whose payload names any of `needles`. */
export async function deleteAccountEventsMentioning(tx: Executor, needles: string[]): Promise<number> {
  if (needles.length === 0) return 0;
  const rows = await queryRows<{ id: string | number }>(
    tx,
    sql`delete from account_events where payload is not null
          and exists (select 1 from jsonb_array_elements_text(${jsonb(needles)}) n(v) where strpos(payload::text, n.v) > 0)
        returning id`,
  );
  return rows.length;
}

/** Empties the bodies of processed or discarded events, as retention does: the rows and hashes stay. */
export async function emptySettledEventBodies(tx: Executor, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await queryRows<{ id: string | number }>(
    tx,
    sql`update webhook_events set body = ''::bytea, body_deleted_at = now()
        where id in (select jsonb_array_elements_text(${jsonb(ids)})::bigint)
          and state in ('processed', 'discarded') and body_deleted_at is null
        returning id`,
  );
  return rows.length;
}

/** A pending or failed event's body, rewritten without the customer's entries (its hash stays). */
export async function replaceEventBody(tx: Executor, id: number, body: Uint8Array): Promise<void> {
  await tx.execute(sql`update webhook_events set body = ${Buffer.from(body)}::bytea where id = ${id}`);
}

/** An unsettled body that cannot be read (not JSON) cannot be redacted: it is emptied and given up on. */
export async function discardEventBody(tx: Executor, id: number): Promise<void> {
  await tx.execute(sql`update webhook_events set body = ''::bytea, body_deleted_at = now(), state = 'discarded' where id = ${id}`);
}

/** Remembers erased wamids by their sha256 only: lib/whatsapp/store.ts drops anything that names one. */
export async function insertErasedWamids(tx: Executor, wamids: string[]): Promise<void> {
  if (wamids.length === 0) return;
  await tx.execute(sql`
    insert into erased_wamids (wamid_sha256)
    select sha256(convert_to(w, 'UTF8')) from jsonb_array_elements_text(${jsonb(wamids)}) x(w)
    on conflict do nothing`);
}

/**
 * Which of these wamids belong to erased messages. On every stored batch: nothing is looked up while
 * nobody was ever erased (the one-time `exists` comes first), and the hashing is the database's.
 */
export async function findErasedWamids(db: Executor, wamids: string[]): Promise<Set<string>> {
  if (wamids.length === 0) return new Set();
  const rows = await queryRows<{ w: string }>(
    db,
    sql`select w from jsonb_array_elements_text(${jsonb(wamids)}) x(w)
        where exists (select 1 from erased_wamids)
          and sha256(convert_to(w, 'UTF8')) in (select wamid_sha256 from erased_wamids)`,
  );
  return new Set(rows.map((r) => r.w));
}

/** Of these storage keys, those no media row or upload still points at: their files can go. */
export async function unreferencedStorageKeys(db: Executor, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  // One pass over each table (storage_key has no index: erasing is rare, and this runs after commit).
  const rows = await queryRows<{ k: string }>(
    db,
    sql`with keys as (select jsonb_array_elements_text(${jsonb(keys)}) as k)
        select k from keys
        except select storage_key from media_items where storage_key in (select k from keys)
        except select storage_key from uploads where storage_key in (select k from keys)`,
  );
  return rows.map((r) => r.k);
}
