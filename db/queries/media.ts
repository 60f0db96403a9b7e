import { eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { mediaItems, messages, type MediaItemRow } from '../schema';
import type { MessageRef } from './messages';

// The media download queue (media_items). Claiming takes a lease instead of holding a transaction open
// for the length of a download: a crashed instance's lease runs out and the item is due again.

export interface ClaimedMedia {
  messageId: number;
  /** The message's wamid (null for a file an agent attached, before Meta names the message). */
  wamid: string | null;
  mediaId: string;
  kind: string;
  attempts: number;
}

/** Leases up to `limit` due items (oldest due first), skipping those another instance is claiming. */
export async function claimDueMedia(db: Executor, { limit, leaseMs }: { limit: number; leaseMs: number }): Promise<ClaimedMedia[]> {
  const rows = await queryRows<{ message_id: string | number; wamid: string | null; media_id: string; kind: string; attempts: number }>(
    db,
    sql`update media_items m set lease_until = now() + ${`${Math.round(leaseMs)} milliseconds`}::interval, attempts = m.attempts + 1
        where m.message_id in (
          select message_id from media_items
          where state = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
          order by next_attempt_at, message_id limit ${limit}
          for update skip locked)
        returning m.message_id, (select wamid from messages x where x.id = m.message_id) as wamid, m.media_id, m.kind, m.attempts`,
  );
  return rows.map((r) => ({
    messageId: Number(r.message_id),
    wamid: r.wamid,
    mediaId: r.media_id,
    kind: r.kind,
    attempts: Number(r.attempts),
  }));
}

/** Stored: the item points at its bytes. Returns the message's conversation, for the change notice. */
export async function markMediaDownloaded(
  db: Executor,
  messageId: number,
  file: { storageKey: string; size: number; mimeType: string | null },
): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with done as (
          update media_items set state = 'downloaded', storage_key = ${file.storageKey}, size = ${file.size},
            mime_type = coalesce(${file.mimeType}, mime_type), lease_until = null, failure_reason = null, last_error = null,
            downloaded_at = now()
          where message_id = ${messageId}
          returning message_id)
        select conversation_id from messages where id in (select message_id from done)`,
  );
  return row ? Number(row.conversation_id) : null;
}

/** A failed attempt: due again after `retryInMs`, or failed for good (`retryInMs` null). */
export async function recordMediaFailure(
  db: Executor,
  messageId: number,
  failure: { reason: string; error: string; retryInMs: number | null },
): Promise<number | null> {
  const final = failure.retryInMs === null;
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with failed as (
          update media_items set lease_until = null, failure_reason = ${failure.reason}, last_error = ${failure.error.slice(0, 1000)},
            state = ${final ? 'failed' : 'pending'},
            next_attempt_at = now() + ${`${Math.round(failure.retryInMs ?? 0)} milliseconds`}::interval
          where message_id = ${messageId} and state = 'pending'
          returning message_id)
        select conversation_id from messages where id in (select message_id from failed)`,
  );
  return row ? Number(row.conversation_id) : null;
}

/**
 * An admin's retry of a failed download: pending again with one attempt left, so its outcome shows
 * at once rather than after a backoff schedule. Returns the conversation, or null when nothing to retry.
 */
export async function requeueMedia(db: Executor, messageId: number, attempts: number): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with again as (
          update media_items set state = 'pending', attempts = ${attempts}, next_attempt_at = now(), lease_until = null
          where message_id = ${messageId} and state = 'failed'
          returning message_id)
        select conversation_id from messages where id in (select message_id from again)`,
  );
  return row ? Number(row.conversation_id) : null;
}

/** A message's media file, found by the message's id or wamid, with the message's wamid. */
export async function getMediaItem(
  db: Executor,
  ref: MessageRef,
): Promise<(MediaItemRow & { wamid: string | null; clientId: string | null }) | null> {
  const [row] = await db
    .select({ item: mediaItems, wamid: messages.wamid, clientId: messages.clientId })
    .from(mediaItems)
    .innerJoin(messages, eq(messages.id, mediaItems.messageId))
    .where('id' in ref ? eq(messages.id, ref.id) : eq(messages.wamid, ref.wamid));
  return row ? { ...row.item, wamid: row.wamid, clientId: row.clientId } : null;
}

export interface MediaState {
  state: 'pending' | 'downloaded' | 'failed';
  failureReason: string | null;
  /** ISO time it failed for good (state failed). */
  failedAt: string | null;
  size: number | null;
  mimeType: string | null;
  /** Attempts started so far (an admin's retry sets it back to one short of the limit). */
  attempts: number;
  /** An attempt holds its lease now. */
  downloading: boolean;
}

/** The download state of each of these messages' media (for the thread). */
export async function getMediaStates(db: Executor, messageIds: number[]): Promise<Map<number, MediaState>> {
  if (messageIds.length === 0) return new Map();
  const rows = await queryRows<{
    message_id: string | number;
    state: MediaState['state'];
    failure_reason: string | null;
    failed_at: string | Date | null;
    size: string | number | null;
    mime_type: string | null;
    attempts: string | number;
    downloading: boolean;
  }>(
    db,
    // A final failure sets next_attempt_at to the moment it failed (recordMediaFailure).
    sql`select message_id, state, failure_reason, case when state = 'failed' then next_attempt_at end as failed_at, size, mime_type, attempts,
          coalesce(state = 'pending' and lease_until > now(), false) as downloading
        from media_items
        where message_id in (select jsonb_array_elements_text(${JSON.stringify(messageIds)}::jsonb)::bigint)`,
  );
  return new Map(
    rows.map((r) => [
      Number(r.message_id),
      {
        state: r.state,
        failureReason: r.failure_reason,
        failedAt: r.failed_at === null ? null : new Date(r.failed_at).toISOString(),
        size: r.size === null ? null : Number(r.size),
        mimeType: r.mime_type,
        attempts: Number(r.attempts),
        downloading: r.downloading,
      },
    ]),
  );
}

/** Files waiting to be downloaded, and those whose download failed for good. */
export async function getMediaBacklog(db: Executor): Promise<{ pending: number; failed: number }> {
  const [row] = await queryRows<{ pending: string | number; failed: string | number }>(
    db,
    sql`select (select count(*) from media_items where state = 'pending') as pending,
               (select count(*) from media_items where state = 'failed') as failed`,
  );
  return { pending: Number(row!.pending), failed: Number(row!.failed) };
}
