import { getApp } from '@/lib/app';
import { getRejections } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetRejectionsResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getRejections(req, (await getApp()).access));
