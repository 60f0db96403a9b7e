import { getApp } from '@/lib/app';
import { getProcessingFailures } from '@/lib/error-log/api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetProcessingFailuresResponse } from '@/lib/error-log/api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getProcessingFailures(req, (await getApp()).access));
