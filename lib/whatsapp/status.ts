// A message's current status only moves forward. Meta delivers statuses at least once and out of order:
// a late "sent" must never overwrite "read". `failed` is final: it keeps its errors whatever comes after.

export const RECEIVED = 'received';
export const PENDING = 'pending';

/**
 * Statuses that move a message, in order (a message's status_rank is its 1-based position here;
 * received and pending are 0). Anything else Meta reports ("deleted", "warning") is history only.
 */
export const DELIVERY_ORDER = ['sent', 'delivered', 'read', 'failed'] as const;
