// A message's current status only moves forward. Meta delivers statuses at least once and out of order:
// a late "sent" must never overwrite "read". `failed` is final: it keeps its errors whatever comes after.
//
// Meta's statuses webhook reports: sent, delivered, read, failed, and played (a voice message was played;
// it comes after read, or instead of it). Older and rarer values ("deleted", "warning") and any value
// Meta adds later are kept in the status history (status_events) and never move the tick.

import type { DeliveryStatus } from './types';

export const RECEIVED = 'received';
export const PENDING = 'pending';

/**
 * Statuses that move a message, in order (a message's status_rank is its 1-based position here;
 * received and pending are 0). Inserting a value renumbers what follows: a migration must move the
 * stored ranks with it (0005 did for played, moving failed from 4 to 5).
 */
export const DELIVERY_ORDER = ['sent', 'delivered', 'read', 'played', 'failed'] as const satisfies readonly DeliveryStatus[];

/** Statuses that mean the customer has seen (or heard) the message: the funnel's "read". */
export const READ_STATUSES = ['read', 'played'] as const satisfies readonly DeliveryStatus[];

/** A status's place in DELIVERY_ORDER (1-based); 0 for a value that does not move a message. */
export function deliveryRank(status: string): number {
  return (DELIVERY_ORDER as readonly string[]).indexOf(status) + 1;
}
