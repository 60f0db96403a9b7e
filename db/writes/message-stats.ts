import { sql } from 'drizzle-orm';
import { jsonb, type Executor } from '../client';

export interface MessageCount {
  /** The UTC hour, as an ISO time. */
  hour: string;
  phoneNumberId: string;
  direction: string;
  type: string;
  count: number;
}

/** Adds to message_stats_hourly: messages really added, per UTC hour, number, direction and type. */
export async function addMessageStats(tx: Executor, counts: MessageCount[]): Promise<void> {
  if (counts.length === 0) return;
  const rows = counts.map((c) => ({
    hour: c.hour,
    phone_number_id: c.phoneNumberId,
    direction: c.direction,
    type: c.type,
    count: c.count,
  }));
  await tx.execute(sql`
    insert into message_stats_hourly (hour, phone_number_id, direction, type, count)
    select hour, phone_number_id, direction, type, count
    from jsonb_to_recordset(${jsonb(rows)}) as x(hour timestamptz, phone_number_id text, direction text, type text, count bigint)
    on conflict (hour, phone_number_id, direction, type) do update set count = message_stats_hourly.count + excluded.count`);
}
