import type { Executor } from '../client';
import { auditLog } from '../schema';

// The admin audit: changes to people, roles, API keys and inbox settings, with who made them. Written in
// the transaction of the change it records; never the secrets themselves (no keys, no passwords).

export interface AuditEntry {
  actor: { userId: string | null; name: string };
  /** e.g. user.created, user.role_changed, user.deactivated, api_key.created, api_key.revoked, settings.changed. */
  action: string;
  target: { kind: string; id: string | null; name: string | null };
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: entry.actor.userId,
    actorName: entry.actor.name,
    action: entry.action,
    targetKind: entry.target.kind,
    targetId: entry.target.id,
    targetName: entry.target.name,
    details: entry.details ?? {},
  });
}
