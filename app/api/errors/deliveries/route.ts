import { getApp } from '@/lib/app';
import { getFailedDeliveries } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetFailedDeliveriesResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getFailedDeliveries(req, (await getApp()).access));
