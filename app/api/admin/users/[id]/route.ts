import { getApp } from '@/lib/app';
import { patchUser } from '@/lib/admin/users-api';
import { withApiErrors } from '@/lib/http/errors';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const PATCH = withApiErrors(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  return patchUser(req, (await getApp()).access, (await params).id);
});
