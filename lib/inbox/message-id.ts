import type { MessageRef } from '@/db/queries/messages';

// How the API names a message. A message has our own id (a number) and, once Meta names it, a wamid.
// Integrators have always known messages from webhooks by their wamid, so that stays their id; a message
// written here (it has a clientId) is known by our id from the moment it is written, and keeps it after
// Meta names it. GET /api/messages/{id} and the other routes that take a message accept either.

export interface MessageIdentity {
  id: number;
  wamid: string | null;
  /** Set for a message written here (the outbox). */
  clientId?: string | null;
}

/** The `id` the read API, the live notices and media URLs give a message. */
export function publicMessageId(m: MessageIdentity): string {
  if (m.clientId) return String(m.id);
  return m.wamid ?? String(m.id);
}

/**
 * What a message id in a URL or body refers to: all digits is our id, anything else a wamid (Meta's
 * start with "wamid."). Null for what no message can be called (too long, NUL, an id out of range).
 */
export function parseMessageRef(value: string): MessageRef | null {
  if (/^[1-9]\d{0,15}$/.test(value)) {
    const id = Number(value);
    return Number.isSafeInteger(id) ? { id } : null;
  }
  if (value.length === 0 || value.length > 512 || value.includes('\0')) return null;
  return { wamid: value };
}
