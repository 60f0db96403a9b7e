import { eq, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';
import { mediaItems, type MediaItemRow } from '../schema';

// The media download queue (media_items). Claiming takes a lease instead of holding a transaction open
// for the length of a download: a crashed instance's lease runs out and the item is due again.

export interface ClaimedMedia {
  wamid: string;
  mediaId: string;
  kind: string;
  attempts: number;
}

/** Leases up to `limit` due items (oldest due first), skipping those another instance is claiming. */
export async function claimDueMedia(db: Executor, { limit, leaseMs }: { limit: number; leaseMs: number }): Promise<ClaimedMedia[]> {
  const rows = await queryRows<{ wamid: string; media_id: string; kind: string; attempts: number }>(
    db,
    sql`update media_items m set lease_until = now() + ${`${Math.round(leaseMs)} milliseconds`}::interval, attempts = m.attempts + 1
        where m.wamid in (
          select wamid from media_items
          where state = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
          order by next_attempt_at, wamid limit ${limit}
          for update skip locked)
        returning m.wamid, m.media_id, m.kind, m.attempts`,
  );
  return rows.map((r) => ({ wamid: r.wamid, mediaId: r.media_id, kind: r.kind, attempts: Number(r.attempts) }));
}

/** Stored: the item points at its bytes. Returns the message's conversation, for the change notice. */
export async function markMediaDownloaded(
  db: Executor,
  wamid: string,
  file: { storageKey: string; size: number; mimeType: string | null },
): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with done as (
          update media_items set state = 'downloaded', storage_key = ${file.storageKey}, size = ${file.size},
            mime_type = coalesce(${file.mimeType}, mime_type), lease_until = null, failure_reason = null, last_error = null,
            downloaded_at = now()
          where wamid = ${wamid}
          returning wamid)
        select conversation_id from messages where wamid in (select wamid from done)`,
  );
  return row ? Number(row.conversation_id) : null;
}

/** A failed attempt: due again after `retryInMs`, or failed for good (`retryInMs` null). */
export async function recordMediaFailure(
  db: Executor,
  wamid: string,
  failure: { reason: string; error: string; retryInMs: number | null },
): Promise<number | null> {
  const final = failure.retryInMs === null;
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with failed as (
          update media_items set lease_until = null, failure_reason = ${failure.reason}, last_error = ${failure.error.slice(0, 1000)},
            state = ${final ? 'failed' : 'pending'},
            next_attempt_at = now() + ${`${Math.round(failure.retryInMs ?? 0)} milliseconds`}::interval
          where wamid = ${wamid} and state = 'pending'
          returning wamid)
        select conversation_id from messages where wamid in (select wamid from failed)`,
  );
  return row ? Number(row.conversation_id) : null;
}

/**
 * An admin's retry of a failed download: pending again with one attempt left, so its outcome shows
 * at once rather than after a backoff schedule. Returns the conversation, or null when nothing to retry.
 */
export async function requeueMedia(db: Executor, wamid: string, attempts: number): Promise<number | null> {
  const [row] = await queryRows<{ conversation_id: string | number }>(
    db,
    sql`with again as (
          update media_items set state = 'pending', attempts = ${attempts}, next_attempt_at = now(), lease_until = null
          where wamid = ${wamid} and state = 'failed'
          returning wamid)
        select conversation_id from messages where wamid in (select wamid from again)`,
  );
  return row ? Number(row.conversation_id) : null;
}

export async function getMediaItem(db: Executor, wamid: string): Promise<MediaItemRow | null> {
  const [row] = await db.select().from(mediaItems).where(eq(mediaItems.wamid, wamid));
  return row ?? null;
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
export async function getMediaStates(db: Executor, wamids: string[]): Promise<Map<string, MediaState>> {
  if (wamids.length === 0) return new Map();
  const rows = await queryRows<{
    wamid: string;
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
    sql`select wamid, state, failure_reason, case when state = 'failed' then next_attempt_at end as failed_at, size, mime_type, attempts,
          coalesce(state = 'pending' and lease_until > now(), false) as downloading
        from media_items
        where wamid in (select jsonb_array_elements_text(${JSON.stringify(wamids)}::jsonb))`,
  );
  return new Map(
    rows.map((r) => [
      r.wamid,
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
