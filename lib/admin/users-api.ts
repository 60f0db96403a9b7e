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
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import type { Auth } from '@/lib/auth/auth';
import { roleOf } from '@/lib/auth/roles';
import {
  createUserSchema,
  getUsersResponseSchema,
  updateUserSchema,
  userParamsSchema,
  userResponseSchema,
  type ApiUser,
  type GetUsersResponse,
  type UserResponse,
} from '@/lib/contracts/admin';
import { conflict, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { actorOf } from '@/lib/inbox/actor';
import { unassignDeactivated } from '@/lib/inbox/assignment-api';
import { notifyAccessEnded, notifyChanges } from '@/lib/realtime/changes';
import { auditUserChanged, auditUserCreated } from './audit';

// /api/admin/users: admins create agents and admins, change roles, deactivate and reset passwords.
// Guards against dead ends: nobody deactivates or demotes themselves, and the last admin stays.

export type UsersApiDeps = AccessDeps & { auth: Auth };

export type { ApiUser, GetUsersResponse, UserResponse } from '@/lib/contracts/admin';
export { createUserSchema, updateUserSchema } from '@/lib/contracts/admin';

const usersApiDeps = (app: App): UsersApiDeps => app.access;

const toApiUser = (row: UserListRow): ApiUser => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: roleOf(row.role),
  active: row.banned !== true,
  createdAt: row.createdAt.toISOString(),
  lastSeenAt: row.lastSeenAt ? new Date(row.lastSeenAt).toISOString() : null,
});

export const getUsers = defineRoute(
  {
    method: 'GET',
    path: '/api/admin/users',
    access: 'admin',
    summary: 'Agents and admins.',
    deps: usersApiDeps,
    response: getUsersResponseSchema,
  },
  async ({ deps }): Promise<GetUsersResponse> => ({ users: (await listUsers(deps.db)).map(toApiUser) }),
);

export const postUser = defineRoute(
  {
    method: 'POST',
    path: '/api/admin/users',
    access: 'admin',
    summary: 'Creates an agent or an admin.',
    deps: usersApiDeps,
    body: createUserSchema,
    response: userResponseSchema,
    status: 201,
  },
  async ({ deps, principal: me, body: input }): Promise<UserResponse> => {
    if (await findUserIdByEmail(deps.db, input.email)) throw conflict('A user with this email already exists.');
    // `data.role`: better-auth types roles as its own defaults (user/admin); ours are agent/admin.
    const { user } = await deps.auth.api.createUser({
      body: { email: input.email, name: input.name, password: input.password, data: { role: input.role } },
    });
    await auditUserCreated(deps.db, me, { id: user.id, name: input.name, email: input.email, role: input.role });
    await notifyTeamChanged(deps);
    return userResponse(deps, user.id);
  },
);

export const patchUser = defineRoute(
  {
    method: 'PATCH',
    path: '/api/admin/users/{id}',
    access: 'admin',
    summary: "Changes a user's name, role, password or whether they may sign in.",
    deps: usersApiDeps,
    params: userParamsSchema,
    body: updateUserSchema,
    response: userResponseSchema,
  },
  async ({ deps, principal: me, params: { id }, body: change }): Promise<UserResponse> => {
    const target = id.length <= 200 ? await getUser(deps.db, id) : null;
    if (!target) throw notFound('User not found');
    const isSelf = me.kind === 'user' && me.userId === target.id;

    const losesAdmin =
      target.role === 'admin' &&
      target.banned !== true &&
      (change.active === false || (change.role !== undefined && change.role !== 'admin'));
    if (losesAdmin) {
      if (isSelf) throw conflict('You cannot deactivate yourself or remove your own admin role. Ask another admin.');
      if ((await countOtherActiveAdmins(deps.db, target.id)) === 0)
        throw conflict('This is the last active admin: make someone else an admin first.');
    }
    if (isSelf && change.active === false) throw conflict('You cannot deactivate yourself.');

    if (change.name !== undefined) await setUserName(deps.db, target.id, change.name);
    if (change.role !== undefined) await setUserRole(deps.db, target.id, change.role);
    if (change.active !== undefined)
      await setUserActive(deps.db, target.id, change.active, (tx) => unassignDeactivated(tx, target.id, actorOf(me)));
    if (change.password !== undefined) {
      const hash = await (await deps.auth.$context).password.hash(change.password);
      // A new password signs out every session of the user but the one making the change.
      await setUserPassword(deps.db, target.id, hash, { keepSessionId: isSelf && me.kind === 'user' ? me.sessionId : null });
    }
    await auditUserChanged(deps.db, me, target, change);
    // Sessions ended: the user's open event streams (on every instance) check theirs at once.
    if (change.active === false || change.password !== undefined) await notifyAccessEnded(deps.db, { users: [target.id] });
    await notifyTeamChanged(deps);
    return userResponse(deps, target.id);
  },
);

/** Someone joined, was renamed, changed role or left: every open team list (assign, @mention, audit) reads again. */
const notifyTeamChanged = (deps: UsersApiDeps) => notifyChanges(deps.db, { conversationIds: [], messageIds: [], topics: ['agents'] });

async function userResponse(deps: UsersApiDeps, id: string): Promise<UserResponse> {
  const [row] = await listUsers(deps.db, { id });
  if (!row) throw notFound('User not found');
  return { user: toApiUser(row) };
}
