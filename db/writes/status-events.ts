import { sql } from 'drizzle-orm';
import { jsonb, type Executor } from '../client';

export interface StatusEventInsert {
  wamid: string;
  status: string;
  occurredAt: Date;
  recipientId: string | null;
  recipientUserId: string | null;
  errors: unknown;
  pricing: unknown;
  conversation: unknown;
  raw: unknown;
  eventId: number;
  phoneNumberId: string;
  /** Meta's error code fit for an integer column, or null. */
  errorCode: number | null;
}

export interface StatusOrder {
  /** Statuses that move a message, in order (lib/whatsapp/status.ts). */
  delivery: readonly string[];
  /** Statuses that mean the customer has seen (or heard) the message: the funnel's "read". */
  read: readonly string[];
}

/**
 * Appends to the status history, and adds what was really new (not a replay) to the hourly delivery
 * counts and the per-message delivery times, in the same statement.
 */
export async function insertStatusEvents(tx: Executor, statuses: StatusEventInsert[], order: StatusOrder): Promise<void> {
  if (statuses.length === 0) return;
  const rows = statuses.map((s) => ({
    wamid: s.wamid,
    status: s.status,
    occurred_at: s.occurredAt.toISOString(),
    recipient_id: s.recipientId,
    recipient_user_id: s.recipientUserId,
    errors: s.errors,
    pricing: s.pricing,
    conversation: s.conversation,
    raw: s.raw,
    event_id: s.eventId,
    phone_number_id: s.phoneNumberId,
    error_code: s.errorCode,
  }));
  const delivery = sql.raw(order.delivery.map((s) => `'${s}'`).join(','));
  // A played voice message was heard, so it was read: the funnel counts whichever came first.
  const read = sql.raw(order.read.map((s) => `'${s}'`).join(','));
  await tx.execute(sql`
    with inserted as (
      insert into status_events (wamid, status, occurred_at, recipient_id, recipient_user_id, errors, pricing, conversation, raw,
        event_id, phone_number_id, error_code)
      select wamid, status, occurred_at, recipient_id, recipient_user_id, errors, pricing, conversation, raw, event_id,
        phone_number_id, error_code
      from jsonb_to_recordset(${jsonb(rows)}) as x(wamid text, status text, occurred_at timestamptz, recipient_id text,
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
