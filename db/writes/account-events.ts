import { sql } from 'drizzle-orm';
import { jsonb, type Executor } from '../client';

export interface AccountEventInsert {
  /** The same content from the same place at the same time: one event (lib/whatsapp/store.ts computes it). */
  dedupeKey: string;
  eventId: number;
  wabaId: string | null;
  phoneNumberId: string | null;
  field: string;
  eventType: string | null;
  occurredAt: Date | null;
  payload: unknown;
}

/** Stores account events; one already stored under its dedupe key is skipped. */
export async function insertAccountEvents(tx: Executor, events: AccountEventInsert[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    dedupe_key: e.dedupeKey,
    event_id: e.eventId,
    waba_id: e.wabaId,
    phone_number_id: e.phoneNumberId,
    field: e.field,
    event_type: e.eventType,
    occurred_at: e.occurredAt?.toISOString() ?? null,
    payload: e.payload,
  }));
  await tx.execute(sql`
    insert into account_events (dedupe_key, event_id, waba_id, phone_number_id, field, event_type, occurred_at, payload)
    select dedupe_key, event_id, waba_id, phone_number_id, field, event_type, occurred_at, payload
    from jsonb_to_recordset(${jsonb(rows)}) as x(dedupe_key text, event_id bigint, waba_id text, phone_number_id text,
      field text, event_type text, occurred_at timestamptz, payload jsonb)
    on conflict (dedupe_key) do nothing`);
}
