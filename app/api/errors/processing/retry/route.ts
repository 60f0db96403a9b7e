import { getApp } from '@/lib/app';
import { postProcessingRetry } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { PostRetryResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withApiErrors(async (req: Request) => {
  const app = await getApp();
  return postProcessingRetry(req, { ...app.access, processor: app.processor });
});
