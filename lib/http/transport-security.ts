import { env } from '@/lib/env';

/**
 * Strict-Transport-Security when the inbox is served over https (APP_URL says so): browsers then never
 * speak plain http to it again, so a session cookie cannot be caught on the way. Not without APP_URL:
 * a local http install must stay reachable. Pages get it in proxy.ts, API answers where they are made
 * (serve.ts, the auth route): the proxy stays off /api (why: its `config` in proxy.ts).
 */
export function withTransportSecurity<R extends Response>(response: R): R {
  if (!servedOverHttps()) return response;
  try {
    response.headers.set(HSTS_HEADER, HSTS);
    return response;
  } catch {
    // Immutable headers (a Response.redirect or a fetched answer): the same answer with a copy of them.
    const copy = new Response(response.body, response);
    copy.headers.set(HSTS_HEADER, HSTS);
    return copy as R;
  }
}

const HSTS_HEADER = 'strict-transport-security';
const HSTS = 'max-age=31536000; includeSubDomains';

function servedOverHttps(): boolean {
  try {
    return env().APP_URL?.startsWith('https://') ?? false;
  } catch {
    return false; // an invalid configuration: the answer being sent says so (a 503), this header need not
  }
}
