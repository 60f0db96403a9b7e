import {
  createCannedReply,
  deleteCannedReply,
  findCannedReply,
  listCannedReplies,
  updateCannedReply,
  type CannedReply,
} from '@/db/queries/canned-replies';
import type { Principal } from '@/lib/auth/access';
import {
  apiCannedReplySchema,
  cannedReplyParamsSchema,
  createCannedReplyBodySchema,
  getCannedRepliesResponseSchema,
  updateCannedReplyBodySchema,
  type ApiCannedReply,
  type CannedReplyScope,
  type GetCannedRepliesResponse,
} from '@/lib/contracts/canned-replies';
import { conflict, forbidden, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { readApiDeps } from './read-api';

// Canned replies: the shared ones (admins manage them) and each person's own. Everyone in the inbox reads
// the shared ones, API keys included; a personal reply is its owner's alone: to anyone else it does not
// exist (404). Every change is a change notice on the canned-replies topic, so open composers and the
// pages that list them refetch.

export type { ApiCannedReply, GetCannedRepliesResponse } from '@/lib/contracts/canned-replies';

type User = Extract<Principal, { kind: 'user' }>;

const toApi = (reply: CannedReply): ApiCannedReply => ({
  id: String(reply.id),
  shortcut: reply.shortcut,
  body: reply.body,
  scope: reply.ownerUserId === null ? 'shared' : 'personal',
});

const SHARED_ONLY_ADMINS = 'Only admins can manage shared canned replies; save it as a personal one instead.';
const duplicate = (scope: CannedReplyScope) =>
  conflict(
    `shortcut: ${scope === 'shared' ? 'a shared canned reply' : 'one of your canned replies'} already has this shortcut (compared ignoring case).`,
  );

/** A canned reply id from the path: one that cannot exist is simply not found. */
function parseCannedReplyId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw notFound('Canned reply not found');
  return Number(raw);
}

/** The reply `user` may change: their own, or a shared one if they are an admin (agents: 403). */
function assertMayManage(user: User, reply: CannedReply | null): asserts reply is CannedReply {
  if (!reply || (reply.ownerUserId !== null && reply.ownerUserId !== user.userId)) throw notFound('Canned reply not found');
  if (reply.ownerUserId === null && user.role !== 'admin') throw forbidden(SHARED_ONLY_ADMINS);
}

const notifyCannedReplies = { conversationIds: [], messageIds: [], topics: ['canned-replies' as const] };

export const getCannedReplies = defineRoute(
  {
    method: 'GET',
    path: '/api/canned-replies',
    access: 'inbox',
    summary: "The shared canned replies and the caller's own (an API key: the shared ones), by shortcut.",
    deps: readApiDeps,
    response: getCannedRepliesResponseSchema,
  },
  async ({ deps, principal }): Promise<GetCannedRepliesResponse> => ({
    cannedReplies: (await listCannedReplies(deps.db, principal.kind === 'user' ? principal.userId : null)).map(toApi),
  }),
);

export const postCannedReply = defineRoute(
  {
    method: 'POST',
    path: '/api/canned-replies',
    access: 'session',
    summary: 'Saves a canned reply: a personal one (anyone signed in) or a shared one (admins only).',
    deps: readApiDeps,
    body: createCannedReplyBodySchema,
    response: apiCannedReplySchema,
    status: 201,
  },
  async ({ deps, principal, body }): Promise<ApiCannedReply> => {
    const user = principal;
    if (body.scope === 'shared' && user.role !== 'admin') throw forbidden(SHARED_ONLY_ADMINS);
    const created = await deps.db.transaction(async (tx) => {
      const reply = await createCannedReply(tx, {
        ownerUserId: body.scope === 'shared' ? null : user.userId,
        shortcut: body.shortcut,
        body: body.body,
      });
      if (reply !== 'duplicate') await notifyChanges(tx, notifyCannedReplies);
      return reply;
    });
    if (created === 'duplicate') throw duplicate(body.scope);
    return toApi(created);
  },
);

export const patchCannedReply = defineRoute(
  {
    method: 'PATCH',
    path: '/api/canned-replies/{id}',
    access: 'session',
    summary: "Changes a canned reply's shortcut or body: one's own, or a shared one (admins only).",
    deps: readApiDeps,
    params: cannedReplyParamsSchema,
    body: updateCannedReplyBodySchema,
    response: apiCannedReplySchema,
  },
  async ({ deps, principal, params, body }): Promise<ApiCannedReply> => {
    const id = parseCannedReplyId(params.id);
    const updated = await deps.db.transaction(async (tx) => {
      const current = await findCannedReply(tx, id);
      assertMayManage(principal, current);
      const reply = await updateCannedReply(tx, id, body);
      if (reply === 'duplicate') throw duplicate(toApi(current).scope);
      if (reply !== null) await notifyChanges(tx, notifyCannedReplies);
      return reply;
    });
    if (!updated) throw notFound('Canned reply not found');
    return toApi(updated);
  },
);

export const deleteCannedReplyRoute = defineRoute(
  {
    method: 'DELETE',
    path: '/api/canned-replies/{id}',
    access: 'session',
    summary: 'Deletes a canned reply: one of your own, or a shared one (admins only).',
    deps: readApiDeps,
    params: cannedReplyParamsSchema,
    status: 204,
  },
  async ({ deps, principal, params }): Promise<Response> => {
    const id = parseCannedReplyId(params.id);
    const deleted = await deps.db.transaction(async (tx) => {
      assertMayManage(principal, await findCannedReply(tx, id));
      if (!(await deleteCannedReply(tx, id))) return false;
      await notifyChanges(tx, notifyCannedReplies);
      return true;
    });
    if (!deleted) throw notFound('Canned reply not found');
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  },
);
