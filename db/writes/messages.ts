import { sql } from 'drizzle-orm';
import { jsonb, keyArray, queryRows, statusRank, type Executor } from '../client';
import { advanceQueues } from '../queries/outbox';

// Messages as webhook batches write them: inserted once per wamid (Meta's name for a message; our own id
// is the row's, assigned on insert), their status derived from the status
// history, edits and revokes applied to their originals whichever arrives first.

export interface MessageInsert {
  wamid: string;
  conversationId: number;
  direction: string;
  type: string;
  subtype: string | null;
  text: string | null;
  sentAt: Date;
  replyToWamid: string | null;
  forwarded: boolean;
  frequentlyForwarded: boolean;
  media: unknown;
  targetWamid: string | null;
  status: string;
  statusRank: number;
  /** From the Business app's shared chat history. */
  history: boolean;
  errors: unknown;
  content: unknown;
  raw: unknown;
  eventId: number;
}

/** A message this batch really added: new, or a placeholder filled in. */
export interface InsertedMessage {
  id: number;
  wamid: string;
  conversationId: number;
  direction: string;
  type: string;
  /** As the database returns it: a string or a Date, depending on the driver. */
  sentAt: string | Date;
  /** False for a placeholder filled in, or a history message completed (its status and counts were already there). */
  isNew: boolean;
  history: boolean;
}

/** A message whose row changed, and its conversation (for the change notice). */
export interface ChangedMessage {
  id: number;
  wamid: string | null;
  /** Set for messages written here (lib/inbox/message-id.ts names them by our id). */
  clientId: string | null;
  conversationId: number;
}

type ChangedRow = { id: string | number; wamid: string | null; client_id: string | null; conversation_id: string | number };
type InsertedRow = {
  id: string | number;
  wamid: string;
  conversation_id: string | number;
  direction: string;
  type: string;
  sent_at: string | Date;
  is_new: boolean;
  history: boolean;
};
const inserted = (r: InsertedRow): InsertedMessage => ({
  id: Number(r.id),
  wamid: r.wamid,
  conversationId: Number(r.conversation_id),
  direction: r.direction,
  type: r.type,
  sentAt: r.sent_at,
  isNew: r.is_new,
  history: r.history === true,
});
const changed = (r: ChangedRow): ChangedMessage => ({
  id: Number(r.id),
  wamid: r.wamid,
  clientId: r.client_id,
  conversationId: Number(r.conversation_id),
});
const byWamid = <T extends { wamid: string }>(rows: T[]) => [...rows].sort((a, b) => (a.wamid < b.wamid ? -1 : 1));

/**
 * New messages are inserted; a wamid seen before is left alone, unless all we had was a placeholder
 * made from its statuses: then the message fills it in and keeps the status it already reached.
 */
export async function insertMessages(tx: Executor, messages: MessageInsert[]): Promise<InsertedMessage[]> {
  if (messages.length === 0) return [];
  const rows = byWamid(messages).map((m) => ({
    wamid: m.wamid,
    conversation_id: m.conversationId,
    direction: m.direction,
    type: m.type,
    subtype: m.subtype,
    text: m.text,
    sent_at: m.sentAt.toISOString(),
    reply_to_wamid: m.replyToWamid,
    forwarded: m.forwarded,
    frequently_forwarded: m.frequentlyForwarded,
    media: m.media,
    target_wamid: m.targetWamid,
    status: m.status,
    status_rank: m.statusRank,
    history: m.history,
    errors: m.errors,
    content: m.content,
    raw: m.raw,
    event_id: m.eventId,
  }));
  const result = await queryRows<InsertedRow>(
    tx,
    sql`
    insert into messages (wamid, conversation_id, direction, type, subtype, text, sent_at, reply_to_wamid, forwarded,
      frequently_forwarded, media, target_wamid, status, status_rank, history, errors, content, raw, event_id)
    select wamid, conversation_id, direction, type, subtype, text, sent_at, reply_to_wamid, forwarded,
      frequently_forwarded, media, target_wamid, status, status_rank, history, errors, content, raw, event_id
    from jsonb_to_recordset(${jsonb(rows)}) as x(wamid text, conversation_id bigint, direction text, type text, subtype text,
      text text, sent_at timestamptz, reply_to_wamid text, forwarded boolean, frequently_forwarded boolean, media jsonb,
      target_wamid text, status text, status_rank smallint, history boolean, errors jsonb, content jsonb, raw jsonb,
      event_id bigint)
    on conflict (wamid) do update set
      direction = excluded.direction, type = excluded.type, subtype = excluded.subtype, text = excluded.text,
      sent_at = excluded.sent_at, reply_to_wamid = excluded.reply_to_wamid, forwarded = excluded.forwarded,
      frequently_forwarded = excluded.frequently_forwarded, media = excluded.media, target_wamid = excluded.target_wamid,
      errors = case when messages.status = 'failed' then messages.errors else excluded.errors end,
      content = excluded.content, raw = excluded.raw, event_id = excluded.event_id, placeholder = false
    -- A placeholder gets its message; a history media message first shared without its media id (Meta sends the
    -- ids of recent media in later chunks) gets the one that has it.
    where messages.placeholder
      or (messages.history and excluded.history and messages.media ->> 'id' is null and excluded.media ->> 'id' is not null)
    returning id, wamid, conversation_id, direction, type, sent_at, (xmax = 0) as is_new, history`,
  );
  return result.map(inserted);
}

