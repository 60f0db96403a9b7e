import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getConversationMessages } from '@/lib/inbox/read-api';

export type { GetConversationMessagesResponse } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { access, media } = await getApp();
  const { id } = await params;
  return getConversationMessages(req, { ...access, mediaDownloads: media.enabled }, id);
});
