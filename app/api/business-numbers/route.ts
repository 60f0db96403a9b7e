import { getApp } from '@/lib/app';
import { withApiErrors } from '@/lib/http/errors';
import { getBusinessNumbers } from '@/lib/inbox/read-api';

export type { GetBusinessNumbersResponse } from '@/lib/inbox/read-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => {
  const { access } = await getApp();
  return getBusinessNumbers(req, access);
});
