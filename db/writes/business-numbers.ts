import { sql } from 'drizzle-orm';
import { jsonb, type Executor } from '../client';

export interface BusinessNumberSighting {
  phoneNumberId: string;
  /** Null when the item did not say: what is stored stays. */
  displayPhoneNumber: string | null;
  wabaId: string | null;
}

/** Makes sure every number exists, learning its display number and account; rows only change when something is new. */
export async function upsertBusinessNumbers(tx: Executor, numbers: BusinessNumberSighting[]): Promise<void> {
  if (numbers.length === 0) return;
  const rows = numbers
    .map((n) => ({ phone_number_id: n.phoneNumberId, display_phone_number: n.displayPhoneNumber, waba_id: n.wabaId }))
    .sort((a, b) => (a.phone_number_id < b.phone_number_id ? -1 : 1));
  // Not ON CONFLICT DO UPDATE: that locks the existing row even when nothing changes, and every batch names
  // the same few numbers, so concurrent batches (two instances, or two batches in flight) would queue here.
  // The update locks only rows that really change.
  await tx.execute(sql`
    with x as (
      select * from jsonb_to_recordset(${jsonb(rows)}) as x(phone_number_id text, display_phone_number text, waba_id text)
    ), added as (
      insert into business_numbers (phone_number_id, display_phone_number, waba_id)
      select phone_number_id, display_phone_number, waba_id from x
      where not exists (select 1 from business_numbers b where b.phone_number_id = x.phone_number_id)
      on conflict (phone_number_id) do nothing
    )
    update business_numbers b set
      display_phone_number = coalesce(x.display_phone_number, b.display_phone_number),
      waba_id = coalesce(x.waba_id, b.waba_id),
      updated_at = now()
    from x
    where b.phone_number_id = x.phone_number_id
      and ((x.display_phone_number is not null and x.display_phone_number is distinct from b.display_phone_number)
        or (x.waba_id is not null and x.waba_id is distinct from b.waba_id))`);
}
