// A message's current status only moves forward. Meta delivers statuses at least once and out of order:
// a late "sent" must never overwrite "read". `failed` is final: it keeps its errors whatever comes after.

export const RECEIVED = 'received';
export const PENDING = 'pending';

/** Statuses that move a message, in order; anything else Meta reports ("deleted", "warning") is history only. */
export const DELIVERY_ORDER = ['sent', 'delivered', 'read', 'failed'] as const;

/** 1-based rank of a delivery status, or null for statuses that do not move a message. Received/pending are 0. */
export function statusRank(status: string): number | null {
  const i = (DELIVERY_ORDER as readonly string[]).indexOf(status);
  return i === -1 ? null : i + 1;
}
