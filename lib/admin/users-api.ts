import { z } from 'zod';
import {
  countOtherActiveAdmins,
  findUserIdByEmail,
  getUser,
  listUsers,
  setUserActive,
  setUserName,
  setUserPassword,
  setUserRole,
  type UserListRow,
} from '@/db/queries/users';
import { assertSameOrigin, authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { MIN_PASSWORD_LENGTH, type Auth } from '@/lib/auth/auth';
import { ROLES, roleOf, type Role } from '@/lib/auth/roles';
import { conflict, jsonResponse, notFound } from '@/lib/http/errors';
import { readJsonBody } from '@/lib/http/json-body';
import { notifyAccessEnded } from '@/lib/realtime/changes';

// /api/admin/users: admins create agents and admins, change roles, deactivate and reset passwords.
// Guards against dead ends: nobody deactivates or demotes themselves, and the last admin stays.

export type UsersApiDeps = AccessDeps & { auth: Auth };

export interface ApiUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  active: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}
export interface GetUsersResponse {
  users: ApiUser[];
}
export interface UserResponse {
  user: ApiUser;
}

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(128, 'must be at most 128 characters');

export const createUserSchema = z.object({
  email: z.email('must be an email address').max(254).transform((s) => s.toLowerCase()),
  name: z.string().trim().min(1, 'is required').max(100),
  password: passwordSchema,
  role: z.enum(ROLES),
});

export const updateUserSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional(),
    name: z.string().trim().min(1, 'is required').max(100).optional(),
    password: passwordSchema.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

const toApiUser = (row: UserListRow): ApiUser => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: roleOf(row.role),
  active: row.banned !== true,
  createdAt: row.createdAt.toISOString(),
  lastSeenAt: row.lastSeenAt ? new Date(row.lastSeenAt).toISOString() : null,
});

export async function getUsers(req: Request, deps: UsersApiDeps): Promise<Response> {
  await authorizeRequest(req, deps, 'admin');
  const body: GetUsersResponse = { users: (await listUsers(deps.db)).map(toApiUser) };
  return jsonResponse(body);
}

export async function postUser(req: Request, deps: UsersApiDeps): Promise<Response> {
  assertSameOrigin(req);
  await authorizeRequest(req, deps, 'admin');
  const input = createUserSchema.parse(await readJsonBody(req));
  if (await findUserIdByEmail(deps.db, input.email)) throw conflict('A user with this email already exists.');
  // `data.role`: better-auth types roles as its own defaults (user/admin); ours are agent/admin.
  const { user } = await deps.auth.api.createUser({
    body: { email: input.email, name: input.name, password: input.password, data: { role: input.role } },
  });
  return userResponse(deps, user.id, 201);
}

export async function patchUser(req: Request, deps: UsersApiDeps, id: string): Promise<Response> {
  assertSameOrigin(req);
  const me = await authorizeRequest(req, deps, 'admin');
  const change = updateUserSchema.parse(await readJsonBody(req));
  const target = id.length <= 200 ? await getUser(deps.db, id) : null;
  if (!target) throw notFound('User not found');
  const isSelf = me.kind === 'user' && me.userId === target.id;

  const losesAdmin =
    target.role === 'admin' && target.banned !== true && (change.active === false || (change.role !== undefined && change.role !== 'admin'));
  if (losesAdmin) {
    if (isSelf) throw conflict('You cannot deactivate yourself or remove your own admin role. Ask another admin.');
    if ((await countOtherActiveAdmins(deps.db, target.id)) === 0) throw conflict('This is the last active admin: make someone else an admin first.');
  }
  if (isSelf && change.active === false) throw conflict('You cannot deactivate yourself.');

  if (change.name !== undefined) await setUserName(deps.db, target.id, change.name);
  if (change.role !== undefined) await setUserRole(deps.db, target.id, change.role);
  if (change.active !== undefined) await setUserActive(deps.db, target.id, change.active);
  if (change.password !== undefined) {
    const hash = await (await deps.auth.$context).password.hash(change.password);
    // A new password signs out every session of the user but the one making the change.
    await setUserPassword(deps.db, target.id, hash, { keepSessionId: isSelf && me.kind === 'user' ? me.sessionId : null });
  }
  // Sessions ended: the user's open event streams (on every instance) check theirs at once.
  if (change.active === false || change.password !== undefined) await notifyAccessEnded(deps.db, { users: [target.id] });
  return userResponse(deps, target.id, 200);
}

async function userResponse(deps: UsersApiDeps, id: string, status: number): Promise<Response> {
  const [row] = await listUsers(deps.db, { id });
  if (!row) throw notFound('User not found');
  const body: UserResponse = { user: toApiUser(row) };
  return jsonResponse(body, { status });
}
