import { loginPathFor } from '@/lib/auth/next-path';

// The browser's side of the API's one error shape: `{ error: { code, message } }` becomes an
// Error whose message is fit to show. Used as SWR's fetcher and for mutations.

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let signingOut = false;

/** Signing out on purpose: requests failing with 401 meanwhile must not redirect on their own. */
export function markSigningOut(): void {
  signingOut = true;
}

/** /login, coming back to this page afterwards. */
export function loginUrl(): string {
  return loginPathFor(window.location.pathname + window.location.search);
}

export async function fetchJson<T>(url: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiRequestError(0, 'Cannot reach the server. Check your connection.');
  }
  if (res.status === 401 && typeof window !== 'undefined' && !url.startsWith('/api/auth') && !signingOut) {
    // The session ended (signed out elsewhere, or deactivated): back to sign-in, then here.
    window.location.assign(loginUrl());
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message ?? `The server answered ${res.status}.`;
    throw new ApiRequestError(res.status, typeof message === 'string' ? message : `The server answered ${res.status}.`);
  }
  return body as T;
}

export const swrFetcher = <T>(url: string) => fetchJson<T>(url);
