// What changed, as sent over Postgres NOTIFY (PGlite has the same) for the live UI.
// NOTIFY payloads must stay under 8000 bytes: a large batch sends what fits and says it is partial,
// and listeners then refresh wholesale.

import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';

export const CHANGES_CHANNEL = 'ticks_changes';
const MAX_PAYLOAD = 7000;

export interface ChangeNotice {
  conversations: number[];
  messages: string[];
  /** True when the lists were cut short: refresh everything. */
  partial: boolean;
}

export function encodeChange(changes: { conversationIds: number[]; wamids: string[] }): string {
  const notice: ChangeNotice = { conversations: changes.conversationIds, messages: changes.wamids, partial: false };
  let payload = JSON.stringify(notice);
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD) return payload;
  notice.partial = true;
  notice.messages = [];
  payload = JSON.stringify(notice);
  while (Buffer.byteLength(payload) > MAX_PAYLOAD && notice.conversations.length > 0) {
    notice.conversations = notice.conversations.slice(0, Math.floor(notice.conversations.length / 2));
    payload = JSON.stringify(notice);
  }
  return payload;
}

/** NOTIFYs the change inside `tx`: delivered when it commits, to every listening instance. */
export async function notifyChanges(tx: Pick<Db, 'execute'>, changes: { conversationIds: number[]; wamids: string[] }): Promise<void> {
  if (changes.conversationIds.length === 0 && changes.wamids.length === 0) return;
  await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${encodeChange(changes)})`);
}

export function decodeChange(payload: string): ChangeNotice | null {
  try {
    const v = JSON.parse(payload) as Partial<ChangeNotice>;
    return { conversations: v.conversations ?? [], messages: v.messages ?? [], partial: !!v.partial };
  } catch {
    return null;
  }
}
