import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyListRow } from '@/lib/auth/api-keys';
import {
  apiKeyParamsSchema,
  createApiKeyResponseSchema,
  createApiKeySchema,
  deleteApiKeyResponseSchema,
  getApiKeysResponseSchema,
  type ApiKeySummary,
  type CreateApiKeyResponse,
  type GetApiKeysResponse,
} from '@/lib/contracts/admin';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { findApiKey } from '@/db/queries/api-keys';
import { notifyAccessEnded } from '@/lib/realtime/changes';
import { auditApiKey } from './audit';

// /api/admin/api-keys: admins create keys for integrations (the key is in the response once,
// never again) and revoke them (a revoked key gets 401 from its next request on, and its open event
// streams end at once, on every instance).

export type { ApiKeySummary, CreateApiKeyResponse, GetApiKeysResponse } from '@/lib/contracts/admin';
export { createApiKeySchema } from '@/lib/contracts/admin';

const accessDeps = (app: App): AccessDeps => app.access;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toSummary = (row: ApiKeyListRow): ApiKeySummary => ({
  id: String(row.id),
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  lastUsedAt: iso(row.lastUsedAt),
  revokedAt: iso(row.revokedAt),
});

export const getApiKeys = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/api-keys',
    access: 'admin',
    summary: 'API keys, without the keys themselves.',
    deps: accessDeps,
    response: getApiKeysResponseSchema,
  },
  async ({ deps }): Promise<GetApiKeysResponse> => ({ apiKeys: (await listApiKeys(deps.db)).map(toSummary) }),
);

export const postApiKey = defineRoute(
  {
    method: 'POST',
    path: '/api/admin/api-keys',
    access: 'admin',
    summary: 'Creates an API key: the whole key is in this answer and never again.',
    deps: accessDeps,
    body: createApiKeySchema,
    response: createApiKeyResponseSchema,
    status: 201,
  },
  async ({ deps, principal: me, body: { name } }): Promise<CreateApiKeyResponse> => {
    const created = await createApiKey(deps.db, name, me.kind === 'user' ? me.userId : null);
    await auditApiKey(deps.db, me, 'api_key.created', created);
    return {
      key: created.key,
      apiKey: toSummary({ ...created, createdBy: me.kind === 'user' ? me.email : null, lastUsedAt: null, revokedAt: null }),
    };
  },
);

export const deleteApiKey = defineRoute(
  {
    method: 'DELETE',
    path: '/api/admin/api-keys/{id}',
    access: 'admin',
    summary: 'Revokes an API key: its next request gets 401 and its open event streams end.',
    deps: accessDeps,
    params: apiKeyParamsSchema,
    response: deleteApiKeyResponseSchema,
  },
  async ({ deps, principal: me, params: { id } }) => {
    if (!/^\d{1,15}$/.test(id)) throw notFound('API key not found');
    const keyId = Number(id);
    // The notice commits with the revocation: no stream hears of it before it is true.
    const revoked = await deps.db.transaction(async (tx) => {
      const key = await findApiKey(tx, keyId);
      if (!(await revokeApiKey(tx, keyId))) return false;
      if (key && key.revokedAt === null) await auditApiKey(tx, me, 'api_key.revoked', key);
      await notifyAccessEnded(tx, { apiKeys: [keyId] });
      return true;
    });
    if (!revoked) throw notFound('API key not found');
    return { revoked: true as const };
  },
);
