import { sql } from 'drizzle-orm';
import { jsonb, queryRows, type Executor } from '../client';
import { SYSTEM_ACTORS } from '@/lib/contracts/activity';

const CUSTOMER = SYSTEM_ACTORS.customer;

/** A conversation is one business number with one contact. */
export interface ConversationKey {
  phoneNumberId: string;
  contactId: number;
  /** A new one starts resolved rather than open (only the shared chat history brought it). */
  resolved?: boolean;
}

const toRows = (keys: ConversationKey[]) =>
  keys.map((k) => ({ phone_number_id: k.phoneNumberId, contact_id: k.contactId, status: k.resolved ? 'resolved' : 'open' }));

/** The conversations that exist among `keys`, with their ids. */
export async function findConversations(tx: Executor, keys: ConversationKey[]): Promise<(ConversationKey & { id: number })[]> {
  const rows = await queryRows<{ id: string | number; phone_number_id: string; contact_id: string | number }>(
    tx,
    sql`select c.id, c.phone_number_id, c.contact_id
        from conversations c join jsonb_to_recordset(${jsonb(toRows(keys))}) as x(phone_number_id text, contact_id bigint)
          on c.phone_number_id = x.phone_number_id and c.contact_id = x.contact_id`,
  );
  return rows.map((r) => ({ id: Number(r.id), phoneNumberId: r.phone_number_id, contactId: Number(r.contact_id) }));
}

/** Creates conversations; one another instance created meanwhile is left alone. */
export async function insertConversations(tx: Executor, keys: ConversationKey[]): Promise<void> {
  if (keys.length === 0) return;
  const rows = [...keys].sort((a, b) => a.contactId - b.contactId || (a.phoneNumberId < b.phoneNumberId ? -1 : 1));
  await tx.execute(sql`
    insert into conversations (phone_number_id, contact_id, status)
    select phone_number_id, contact_id, status
    from jsonb_to_recordset(${jsonb(toRows(rows))}) as x(phone_number_id text, contact_id bigint, status text)
    on conflict do nothing`);
}

export interface ConversationBump {
  id: number;
  /** The newest message among those added (ISO time, then id: the thread's order). */
  at: string;
  messageId: number;
  /** Inbound messages added, to add to the unread count. */
  unread: number;
  /** Meta's time of the newest customer message added that opens the 24-hour window (ISO), if any. */
  inboundAt: string | null;
}

/**
 * Newest activity moves forward only; unread counts add up. A customer's new message (one that counts as
 * unread: not a reaction) opens a pending, resolved or snoozed conversation again; our own messages and
 * statuses leave the status alone.
 */
export async function bumpConversations(tx: Executor, bumps: ConversationBump[]): Promise<void> {
  if (bumps.length === 0) return;
  const rows = [...bumps]
    .sort((a, b) => a.id - b.id)
    .map((b) => ({ id: b.id, at: b.at, message_id: b.messageId, unread: b.unread, inbound_at: b.inboundAt }));
  // One statement: the conversations a customer's message opens again (as they were before it) get a
  // 'status' entry in their trail, by the customer; the reads and the update share one snapshot.
  await tx.execute(sql`
    with x as (
      select * from jsonb_to_recordset(${jsonb(rows)}) as x(id bigint, at timestamptz, message_id bigint, unread int, inbound_at timestamptz)
    ),
    -- \`c.id = any(…)\` makes the look-ups index conditions: joined alone, conversations were planned as a scan
    -- of every one on a young database (bench:live under load).
    reopened as (select c.id from conversations c join x on x.id = c.id where c.id = any(array(select id from x)) and x.unread > 0 and c.status <> 'open'),
    bumped as (
    update conversations c set
      unread_count = c.unread_count + x.unread,
      status = case when x.unread > 0 then 'open' else c.status end,
      snoozed_until = case when x.unread > 0 then null else c.snoozed_until end,
      status_changed_at = case when x.unread > 0 and c.status <> 'open' then now() else c.status_changed_at end,
      last_inbound_at = greatest(c.last_inbound_at, x.inbound_at),
      last_message_at = case when c.last_message_at is null or (x.at, x.message_id) > (c.last_message_at, c.last_message_id) then x.at else c.last_message_at end,
      last_message_id = case when c.last_message_at is null or (x.at, x.message_id) > (c.last_message_at, c.last_message_id) then x.message_id else c.last_message_id end
    from x
    where c.id = x.id and c.id = any(array(select id from x)))
    insert into conversation_activity (conversation_id, actor_kind, actor_name, action, details)
    select id, ${CUSTOMER.kind}, ${CUSTOMER.name}, 'status', '{"status":"open"}'::jsonb from reopened`);
}
