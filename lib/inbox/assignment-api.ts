import type { Executor } from '@/db/client';
import {
  findAssignableUser,
  getAvailability,
  setAssignee,
  setAvailability,
  unassignUnresolvedConversationsOf,
} from '@/db/queries/assignment';
import type { ActivityActor } from '@/lib/contracts/activity';
import {
  availabilityResponseSchema,
  postConversationAssigneeBodySchema,
  putAvailabilityBodySchema,
  type AvailabilityResponse,
} from '@/lib/contracts/assignment';
import { conversationParamsSchema, getConversationResponseSchema, type GetConversationResponse } from '@/lib/contracts/inbox';
import { badRequest, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { actorOf } from './actor';
import { loadApiConversation, parseConversationId, readApiDeps } from './read-api';

// Who works on a conversation: anyone in the inbox assigns it to an agent (or to nobody), and each agent
// says whether auto-assignment may count on them. Each change is on the trail and a change notice, in
// the change's transaction, so every open browser moves the conversation between its views.

export type { PostConversationAssigneeBody, PutAvailabilityBody, AvailabilityResponse } from '@/lib/contracts/assignment';

export const postConversationAssignee = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/assignee',
    access: 'inbox',
    summary: 'Assigns a conversation to an agent or admin, or unassigns it (`assigneeId: null`); answers the conversation.',
    deps: readApiDeps,
    params: conversationParamsSchema,
    body: postConversationAssigneeBodySchema,
    response: getConversationResponseSchema,
  },
  async ({ deps, principal, params, body }): Promise<GetConversationResponse> => {
    const id = parseConversationId(params.id);
    const found = await deps.db.transaction(async (tx) => {
      const assignee = body.assigneeId === null ? null : await findAssignableUser(tx, body.assigneeId);
      if (body.assigneeId !== null && !assignee)
        throw badRequest('Invalid assigneeId: no active agent or admin has this id (GET /api/agents lists them).');
      const result = await setAssignee(tx, id, assignee, actorOf(principal));
      if (result.found && result.changed) await notifyChanges(tx, { conversationIds: [id], messageIds: [], topics: ['activity'] });
      return result.found;
    });
    const conversation = found && (await loadApiConversation(deps, id));
    if (!conversation) throw notFound('Conversation not found');
    return conversation;
  },
);

export const putMyAvailability = defineRoute(
  {
    method: 'PUT',
    path: '/api/me/availability',
    access: 'session',
    summary: 'Whether auto-assignment may give the signed-in agent or admin conversations while they are online.',
    deps: readApiDeps,
    body: putAvailabilityBodySchema,
    response: availabilityResponseSchema,
  },
  async ({ deps, principal, body }): Promise<AvailabilityResponse> => {
    await deps.db.transaction(async (tx) => {
      if (!(await setAvailability(tx, principal.userId, body.availability))) throw notFound('User not found');
      await notifyChanges(tx, { conversationIds: [], messageIds: [], topics: ['agents'] });
    });
    return { availability: body.availability };
  },
);

export const getMyAvailability = defineRoute(
  {
    method: 'GET',
    path: '/api/me/availability',
    access: 'session',
    summary: "The signed-in user's availability for auto-assignment (admins are away until they say otherwise).",
    deps: readApiDeps,
    response: availabilityResponseSchema,
  },
  async ({ deps, principal }): Promise<AvailabilityResponse> => {
    const availability = await getAvailability(deps.db, principal.userId);
    if (!availability) throw notFound('User not found');
    return { availability };
  },
);

/**
 * A deactivated agent's conversations go back to the team: every one not yet resolved is unassigned (on the
 * trail, and a change notice), in the deactivation's transaction; auto-assignment may then pass them on.
 */
export async function unassignDeactivated(tx: Executor, userId: string, actor: ActivityActor): Promise<void> {
  const ids = await unassignUnresolvedConversationsOf(tx, userId, actor);
  await notifyChanges(tx, { conversationIds: ids, messageIds: [], topics: ['agents', ...(ids.length > 0 ? (['activity'] as const) : [])] });
}
