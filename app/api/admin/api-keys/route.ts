import { getApp } from '@/lib/app';
import { getApiKeys, postApiKey } from '@/lib/admin/api-keys-api';
import { withApiErrors } from '@/lib/http/errors';

export type { CreateApiKeyResponse, GetApiKeysResponse } from '@/lib/admin/api-keys-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getApiKeys(req, (await getApp()).access));
export const POST = withApiErrors(async (req: Request) => postApiKey(req, (await getApp()).access));
