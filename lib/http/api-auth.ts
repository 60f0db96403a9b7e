import { safeEqual } from '@/lib/safe-equal';
import { ApiError } from './errors';

// Who may call the API. Today: integrators holding INBOX_API_KEY. Browser sessions come later and
// belong here too, so every route keeps calling this one function.

export interface ApiAuthConfig {
  /** INBOX_API_KEY; unset → the API refuses everyone (fail closed). */
  apiKey: string | undefined;
}

export type ApiPrincipal = { kind: 'api-key' };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Resolves to who is calling, or throws a 401 ApiError. */
export async function authorizeApiRequest(req: Request, config: ApiAuthConfig): Promise<ApiPrincipal> {
  if (!config.apiKey) throw new ApiError(401, 'unauthorized', 'The API is disabled: INBOX_API_KEY is not set.');
  const given = BEARER.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!given || !safeEqual(given, config.apiKey)) {
    throw new ApiError(401, 'unauthorized', 'Missing or invalid API key (Authorization: Bearer <INBOX_API_KEY>).');
  }
  return { kind: 'api-key' };
}
