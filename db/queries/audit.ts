import { desc, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { auditLog } from '../schema';
import { cursorTimestamp } from '../client';

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

export type AuditRecord = typeof auditLog.$inferSelect & { sortAt: string };

/** The audit, newest first, `limit` entries before `before` (cursorTimestamp of `at`, id). */
export async function listAudit(
  db: Executor,
  options: { limit: number; before?: { at: string; id: number } },
): Promise<{ rows: AuditRecord[]; hasMore: boolean }> {
  const { before } = options;
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      sortAt: cursorTimestamp<string>(auditLog.at),
      actorUserId: auditLog.actorUserId,
      actorName: auditLog.actorName,
      action: auditLog.action,
      targetKind: auditLog.targetKind,
      targetId: auditLog.targetId,
      targetName: auditLog.targetName,
      details: auditLog.details,
    })
    .from(auditLog)
    .where(before && sql`(${auditLog.at}, ${auditLog.id}) < (${before.at}::timestamptz, ${before.id})`)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
