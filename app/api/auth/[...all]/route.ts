import { getApp } from '@/lib/app';
import { handleAuthRequest } from '@/lib/auth/sign-in-throttle';

// better-auth's endpoints: sign-in, sign-out, session. Public by nature; better-auth checks the
// Origin of every mutation and limits sign-in per address, and we limit failures per account.

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  const { auth, database } = await getApp();
  return handleAuthRequest(req, auth, database.db);
}

export { handle as GET, handle as POST };
