import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../client';

// What read receipts and the typing indicator need of a conversation (lib/customer-signals/).

export interface ConversationForSignals {
  phoneNumberId: string;
  /** Meta's timestamp of the customer's latest message (the 24-hour window runs from it). */
  lastInboundAt: Date | null;
  /** The newest message from the customer that Meta named (a wamid to mark read or type to); null if none. */
  newestInbound: { id: number; wamid: string } | null;
}

/** A conversation's number, window and newest inbound message (by Meta's time, along messages_thread_idx); null when it does not exist. */
export async function getConversationForSignals(db: Executor, conversationId: number): Promise<ConversationForSignals | null> {
  const [row] = await queryRows<{
    phone_number_id: string;
    last_inbound_at: Date | string | null;
    message_id: string | number | null;
    wamid: string | null;
  }>(
    db,
    sql`select c.phone_number_id, c.last_inbound_at, m.id as message_id, m.wamid
        from conversations c
        left join lateral (
          select id, wamid from messages
          where conversation_id = c.id and direction = 'inbound' and wamid is not null and not placeholder
            and type not in ('system', 'edit', 'revoke', 'reaction')
          order by sent_at desc, id desc
          limit 1) m on true
        where c.id = ${conversationId}`,
  );
  if (!row) return null;
  return {
    phoneNumberId: row.phone_number_id,
    lastInboundAt: row.last_inbound_at === null ? null : new Date(row.last_inbound_at),
    newestInbound: row.message_id === null || row.wamid === null ? null : { id: Number(row.message_id), wamid: row.wamid },
  };
}
