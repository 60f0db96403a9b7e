import { getApp } from '@/lib/app';

// better-auth's endpoints: sign-in, sign-out, session. Public by nature; better-auth checks the
// Origin of every mutation and rate-limits sign-in.

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  const { auth } = await getApp();
  return auth.handler(req);
}

export { handle as GET, handle as POST };
