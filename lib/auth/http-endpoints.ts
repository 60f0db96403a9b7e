import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware } from 'better-auth/api';
import { arrivedOverHttps } from './client-address';

// What of better-auth the web answers. Its router serves every endpoint of every plugin (the admin
// plugin alone: set-role, impersonate-user, remove-user, ...), and those know nothing of our rules
// (our roles, the last admin). People are managed through /api/admin/users; over HTTP better-auth
// only signs in and out. The server still calls auth.api.* directly: that does not pass the router.

export const AUTH_BASE_PATH = '/api/auth';

/** Method and path (under /api/auth) of every endpoint the app uses over HTTP; everything else is 404. */
export const HTTP_ENDPOINTS: ReadonlySet<string> = new Set(['POST /sign-in/email', 'POST /sign-out', 'GET /get-session']);

export function isServedOverHttp(method: string, pathname: string): boolean {
  if (!pathname.startsWith(`${AUTH_BASE_PATH}/`)) return false;
  return HTTP_ENDPOINTS.has(`${method.toUpperCase()} ${pathname.slice(AUTH_BASE_PATH.length)}`);
}

/** Adds Secure to a Set-Cookie line that lacks it. */
export function withSecure(setCookie: string): string {
  return /;\s*secure\s*(;|$)/i.test(setCookie) ? setCookie : `${setCookie}; Secure`;
}

export function httpEndpoints(options: { trustedProxyHops: number }) {
  // useSecureCookies is fixed when better-auth starts (from APP_URL); a request that came over https
  // gets Secure cookies whatever APP_URL says. Same names: better-auth reads them by name.
  const secureOverHttps = createAuthMiddleware(async (ctx) => {
    const headers = ctx.context.responseHeaders;
    const cookies = headers?.getSetCookie() ?? [];
    if (!headers || cookies.length === 0 || !arrivedOverHttps(ctx.request?.url, ctx.headers, options.trustedProxyHops)) return;
    headers.delete('set-cookie');
    for (const cookie of cookies) headers.append('set-cookie', withSecure(cookie));
  });

  return {
    id: 'ticks-http-endpoints',
    async onRequest(request) {
      if (isServedOverHttp(request.method, new URL(request.url).pathname)) return;
      return { response: new Response(null, { status: 404 }) };
    },
    hooks: { after: [{ matcher: () => true, handler: secureOverHttps }] },
  } satisfies BetterAuthPlugin;
}
