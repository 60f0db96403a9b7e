import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getMessage } from '@/lib/inbox/read-api';

export type { GetMessageResponse } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// Next decodes the segment once: `wamid.HBg...%3D%3D` arrives here as `wamid.HBg...==`.
export const GET = withApiErrors(async (req: Request, { params }: { params: Promise<{ wamid: string }> }) => {
  const { access, media } = await getApp();
  const { wamid } = await params;
  return getMessage(req, { ...access, mediaDownloads: media.enabled }, wamid);
});