/** A status for a message we never saw (sent by another system) still deserves a line in the thread. */
export async function insertPlaceholders(
  tx: Executor,
  placeholders: { wamid: string; conversationId: number; sentAt: string }[],
): Promise<InsertedMessage[]> {
  if (placeholders.length === 0) return [];
  const rows = byWamid(placeholders).map((p) => ({ wamid: p.wamid, conversation_id: p.conversationId, sent_at: p.sentAt }));
  const result = await queryRows<InsertedRow>(
    tx,
    sql`
    insert into messages (wamid, conversation_id, direction, type, sent_at, status, placeholder)
    select wamid, conversation_id, 'outbound', 'placeholder', sent_at, 'pending', true
    from jsonb_to_recordset(${jsonb(rows)}) as x(wamid text, conversation_id bigint, sent_at timestamptz)
    on conflict (wamid) do nothing
    returning id, wamid, conversation_id, direction, type, sent_at, true as is_new`,
  );
  return result.map(inserted);
}

/**
 * Sets each message's current status to the furthest one in its history, never moving backwards.
 * Derived from status_events rather than from one batch alone, so a status that arrived before its
 * message (with no recipient to make a placeholder for) still applies when the message lands.
 * `deliveryOrder` is the order statuses move a message in (lib/whatsapp/status.ts); rank = 1-based position.
 */
export async function reconcileStatuses(tx: Executor, wamids: string[], deliveryOrder: readonly string[]): Promise<ChangedMessage[]> {
  if (wamids.length === 0) return [];
  const wamidList = keyArray([...wamids].sort());
  const rows = await queryRows<ChangedRow>(
    tx,
    sql`
    update messages m set status = s.status, status_rank = s.rank, status_at = s.occurred_at,
      errors = case when s.status = 'failed' then s.errors else m.errors end
    from (
      select distinct on (wamid) wamid, status, occurred_at, errors, ${statusRank(sql`status`, deliveryOrder)} as rank
      from status_events
      where wamid = any(${wamidList}) and ${statusRank(sql`status`, deliveryOrder)} is not null
      order by wamid, rank desc, occurred_at
    ) s
    -- The messages by index as well: joined alone, they were planned as a scan of every message on a young
    -- database (bench:live under load).
    where m.wamid = any(${wamidList}) and m.wamid = s.wamid and s.rank > m.status_rank
    returning m.id, m.wamid, m.client_id, m.conversation_id`,
  );
  return rows.map(changed);
}

/**
 * An edit replaces the text of its original (the original's raw JSON and the edit rows keep the history);
 * a revoke marks it deleted. Either may arrive before the original: `targets` are the originals that just
 * landed and those a new edit or revoke points at.
 */
