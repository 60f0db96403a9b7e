import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { postConversationRead } from '@/lib/inbox/read-api';

export type { PostConversationReadResponse } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApiErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { access } = await getApp();
  const { id } = await params;
  return postConversationRead(req, access, id);
});
