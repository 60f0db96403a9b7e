import { getApp } from '@/lib/app';
import { getAccountEvents } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetAccountEventsResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getAccountEvents(req, (await getApp()).access));
