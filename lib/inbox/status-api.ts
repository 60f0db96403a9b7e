import { countUnreadByView } from '@/db/queries/assignment';
import { recordActivity } from '@/db/queries/activity';
import {
  countConversationsByStatus,
  lockConversationStatus,
  setConversationStatus,
  type StatusChange,
} from '@/db/queries/conversation-status';
import {
  conversationCountsQuerySchema,
  conversationParamsSchema,
  getConversationCountsResponseSchema,
  getConversationResponseSchema,
  postConversationStatusBodySchema,
  type GetConversationCountsResponse,
  type PostConversationStatusBody,
  type PostConversationStatusResponse,
} from '@/lib/contracts/inbox';
import { badRequest, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { actorOf } from './actor';
import { loadApiConversation, parseConversationId, readApiDeps } from './read-api';
import { snoozeUntilProblem } from './snooze';

// A conversation's status from the inbox or an integrator: open, pending, resolved, or snoozed until a
// time (lib/inbox/snooze-waker.ts opens it again then), and how many conversations each tab holds.
// Every change is a change notice, so every open browser moves the conversation between its tabs.

export type {
  GetConversationCountsResponse,
  PostConversationStatusBody,
  PostConversationStatusResponse,
} from '@/lib/contracts/inbox';

export const postConversationStatus = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/status',
    access: 'inbox',
    summary: "Sets a conversation's status: open, pending, resolved, or snoozed until a time (then open again by itself).",
    deps: readApiDeps,
    params: conversationParamsSchema,
    body: postConversationStatusBodySchema,
    response: getConversationResponseSchema,
  },
  async ({ deps, params, body, principal }): Promise<PostConversationStatusResponse> => {
    const id = parseConversationId(params.id);
    const change = statusChangeOf(body, new Date());
    const found = await deps.db.transaction(async (tx) => {
      const before = await lockConversationStatus(tx, id);
      const row = before && (await setConversationStatus(tx, id, change));
      if (!row) return false;
      // The trail records changes only: setting what already is (open on open) is not an action.
      const changed = before.status !== row.status || before.snoozedUntil?.getTime() !== row.snoozedUntil?.getTime();
      if (changed) {
        const details = row.snoozedUntil ? { status: row.status, snoozedUntil: row.snoozedUntil.toISOString() } : { status: row.status };
        await recordActivity(tx, id, actorOf(principal), { action: 'status', details });
      }
      await notifyChanges(tx, { conversationIds: [id], messageIds: [], topics: changed ? ['activity'] : [] });
      return true;
    });
    const conversation = found && (await loadApiConversation(deps, id));
    if (!conversation) throw notFound('Conversation not found');
    return conversation;
  },
);

/** The body as a change to store; a snooze must end in the future, within a year (400 naming the field). */
function statusChangeOf(body: PostConversationStatusBody, now: Date): StatusChange {
  if (body.status !== 'snoozed') return { status: body.status };
  const until = new Date(body.snoozedUntil);
  const problem = snoozeUntilProblem(until, now);
  if (problem) throw badRequest(`Invalid snoozedUntil: ${problem}`);
  return { status: 'snoozed', snoozedUntil: until };
}

export const getConversationCounts = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/counts',
    access: 'inbox',
    summary:
      'How many conversations have each status (the inbox tabs), and per view (mine, unassigned, all) how many have unread messages; on every business number or one.',
    deps: readApiDeps,
    query: conversationCountsQuerySchema,
    response: getConversationCountsResponseSchema,
  },
  async ({ deps, principal, query }): Promise<GetConversationCountsResponse> => {
    const [counts, views] = await Promise.all([
      countConversationsByStatus(deps.db, { phoneNumberId: query.businessPhoneNumberId }),
      countUnreadByView(deps.db, {
        userId: principal.kind === 'user' ? principal.userId : null,
        status: query.status,
        phoneNumberId: query.businessPhoneNumberId,
      }),
    ]);
    return { counts, views };
  },
);
