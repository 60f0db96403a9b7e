import { z } from 'zod';
import {
  activityKeyOf,
  conversationExists,
  getActivity,
  insertMentions,
  listActivePeople,
  listActivity,
  recordActivity,
} from '@/db/queries/activity';
import {
  activityQuerySchema,
  getActivityResponseSchema,
  postNoteBodySchema,
  apiActivityEntrySchema,
  type ApiActivityEntry,
  type GetActivityResponse,
} from '@/lib/contracts/activity';
import { conversationParamsSchema } from '@/lib/contracts/inbox';
import { cursorIdSchema, cursorTimestampSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { actorOf } from './actor';
import { toApiActivityEntry } from './activity-view';
import { resolveMentions } from './mentions';
import { parseConversationId, readApiDeps } from './read-api';

// A conversation's trail (notes, status changes, labels, sends, assignments) and private notes. A note is
// an entry of the trail and nothing else: it is never queued, so it can never reach Meta. Mentioning
// someone leaves them a mention row (their notification) and a 'mentions' change notice.

export type { ApiActivityEntry, GetActivityResponse } from '@/lib/contracts/activity';

const activityCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);

export const getConversationActivity = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/{id}/activity',
    access: 'inbox',
    summary: "A conversation's trail, newest first: notes, status changes, labels, assignments, sends and retries; `before` pages back.",
    deps: readApiDeps,
    params: conversationParamsSchema,
    query: activityQuerySchema,
    response: getActivityResponseSchema,
  },
  async ({ deps, params, query }): Promise<GetActivityResponse> => {
    const id = parseConversationId(params.id);
    const before = query.before === undefined ? undefined : decodeCursor('before', query.before, activityCursorSchema);
    if (!(await conversationExists(deps.db, id))) throw notFound('Conversation not found');
    const { rows, hasMore } = await listActivity(deps.db, id, {
      limit: query.limit,
      before: before && { at: before[0], id: Number(before[1]) },
    });
    const oldest = rows.at(-1);
    const key = oldest && activityKeyOf(oldest);
    return {
      entries: rows.map(toApiActivityEntry),
      nextCursor: hasMore && key ? encodeCursor([key.at, String(key.id)]) : null,
    };
  },
);

export const postConversationNote = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/notes',
    access: 'inbox',
    summary: 'Writes a private note on a conversation (never sent to the customer); `mentions` and "@Name" notify agents.',
    deps: readApiDeps,
    params: conversationParamsSchema,
    body: postNoteBodySchema,
    response: apiActivityEntrySchema,
    status: 201,
  },
  async ({ deps, params, body, principal }): Promise<ApiActivityEntry> => {
    const conversationId = parseConversationId(params.id);
    const actor = actorOf(principal);
    const entryId = await deps.db.transaction(async (tx) => {
      if (!(await conversationExists(tx, conversationId))) return null;
      const mentioned = resolveMentions(body.text, body.mentions ?? [], await listActivePeople(tx));
      const [id] = await recordActivity(tx, conversationId, actor, {
        action: 'note',
        body: body.text,
        details: { mentions: mentioned },
      });
      // Writing "@me" is no notification to myself.
      const notified = mentioned.filter((p) => actor.kind !== 'user' || p.id !== actor.userId).map((p) => p.id);
      await insertMentions(tx, id!, conversationId, notified);
      await notifyChanges(tx, {
        conversationIds: [conversationId],
        messageIds: [],
        topics: notified.length > 0 ? ['activity', 'mentions'] : ['activity'],
      });
      return id!;
    });
    if (entryId === null) throw notFound('Conversation not found');
    return toApiActivityEntry((await getActivity(deps.db, entryId))!);
  },
);
