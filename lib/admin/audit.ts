import type { Executor } from '@/db/client';
import { recordAudit, type AuditEntry } from '@/db/queries/audit';
import type { Principal } from '@/lib/auth/access';
import type { z } from 'zod';
import type { updateUserSchema } from '@/lib/contracts/admin';

// What the admin routes write to the audit: one entry per thing that changed, naming the target as it was
// named. Never a password or a key: a reset says only that it happened.

const actorOf = (me: Principal): AuditEntry['actor'] =>
  me.kind === 'user' ? { userId: me.userId, name: me.name } : { userId: null, name: me.name };

interface UserBefore {
  id: string;
  name: string;
  email: string;
  role: string | null;
  banned: boolean | null;
}

export async function auditUserCreated(db: Executor, me: Principal, user: { id: string; name: string; email: string; role: string }) {
  await recordAudit(db, {
    actor: actorOf(me),
    action: 'user.created',
    target: { kind: 'user', id: user.id, name: user.name },
    details: { email: user.email, role: user.role },
  });
}

/** The changes a PATCH made to `before`, each its own entry (nothing for what was already so). */
export async function auditUserChanged(db: Executor, me: Principal, before: UserBefore, change: z.infer<typeof updateUserSchema>) {
  const target = { kind: 'user', id: before.id, name: before.name };
  const entries: Omit<AuditEntry, 'actor' | 'target'>[] = [];
  if (change.name !== undefined && change.name !== before.name) {
    entries.push({ action: 'user.renamed', details: { from: before.name, to: change.name } });
  }
  if (change.role !== undefined && change.role !== before.role) {
    entries.push({ action: 'user.role_changed', details: { from: before.role, to: change.role } });
  }
  if (change.password !== undefined) entries.push({ action: 'user.password_reset' });
  const wasActive = before.banned !== true;
  if (change.active !== undefined && change.active !== wasActive) {
    entries.push({ action: change.active ? 'user.reactivated' : 'user.deactivated' });
  }
  for (const entry of entries) await recordAudit(db, { actor: actorOf(me), target, ...entry });
}

export async function auditApiKey(
  db: Executor,
  me: Principal,
  action: 'api_key.created' | 'api_key.revoked',
  key: { id: number; name: string | null },
) {
  await recordAudit(db, { actor: actorOf(me), action, target: { kind: 'api-key', id: String(key.id), name: key.name } });
}
