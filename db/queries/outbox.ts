import { sql } from 'drizzle-orm';
import { jsonb, keyArray, queryRows, type Executor } from '../client';
import type { ActivityActor, ActivityDetails } from '@/lib/contracts/activity';

// The outbox: messages written here wait in `messages` itself (outbox_state = 'queued') until the sender
// (lib/outbox/sender.ts) has Meta's answer. A message is committed before any request is made; the sender
// leases it, makes exactly one request per attempt, and records what happened.
//
// Order: within a conversation only the oldest queued message (its head) has a `next_send_at`; the others
// wait with none, and the head's end (sent, failed, unconfirmed) makes the next one due. So messages leave
// in the order they were written, one at a time, and claiming reads due heads only, however long the queue.
// Everything that changes which message is a conversation's head first locks the conversation's row
// (lockConversation): a message queued and a head ending at the same moment cannot miss each other.

/** A message to write: what it says and who wrote it. */
export interface OutboundInsert {
  conversationId: number;
  clientId: string;
  type: string;
  subtype: string | null;
  text: string | null;
  content: unknown;
  media: unknown;
  replyToWamid: string | null;
  targetWamid: string | null;
  sentByUserId: string | null;
  sentByApiKeyId: number | null;
  sentByName: string;
}

/**
 * Holds the conversation's row until commit: who is next in its queue is decided one at a time. The
 * window's start comes with the lock (null: no such conversation), so a message being written needs no
 * read of its own before it (lib/outbox/outbox-api.ts).
 */
export async function lockConversation(tx: Executor, conversationId: number): Promise<{ lastInboundAt: Date | null } | null> {
  const [row] = await queryRows<{ last_inbound_at: string | Date | null }>(
    tx,
    sql`select last_inbound_at from conversations where id = ${conversationId} for update`,
  );
  if (!row) return null;
  return { lastInboundAt: row.last_inbound_at === null ? null : new Date(row.last_inbound_at) };
}

/** What a posted message writes besides itself, in the same statement (queueOutboundMessage). */
export interface OutboundWrites {
  /**
   * The service window's length: the message is written only while the customer's last message is younger
   * (null: whatever the window, as for a template).
   */
  windowMs: number | null;
  /** Who wrote it: the conversation's trail says `message_sent` by them. */
  actor: ActivityActor;
  /** A change notice as lib/realtime/changes.ts encodes it; its `messages` become the new message's id. */
  notice: { channel: string; payload: string };
  /** Our copy of the file it sends, in the media table like a downloaded one (Meta's id comes with the upload). */
  file: { kind: string; mimeType: string; filename: string | null; storageKey: string; size: number } | null;
}

/**
 * Queues a message (due at once when nothing else of its conversation is queued), makes it the
 * conversation's newest, and writes its trail entry, its file and its change notice: one statement, so a
 * post is one round trip with its lock and its commit (lib/outbox/outbox-api.ts, bench:send). Null when
 * nothing was written: its clientId was used before, the conversation is not there, or the window is
 * closed. Run after lockConversation, in the same transaction (its snapshot then sees what the lock waited for).
 */
