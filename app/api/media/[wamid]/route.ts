import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getMedia } from '@/lib/media/media-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request, { params }: { params: Promise<{ wamid: string }> }) => {
  const { access, mediaStorage } = await getApp();
  const { wamid } = await params;
  return getMedia(req, { ...access, storage: mediaStorage }, wamid);
});
