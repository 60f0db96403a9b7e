import { getApp } from '@/lib/app';
import { deleteApiKey } from '@/lib/admin/api-keys-api';
import { withApiErrors } from '@/lib/http/errors';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const DELETE = withApiErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) =>
  deleteApiKey(req, (await getApp()).access, (await params).id),
);
