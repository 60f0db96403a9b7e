import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';
import { loginPathFor } from '@/lib/auth/next-path';
import { withTransportSecurity } from '@/lib/http/transport-security';

// In front of every page, and of an API path only to refuse one Next could not decode (see `config`):
// 400, not Next's bare 500. For pages:
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
  if (pathname.startsWith('/api/')) return NextResponse.next();
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
  // Pages. API routes answer 401/403 themselves and need no CSP, and with a proxy in the way Next copies
  // every request into a second Request and buffers its body (cut at 10 MB, proxyClientMaxBodySize, where
  // uploads stream up to 100 MB). Without it, bench:send went from 168–172 to 196–197 messages/s. So an API
  // path comes here only when it holds a percent sign, to be refused if it does not decode.
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt).*)', '/(api/.*%.*)'],
};
