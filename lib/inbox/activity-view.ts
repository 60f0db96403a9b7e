import type { ActivityRecord } from '@/db/queries/activity';
import type { ApiActivityEntry } from '@/lib/contracts/activity';

/** A trail entry as the API shows it. */
export function toApiActivityEntry(row: ActivityRecord): ApiActivityEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: { kind: row.actorKind, id: row.actorUserId, name: row.actorName },
    action: row.action as ApiActivityEntry['action'],
    body: row.body,
    details: (row.details ?? {}) as Record<string, unknown>,
  };
}
