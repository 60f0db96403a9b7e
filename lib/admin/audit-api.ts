import { z } from 'zod';
import { listAudit, type AuditRecord } from '@/db/queries/audit';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { auditQuerySchema, getAuditResponseSchema, type ApiAuditEntry, type GetAuditResponse } from '@/lib/contracts/audit';
import { cursorIdSchema, cursorTimestampSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { defineRoute } from '@/lib/http/route';

// GET /api/admin/audit: the admin audit (db/queries/audit.ts), newest first, for admins only.

export type { ApiAuditEntry, GetAuditResponse } from '@/lib/contracts/audit';

const auditCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);

const toApiAuditEntry = (row: AuditRecord): ApiAuditEntry => ({
  id: String(row.id),
  at: row.at.toISOString(),
  actor: { id: row.actorUserId, name: row.actorName },
  action: row.action,
  target: { kind: row.targetKind, id: row.targetId, name: row.targetName },
  details: (row.details ?? {}) as Record<string, unknown>,
});

export const getAudit = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/audit',
    access: 'admin',
    summary: 'Who changed which user, role, API key or setting, and when: newest first; `before` pages back.',
    deps: (app: App): AccessDeps => app.access,
    query: auditQuerySchema,
    response: getAuditResponseSchema,
  },
  async ({ deps, query }): Promise<GetAuditResponse> => {
    const before = query.before === undefined ? undefined : decodeCursor('before', query.before, auditCursorSchema);
    const { rows, hasMore } = await listAudit(deps.db, { limit: query.limit, before: before && { at: before[0], id: Number(before[1]) } });
    const oldest = rows.at(-1);
    return {
      entries: rows.map(toApiAuditEntry),
      nextCursor: hasMore && oldest ? encodeCursor([oldest.sortAt, String(oldest.id)]) : null,
    };
  },
);
