import { conversationExists, listViewers, markMentionsSeen, purgeStalePresence, recordBeat, removeTab } from '@/db/queries/presence';
import type { Principal } from '@/lib/auth/access';
import { conversationParamsSchema } from '@/lib/contracts/inbox';
import {
  getConversationPresenceResponseSchema,
  postPresenceBodySchema,
  postPresenceLeaveBodySchema,
  type GetConversationPresenceResponse,
} from '@/lib/contracts/presence';
import { forbidden, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges, type Topic } from '@/lib/realtime/changes';
import { parseConversationId, readApiDeps } from './read-api';

// Presence (issue 13 §6): every inbox tab beats every 20 s, and at once when it opens or leaves a
// conversation or its agent starts or stops typing a reply; closing the tab says so. Only a beat that
// changes what others see is a change notice ('presence'), so the steady beating costs one upsert each.

export type { GetConversationPresenceResponse } from '@/lib/contracts/presence';

type SessionUser = Extract<Principal, { kind: 'user' }>;

/** The route layer let a session through ('session' access); this narrows the type. */
function sessionUserOf(principal: Principal): SessionUser {
  if (principal.kind !== 'user') throw forbidden('API keys have no presence: this is for signed-in people.');
  return principal;
}

export const postPresence = defineRoute(
  {
    method: 'POST',
    path: '/api/presence',
    access: 'session',
    summary: "A browser tab's heartbeat: the conversation it shows (or none) and whether its agent is typing a reply there. 204.",
    deps: readApiDeps,
    body: postPresenceBodySchema,
    status: 204,
  },
  async ({ deps, principal, body }) => {
    const user = sessionUserOf(principal);
    const conversationId = body.conversationId === null ? null : parseConversationId(body.conversationId);
    const isNewTab = await deps.db.transaction(async (tx) => {
      if (conversationId !== null && !(await conversationExists(tx, conversationId))) throw notFound('Conversation not found');
      const beat = await recordBeat(tx, {
        clientId: body.clientId,
        userId: user.userId,
        sessionId: user.sessionId,
        conversationId,
        typing: body.typing && conversationId !== null,
      });
      const topics: Topic[] = [];
      if (beat.changed.length > 0) topics.push('presence');
      if (conversationId !== null && (await markMentionsSeen(tx, user.userId, conversationId))) topics.push('mentions');
      if (topics.length > 0) {
        const ids = topics.includes('mentions') && conversationId !== null ? [...new Set([...beat.changed, conversationId])] : beat.changed;
        await notifyChanges(tx, { conversationIds: ids, messageIds: [], topics });
      }
      return beat.isNewTab;
    });
    // A new tab is rare (a page load): the moment to clear out tabs that vanished long ago.
    if (isNewTab) await purgeStalePresence(deps.db);
    return new Response(null, { status: 204 });
  },
);

export const postPresenceLeave = defineRoute(
  {
    method: 'POST',
    path: '/api/presence/leave',
    access: 'session',
    summary: 'A browser tab closing: it stops counting as a viewer at once instead of a minute later. 204.',
    deps: readApiDeps,
    body: postPresenceLeaveBodySchema,
    status: 204,
  },
  async ({ deps, principal, body }) => {
    const user = sessionUserOf(principal);
    await deps.db.transaction(async (tx) => {
      const left = await removeTab(tx, body.clientId, user.userId);
      if (left.length > 0) await notifyChanges(tx, { conversationIds: left, messageIds: [], topics: ['presence'] });
    });
    return new Response(null, { status: 204 });
  },
);

export const getConversationPresence = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/{id}/presence',
    access: 'session',
    summary: 'Who else has the conversation open now, and whether they are typing a reply (the caller is left out).',
    deps: readApiDeps,
    params: conversationParamsSchema,
    response: getConversationPresenceResponseSchema,
  },
  async ({ deps, principal, params }): Promise<GetConversationPresenceResponse> => {
    const user = sessionUserOf(principal);
    const viewers = await listViewers(deps.db, parseConversationId(params.id), user.userId);
    return { viewers: viewers.map((v) => ({ user: { id: v.id, name: v.name }, typing: v.typing === true })) };
  },
);
