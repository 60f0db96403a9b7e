// A message's current status only moves forward. Meta delivers statuses at least once and out of order:
// a late "sent" must never overwrite "read". `failed` is terminal: it keeps its errors whatever comes after.

export const RECEIVED = 'received';
export const PENDING = 'pending';

const rankByStatus: Record<string, number> = {
  received: 0,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

/** The rank of a status, or null for statuses that do not move a message (e.g. "deleted", "warning"). */
export function statusRank(status: string): number | null {
  return Object.hasOwn(rankByStatus, status) && status !== RECEIVED && status !== PENDING ? rankByStatus[status]! : null;
}

export function isForward(from: string, to: string): boolean {
  const a = rankByStatus[from] ?? 0;
  const b = statusRank(to);
  return b !== null && b > a;
}
