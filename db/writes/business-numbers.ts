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
  await tx.execute(sql`
    insert into business_numbers (phone_number_id, display_phone_number, waba_id)
    select phone_number_id, display_phone_number, waba_id
    from jsonb_to_recordset(${jsonb(rows)}) as x(phone_number_id text, display_phone_number text, waba_id text)
    on conflict (phone_number_id) do update set
      display_phone_number = coalesce(excluded.display_phone_number, business_numbers.display_phone_number),
      waba_id = coalesce(excluded.waba_id, business_numbers.waba_id),
      updated_at = now()
    where (excluded.display_phone_number is not null and excluded.display_phone_number is distinct from business_numbers.display_phone_number)
       or (excluded.waba_id is not null and excluded.waba_id is distinct from business_numbers.waba_id)`);
}
