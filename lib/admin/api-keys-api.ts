import { z } from 'zod';
import { assertSameOrigin, authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyListRow } from '@/lib/auth/api-keys';
import { jsonResponse, notFound } from '@/lib/http/errors';
import { readJsonBody } from '@/lib/http/json-body';
import { notifyAccessEnded } from '@/lib/realtime/changes';

// /api/admin/api-keys: admins create keys for integrations (the key is in the response once,
// never again) and revoke them (a revoked key gets 401 from its next request on, and its open event
// streams end at once, on every instance).

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface GetApiKeysResponse {
  apiKeys: ApiKeySummary[];
}
export interface CreateApiKeyResponse {
  apiKey: ApiKeySummary;
  /** The whole key. Shown this once. */
  key: string;
}

export const createApiKeySchema = z.object({ name: z.string().trim().min(1, 'is required').max(100) });

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

export async function getApiKeys(req: Request, deps: AccessDeps): Promise<Response> {
  await authorizeRequest(req, deps, 'admin');
  const body: GetApiKeysResponse = { apiKeys: (await listApiKeys(deps.db)).map(toSummary) };
  return jsonResponse(body);
}

export async function postApiKey(req: Request, deps: AccessDeps): Promise<Response> {
  assertSameOrigin(req);
  const me = await authorizeRequest(req, deps, 'admin');
  const { name } = createApiKeySchema.parse(await readJsonBody(req));
  const created = await createApiKey(deps.db, name, me.kind === 'user' ? me.userId : null);
  const body: CreateApiKeyResponse = {
    key: created.key,
    apiKey: toSummary({ ...created, createdBy: me.kind === 'user' ? me.email : null, lastUsedAt: null, revokedAt: null }),
  };
  return jsonResponse(body, { status: 201 });
}

export async function deleteApiKey(req: Request, deps: AccessDeps, id: string): Promise<Response> {
  assertSameOrigin(req);
  await authorizeRequest(req, deps, 'admin');
  if (!/^\d{1,15}$/.test(id)) throw notFound('API key not found');
  const keyId = Number(id);
  // The notice commits with the revocation: no stream hears of it before it is true.
  const revoked = await deps.db.transaction(async (tx) => {
    if (!(await revokeApiKey(tx, keyId))) return false;
    await notifyAccessEnded(tx, { apiKeys: [keyId] });
    return true;
  });
  if (!revoked) throw notFound('API key not found');
  return jsonResponse({ revoked: true });
}