export async function applyEditsAndRevokes(tx: Executor, targets: string[]): Promise<ChangedMessage[]> {
  if (targets.length === 0) return [];
  // An index condition on the partial target index; `in (select …)` was planned as a scan of every message,
  // once per batch.
  const targetList = keyArray([...targets].sort());
  // Most batches have neither: one look saves them both updates.
  const kinds = await queryRows<{ type: string }>(
    tx,
    sql`select distinct type from messages where target_wamid = any(${targetList}) and type in ('edit', 'revoke')`,
  );
  const has = (type: string) => kinds.some((k) => k.type === type);
  const edited = !has('edit')
    ? []
    : await queryRows<ChangedRow>(
        tx,
        sql`
    update messages o set text = e.text, edited_at = e.sent_at
    from (
      select distinct on (target_wamid) target_wamid, text, sent_at from messages
      where type = 'edit' and target_wamid = any(${targetList})
      order by target_wamid, sent_at desc, id desc
    ) e
    where o.wamid = e.target_wamid and o.type <> 'edit' and (o.edited_at is null or o.edited_at < e.sent_at)
    returning o.id, o.wamid, o.client_id, o.conversation_id`,
      );
  const revoked = !has('revoke')
    ? []
    : await queryRows<ChangedRow>(
        tx,
        sql`
    update messages o set deleted_at = r.sent_at
    from (
      select distinct on (target_wamid) target_wamid, sent_at from messages
      where type = 'revoke' and target_wamid = any(${targetList})
      order by target_wamid, sent_at
    ) r
    where o.wamid = r.target_wamid and o.type <> 'revoke' and o.deleted_at is null
    returning o.id, o.wamid, o.client_id, o.conversation_id`,
      );
  return [...edited, ...revoked].map(changed);
}

/** Messages stored before they had content (migration 0007): the next `limit` of them, in id order. */
export async function messagesWithoutContent(db: Executor, afterId: number, limit: number): Promise<{ id: number; raw: unknown }[]> {
  const rows = await queryRows<{ id: string | number; raw: unknown }>(
    db,
    sql`select id, raw from messages where id > ${afterId} and content is null and raw is not null order by id limit ${limit}`,
  );
  return rows.map((r) => ({ id: Number(r.id), raw: r.raw }));
}

/** Fills in content where there is none yet (another instance may be filling the same rows). */
export async function setMissingContent(db: Executor, contents: { id: number; content: unknown }[]): Promise<void> {
  if (contents.length === 0) return;
  await db.execute(sql`
    update messages m set content = x.content
    from jsonb_to_recordset(${jsonb(contents)}) as x(id bigint, content jsonb)
    where m.id = x.id and m.content is null`);
}

/**
 * Status webhooks that carry our id (biz_opaque_callback_data) name the messages written here that still
 * lack their wamid: Meta has them. They leave the outbox (its unknown outcome, if any, is settled), and a
 * placeholder made for the wamid earlier gives way.
 */
export async function nameOutboundMessages(tx: Executor, names: { id: number; wamid: string }[]): Promise<ChangedMessage[]> {
  if (names.length === 0) return [];
  const pairs = jsonb([...names].sort((a, b) => a.id - b.id));
  const ours = sql`select x.id, x.wamid from jsonb_to_recordset(${pairs}) as x(id bigint, wamid text)
    join messages m on m.id = x.id and m.client_id is not null and m.wamid is null`;
  const gone = await queryRows<{ id: string | number; conversation_id: string | number; ours: string | number }>(
    tx,
    sql`delete from messages d using (${ours}) o where d.wamid = o.wamid and d.placeholder returning d.id, d.conversation_id, o.id as ours`,
  );
  for (const g of gone) {
    await tx.execute(sql`
      update conversations set last_message_id = ${Number(g.ours)} where id = ${Number(g.conversation_id)} and last_message_id = ${Number(g.id)}`);
  }
  const rows = await queryRows<ChangedRow>(
    tx,
    sql`update messages m set wamid = o.wamid, outbox_state = null, next_send_at = null from (${ours}) o where m.id = o.id
        returning m.id, m.wamid, m.client_id, m.conversation_id`,
  );
  const named = rows.map(changed);
  // Out of the outbox: the next message of each of their conversations may go.
  await advanceQueues(
    tx,
    named.map((m) => m.conversationId),
  );
  return named;
}
