import { getApp } from '@/lib/app';
import { getUsers, postUser } from '@/lib/admin/users-api';
import { withApiErrors } from '@/lib/http/errors';

export type { GetUsersResponse, UserResponse } from '@/lib/admin/users-api';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = withApiErrors(async (req: Request) => getUsers(req, (await getApp()).access));
export const POST = withApiErrors(async (req: Request) => postUser(req, (await getApp()).access));
