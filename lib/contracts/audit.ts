import { z } from 'zod';
import { limitSchema } from '@/lib/http/query-params';

// GET /api/admin/audit: who changed which user, role, API key or setting, and when. Client-safe.

export const apiAuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string().nullable(), name: z.string() }),
  action: z.string().meta({ description: 'e.g. user.created, user.role_changed, user.deactivated, api_key.created, api_key.revoked.' }),
  target: z.object({
    kind: z.string().meta({ description: 'user, api-key, settings...' }),
    id: z.string().nullable(),
    name: z.string().nullable().meta({ description: 'As it was named then.' }),
  }),
  details: z.record(z.string(), z.unknown()).meta({ description: 'What changed (never a password or a key).' }),
});
export type ApiAuditEntry = z.infer<typeof apiAuditEntrySchema>;

export const getAuditResponseSchema = z.object({
  entries: z.array(apiAuditEntrySchema).meta({ description: 'Newest first.' }),
  nextCursor: z.string().nullable(),
});
export type GetAuditResponse = z.infer<typeof getAuditResponseSchema>;

export const auditQuerySchema = z.object({
  limit: limitSchema,
  before: z.string().max(2000, 'malformed cursor').optional(),
});
