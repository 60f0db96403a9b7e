import { getApp } from '@/lib/app';
import { getProcessingFailure } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetProcessingFailureResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { access } = await getApp();
  const { id } = await params;
  return getProcessingFailure(req, access, id);
});