export async function queueOutboundMessage(tx: Executor, m: OutboundInsert, also: OutboundWrites): Promise<{ id: number } | null> {
  const { actor } = also;
  // The new message's id goes in as the database makes it: as the API names a message written here (publicMessageId).
  const details = { type: m.type } satisfies Omit<ActivityDetails['message_sent'], 'messageId'>;
  const files = also.file === null ? [] : [also.file];
  const [row] = await queryRows<{ id: string | number }>(
    tx,
    sql`with ins as (
          insert into messages (conversation_id, direction, type, subtype, text, sent_at, status, content, media, reply_to_wamid,
            target_wamid, client_id, sent_by_user_id, sent_by_api_key_id, sent_by_name, outbox_state, next_send_at)
          -- A select rather than values, so that a conversation that is not there (or whose window is closed)
          -- gets nothing (the where); each parameter is cast, as a select list would take it for text.
          select ${m.conversationId}::bigint, 'outbound', ${m.type}::text, ${m.subtype}::text, ${m.text}::text, now(), 'pending',
            ${jsonb(m.content)}, ${m.media === null ? sql`null::jsonb` : jsonb(m.media)}, ${m.replyToWamid}::text, ${m.targetWamid}::text,
            ${m.clientId}::text, ${m.sentByUserId}::text, ${m.sentByApiKeyId}::bigint, ${m.sentByName}::text, 'queued',
            case when exists (select 1 from messages q where q.conversation_id = ${m.conversationId} and q.outbox_state = 'queued')
              then null else now() end
          where exists (select 1 from conversations v where v.id = ${m.conversationId}
            and (${also.windowMs}::float8 is null or v.last_inbound_at + ${also.windowMs}::float8 * interval '1 millisecond' > now()))
          on conflict (client_id) do nothing
          returning id, sent_at),
        -- Our message is the conversation's newest now; it adds nothing unread and never extends the window.
        bumped as (
          update conversations c set last_message_at = ins.sent_at, last_message_id = ins.id
          from ins where c.id = ${m.conversationId}
            and (c.last_message_at is null or (ins.sent_at, ins.id) > (c.last_message_at, c.last_message_id))),
        trail as (
          insert into conversation_activity (conversation_id, actor_kind, actor_user_id, actor_name, action, details)
          select ${m.conversationId}::bigint, ${actor.kind}::text, ${actor.kind === 'user' ? actor.userId : null}::text,
            ${actor.name}::text, 'message_sent', jsonb_set(${jsonb(details)}, '{messageId}', to_jsonb(ins.id::text))
          from ins),
        file as (
          insert into media_items (message_id, media_id, kind, mime_type, filename, state, storage_key, size, downloaded_at)
          select ins.id, null, f.kind, f."mimeType", f.filename, 'downloaded', f."storageKey", f.size, now()
          from ins, jsonb_to_recordset(${jsonb(files)}) as f(kind text, "mimeType" text, filename text, "storageKey" text, size bigint))
        -- Delivered at commit, and not at all when nothing was written.
        select id, pg_notify(${also.notice.channel}::text, jsonb_set(${also.notice.payload}::jsonb, '{messages}', jsonb_build_array(id::text))::text)
        from ins`,
  );
  return row ? { id: Number(row.id) } : null;
}

/**
 * After heads ended (sent, failed, unconfirmed, or named by a status webhook): the conversations' rows
 * locked in id order, then each one's oldest queued message due.
 */
export async function advanceQueues(tx: Executor, conversationIds: number[]): Promise<void> {
  if (conversationIds.length === 0) return;
  // Lists of keys as index conditions (keyArray): generic plans made while the tables were small scanned them.
  const ids = keyArray(
    [...new Set(conversationIds)].sort((a, b) => a - b),
    'bigint',
  );
  // Sent together: the connection runs the update once the locks are held, and neither answer is needed
  // before the other (so a caller may send its commit along: commitNow).
  await Promise.all([
    tx.execute(sql`select id from conversations where id = any(${ids}) order by id for update`),
    tx.execute(sql`
    update messages m set next_send_at = now()
    where m.id = any(array(
        select distinct on (conversation_id) id from messages
        where outbox_state = 'queued' and conversation_id = any(${ids})
        order by conversation_id, id))
      and m.next_send_at is null`),
  ]);
}

/** A message due to be sent, with everything a request needs. */
export interface ClaimedSend {
  id: number;
  conversationId: number;
  clientId: string | null;
  wamid: string | null;
  type: string;
  content: unknown;
  replyToWamid: string | null;
  targetWamid: string | null;
  /** Requests started for it, this one included. */
  attempts: number;
  /** The last holder's lease ran out: it died mid-attempt, and Meta may have the message already. */
  interrupted: boolean;
  phoneNumberId: string;
  recipientWaId: string | null;
  recipientUserId: string | null;
  /** An attached file: our copy, and Meta's id once uploaded. */
  media: {
    /** image, video, audio, document or sticker: a media message's type, or a template header's. */
    kind: string;
    storageKey: string;
    mimeType: string | null;
    filename: string | null;
    mediaId: string | null;
    size: number | null;
  } | null;
}

type ClaimedRow = {
  id: string | number;
  conversation_id: string | number;
  client_id: string | null;
  wamid: string | null;
  type: string;
  content: unknown;
  reply_to_wamid: string | null;
  target_wamid: string | null;
  send_attempts: string | number;
  interrupted: boolean;
  phone_number_id: string;
  wa_id: string | null;
  user_id: string | null;
  storage_key: string | null;
  kind: string | null;
  mime_type: string | null;
  filename: string | null;
  media_id: string | null;
  size: string | number | null;
};

/**
 * Leases up to `limit` due messages, each the oldest still queued in its conversation (so at most one per
 * conversation is ever in flight), skipping rows another instance is claiming.
 */
