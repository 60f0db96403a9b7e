import { getApp } from '@/lib/app';
import { withTransportSecurity } from '@/lib/http/transport-security';

// better-auth's endpoints: sign-in, sign-out, session (nothing else is served: lib/auth/http-endpoints.ts).
// Public by nature; better-auth checks the Origin of every mutation, and every sign-in attempt is
// counted per address and per account before its password is checked (lib/auth/sign-in-throttle.ts).

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  const { auth } = await getApp();
  return withTransportSecurity(await auth.handler(req));
}

export { handle as GET, handle as POST };
