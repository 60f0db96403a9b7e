import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { postMediaRetry } from '@/lib/media/media-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApiErrors(async (req: Request, { params }: { params: Promise<{ wamid: string }> }) => {
  const { access, media } = await getApp();
  const { wamid } = await params;
  return postMediaRetry(req, { ...access, media }, wamid);
});