export async function claimDueSends(db: Executor, { limit, leaseMs }: { limit: number; leaseMs: number }): Promise<ClaimedSend[]> {
  const rows = await queryRows<ClaimedRow>(
    db,
    sql`with due as (
          -- Only heads have a next_send_at (see the top of this file). A lease that ran out is due again.
          select p.id, p.send_lease_until is not null as interrupted from messages p
          where p.outbox_state = 'queued' and p.next_send_at <= now()
          order by p.next_send_at, p.id
          limit ${limit}
          for update of p skip locked),
        claimed as (
          -- Out of the due range while leased: the next claim does not even pass over it.
          update messages m set send_lease_until = now() + ${`${Math.round(leaseMs)} milliseconds`}::interval,
            next_send_at = now() + ${`${Math.round(leaseMs)} milliseconds`}::interval,
            send_attempts = m.send_attempts + 1
          from due where m.id = due.id
          returning m.id, due.interrupted, m.conversation_id, m.client_id, m.wamid, m.type, m.content, m.reply_to_wamid,
            m.target_wamid, m.send_attempts)
        select c.*, v.phone_number_id, k.wa_id, k.user_id, f.storage_key, f.kind, f.mime_type, f.filename, f.media_id, f.size
        from claimed c
        join conversations v on v.id = c.conversation_id
        join contacts k on k.id = v.contact_id
        left join media_items f on f.message_id = c.id
        order by c.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    conversationId: Number(r.conversation_id),
    clientId: r.client_id,
    wamid: r.wamid,
    type: r.type,
    content: r.content,
    replyToWamid: r.reply_to_wamid,
    targetWamid: r.target_wamid,
    attempts: Number(r.send_attempts),
    interrupted: r.interrupted,
    phoneNumberId: r.phone_number_id,
    recipientWaId: r.wa_id,
    recipientUserId: r.user_id,
    media:
      r.storage_key === null
        ? null
        : {
            kind: r.kind ?? r.type,
            storageKey: r.storage_key,
            mimeType: r.mime_type,
            filename: r.filename,
            mediaId: r.media_id,
            size: r.size === null ? null : Number(r.size),
          },
  }));
}

/**
 * When each business number may make its next `count` requests: the first of `count` slots `intervalMs`
 * apart, shared by every instance, so a number never goes over its messages-per-second. One statement for
 * all the numbers of a claim; rows taken in the numbers' order, so two instances never wait on each other
 * in a circle.
 */
export async function reserveSendSlots(
  db: Executor,
  requests: { phoneNumberId: string; count: number }[],
  intervalMs: number,
): Promise<Map<string, Date>> {
  if (requests.length === 0) return new Map();
  const rows = requests.map((r) => ({ n: r.phoneNumberId, ms: intervalMs * r.count }));
  // The span to add comes in as the row to insert's next_slot_at (now() + span), which is all an update
  // can see of it; the first slot is the new next_slot_at less that span.
  const reserved = await queryRows<{ phone_number_id: string; next_slot_at: string | Date }>(
    db,
    sql`insert into send_pacing (phone_number_id, next_slot_at)
        select x.n, now() + x.ms * interval '1 millisecond' from jsonb_to_recordset(${jsonb(rows)}) as x(n text, ms float8)
        order by x.n
        on conflict (phone_number_id) do update
          set next_slot_at = greatest(send_pacing.next_slot_at, now()) + (excluded.next_slot_at - now())
        returning phone_number_id, next_slot_at`,
  );
  const spanOf = new Map(rows.map((r) => [r.n, r.ms]));
  return new Map(reserved.map((r) => [r.phone_number_id, new Date(new Date(r.next_slot_at).getTime() - spanOf.get(r.phone_number_id)!)]));
}

/** Meta's media id for an attached file, once uploaded (kept in the content too, as inbound media has it). */
export async function setOutboundMediaId(db: Executor, messageId: number, mediaId: string): Promise<void> {
  await db.execute(sql`update media_items set media_id = ${mediaId} where message_id = ${messageId}`);
  // A media message's file, or a template's header file.
  await db.execute(sql`
    update messages set content = case
        when jsonb_typeof(content -> 'media') = 'object' then jsonb_set(content, '{media,id}', to_jsonb(${mediaId}::text))
        when jsonb_typeof(content #> '{header,media}') = 'object' then jsonb_set(content, '{header,media,id}', to_jsonb(${mediaId}::text))
        else content end
    where id = ${messageId}`);
}

/**
 * Meta accepted them: each its wamid, one grey tick (unless a status webhook already moved it further),
 * out of the outbox, in one statement. Returns the ids accepted; a message left out is one whose wamid a
 * placeholder holds already (statuses came first): then nameOutboundMessages (db/writes/messages.ts, as for
 * a status webhook that names it) and markAccepted.
 */
export async function acceptSends(tx: Executor, sends: { id: number; wamid: string }[], sentRank: number): Promise<number[]> {
  if (sends.length === 0) return [];
  const rows = await queryRows<{ id: string | number }>(
    tx,
    // The messages by their ids (keyArray), each its wamid from an object keyed by id: joined to a list of
    // rows instead, a generic plan made while the table was small scanned every message, for every group
    // of answers from then on (bench:send: 560 pages read each time; tests/integration/generic-plans.test.ts).
    sql`with answer as (select ${jsonb(Object.fromEntries(sends.map((s) => [s.id, s.wamid])))} as wamid_of)
        update messages m set wamid = a.wamid_of ->> m.id::text, outbox_state = null, send_lease_until = null, next_send_at = null,
          status = case when m.status_rank < ${sentRank} then 'sent' else m.status end,
          status_rank = greatest(m.status_rank, ${sentRank}),
          status_at = case when m.status_rank < ${sentRank} then now() else m.status_at end
        from answer a
        where m.id = any(${keyArray(
          sends.map((s) => s.id),
          'bigint',
        )}) and (m.wamid is null or m.wamid = a.wamid_of ->> m.id::text)
          and not exists (select 1 from messages o where o.wamid = a.wamid_of ->> m.id::text and o.id <> m.id)
        returning m.id`,
  );
  return rows.map((r) => Number(r.id));
}

/** Meta accepted it: one grey tick (unless a status webhook already moved it further), out of the outbox. */
export async function markAccepted(tx: Executor, messageId: number, sentRank: number): Promise<void> {
  await tx.execute(sql`
    update messages set outbox_state = null, send_lease_until = null, next_send_at = null,
      status = case when status_rank < ${sentRank} then 'sent' else status end,
      status_rank = greatest(status_rank, ${sentRank}),
      status_at = case when status_rank < ${sentRank} then now() else status_at end
    where id = ${messageId}`);
}

/** Meta refused it for good (or retries ran out): failed, with Meta's error, out of the outbox. */
export async function markSendFailed(db: Executor, messageId: number, errors: unknown[], failedRank: number): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`update messages set outbox_state = null, send_lease_until = null, next_send_at = null, status = 'failed', status_rank = ${failedRank},
          status_at = now(), errors = ${jsonb(errors)}
        where id = ${messageId} and outbox_state = 'queued' returning conversation_id`,
  );
  return row ? Number(row.conversation_id) : null;
}

/**
 * The request may or may not have reached Meta (a timeout, a lost connection, a sender that died): never
 * resent by itself. An agent chooses to retry; a status webhook carrying our id settles it.
 */
export async function markUnconfirmed(db: Executor, messageId: number, errors: unknown[]): Promise<number | null> {
  // A status webhook may have settled it meanwhile (status_rank > 0): then it only leaves the outbox.
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`update messages set outbox_state = null, send_lease_until = null, next_send_at = null,
          status = case when status_rank = 0 then 'unconfirmed' else status end,
          status_at = case when status_rank = 0 then now() else status_at end,
          errors = case when status_rank = 0 then ${jsonb(errors)} else errors end
        where id = ${messageId} and outbox_state = 'queued' returning conversation_id`,
  );
  return row ? Number(row.conversation_id) : null;
}

/** A retryable failure: queued again after `delayMs`, lease given up, the error kept for the thread to show. */
export async function scheduleResend(db: Executor, messageId: number, delayMs: number, errors: unknown[]): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`update messages set send_lease_until = null, next_send_at = now() + ${`${Math.round(delayMs)} milliseconds`}::interval,
          errors = ${jsonb(errors)}
        where id = ${messageId} and outbox_state = 'queued' returning conversation_id`,
  );
  return row ? Number(row.conversation_id) : null;
}

/** Not sent after all (the sender stopped before its request): due again at once, the attempt not counted. */
export async function releaseSend(db: Executor, messageId: number): Promise<void> {
  await db.execute(sql`
    update messages set send_lease_until = null, next_send_at = now(), send_attempts = greatest(send_attempts - 1, 0)
    where id = ${messageId} and outbox_state = 'queued'`);
}

/**
 * An agent's retry of a message written here that failed or may not have been sent: queued again as new.
 * Returns its conversation, or null when the message is not one that can be retried.
 */
export async function requeueSend(db: Executor, messageId: number): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`update messages m set status = 'pending', status_rank = 0, status_at = null, errors = '[]'::jsonb, wamid = null,
          outbox_state = 'queued', send_attempts = 0, send_lease_until = null,
          -- Behind what is queued already: it goes out when its turn comes.
          next_send_at = case when exists (select 1 from messages q where q.conversation_id = m.conversation_id and q.outbox_state = 'queued')
            then null else now() end
        where id = ${messageId} and client_id is not null and status in ('failed', 'unconfirmed')
        returning conversation_id`,
  );
  return row ? Number(row.conversation_id) : null;
}
