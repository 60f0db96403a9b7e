import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';
import { loginPathFor } from '@/lib/auth/next-path';
import { env } from '@/lib/env';

// In front of every page and API route but the webhook. For API routes it only refuses a path Next
// could not decode (400, not Next's bare 500); route handlers answer 401/403 themselves. For pages:
// 1. A browser without a session cookie goes to /login?next=<where it was>. This is only the
//    fast path; layouts and handlers still check the session itself (the cookie may be stale).
// 2. A Content-Security-Policy with a fresh nonce, so only our own scripts run even if some
//    message text ever slipped into the page as HTML.

const PUBLIC_PAGES = new Set(['/login']);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (!decodesCleanly(pathname)) {
    // Next would fail decoding the route parameter with a bare 500: this is the caller's mistake.
    return NextResponse.json(
      { error: { code: 'invalid_request', message: 'Malformed percent-encoding in the URL path.' } },
      { status: 400 },
    );
  }
  // API routes answer 401/403 themselves, and need no CSP.
  if (pathname.startsWith('/api/')) return withTransportSecurity(NextResponse.next());
  if (!PUBLIC_PAGES.has(pathname) && !getSessionCookie(request, { cookiePrefix: 'ticks' })) {
    return withTransportSecurity(NextResponse.redirect(new URL(loginPathFor(pathname + search), request.url)));
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  // Where the browser was, for the layout's redirect to /login when the session turns out stale.
  requestHeaders.set('x-ticks-path', pathname + search);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return withTransportSecurity(response);
}

/**
 * Strict-Transport-Security when the inbox is served over https (APP_URL says so): browsers then never
 * speak plain http to it again, so a session cookie cannot be caught on the way. Not without APP_URL:
 * a local http install must stay reachable.
 */
function withTransportSecurity(response: NextResponse): NextResponse {
  if (env().APP_URL?.startsWith('https://')) response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  return response;
}

function decodesCleanly(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // React needs eval only in development, for its error overlays.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Inline style attributes (React's style prop) are harmless compared with scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const config = {
  // Not the webhook: it takes no path parameters, and Meta's traffic should not pay for this. Not uploads:
  // with a proxy in the way Next buffers a request body, and cuts it at 10 MB (proxyClientMaxBodySize);
  // the route streams files of up to 100 MB and checks its callers itself.
  matcher: ['/((?!api/webhook|api/uploads|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)'],
};
