import type { Executor } from '@/db/client';
import { recordActivity } from '@/db/queries/activity';
import {
  addConversationLabel,
  conversationsWithLabel,
  createLabel,
  deleteLabel,
  findLabel,
  listLabels,
  removeConversationLabel,
  updateLabel,
  type Label,
  type LabelingResult,
} from '@/db/queries/labels';
import { getConversationResponseSchema, type GetConversationResponse } from '@/lib/contracts/inbox';
import {
  conversationLabelParamsSchema,
  createLabelBodySchema,
  getLabelsResponseSchema,
  labelParamsSchema,
  labelResponseSchema,
  updateLabelBodySchema,
  type ApiLabel,
  type GetLabelsResponse,
} from '@/lib/contracts/labels';
import { conflict, notFound } from '@/lib/http/errors';
import type { Principal } from '@/lib/auth/access';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { actorOf } from './actor';
import { loadApiConversation, parseConversationId, readApiDeps, type ReadApiDeps } from './read-api';

// Labels: admins define them (name and colour) and anyone in the inbox (agents, admins, API keys) puts
// them on conversations or takes them off. Every change is a change notice for the conversations it
// concerns (a rename or a delete: every conversation carrying the label), so every open browser shows it.

export type { ApiLabel, GetLabelsResponse, LabelSummary } from '@/lib/contracts/labels';

const toApiLabel = (label: Label): ApiLabel => ({ id: String(label.id), name: label.name, colour: label.colour });

/** A label id from the path: one that cannot exist is simply not found. */
function parseLabelId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw notFound('Label not found');
  return Number(raw);
}

const DUPLICATE = 'A label with this name already exists (names are compared ignoring case).';

/** Tells the browsers showing a label's conversations, in `tx` (so after the change commits). */
async function notifyLabelConversations(tx: Executor, labelId: number): Promise<void> {
  await notifyChanges(tx, { conversationIds: await conversationsWithLabel(tx, labelId), messageIds: [], topics: ['labels'] });
}

export const getLabels = defineRoute(
  {
    method: 'GET',
    path: '/api/labels',
    access: 'inbox',
    summary: 'Every label with how many conversations carry it, by name.',
    deps: readApiDeps,
    response: getLabelsResponseSchema,
  },
  async ({ deps }): Promise<GetLabelsResponse> => ({
    labels: (await listLabels(deps.db)).map((l) => ({ ...toApiLabel(l), conversationCount: l.conversationCount })),
  }),
);

export const postLabel = defineRoute(
  {
    method: 'POST',
    path: '/api/admin/labels',
    access: 'admin',
    summary: 'Creates a label (a name unique whatever its case, and a colour).',
    deps: readApiDeps,
    body: createLabelBodySchema,
    response: labelResponseSchema,
    status: 201,
  },
  async ({ deps, body }): Promise<ApiLabel> => {
    const created = await deps.db.transaction(async (tx) => {
      const label = await createLabel(tx, body);
      // On no conversation yet: the topic alone tells the pages that list labels.
      if (label !== 'duplicate') await notifyChanges(tx, { conversationIds: [], messageIds: [], topics: ['labels'] });
      return label;
    });
    if (created === 'duplicate') throw conflict(DUPLICATE);
    return toApiLabel(created);
  },
);

export const patchLabel = defineRoute(
  {
    method: 'PATCH',
    path: '/api/admin/labels/{id}',
    access: 'admin',
    summary: 'Renames or recolours a label; every conversation carrying it shows the change.',
    deps: readApiDeps,
    params: labelParamsSchema,
    body: updateLabelBodySchema,
    response: labelResponseSchema,
  },
  async ({ deps, params, body }): Promise<ApiLabel> => {
    const id = parseLabelId(params.id);
    const updated = await deps.db.transaction(async (tx) => {
      const result = await updateLabel(tx, id, body);
      if (result !== null && result !== 'duplicate') await notifyLabelConversations(tx, id);
      return result;
    });
    if (updated === 'duplicate') throw conflict(DUPLICATE);
    if (!updated) throw notFound('Label not found');
    return toApiLabel(updated);
  },
);

export const deleteLabelRoute = defineRoute(
  {
    method: 'DELETE',
    path: '/api/admin/labels/{id}',
    access: 'admin',
    summary: 'Deletes a label: every conversation loses it.',
    deps: readApiDeps,
    params: labelParamsSchema,
    status: 204,
  },
  async ({ deps, params }): Promise<Response> => {
    const id = parseLabelId(params.id);
    const deleted = await deps.db.transaction(async (tx) => {
      // Who carried it, read before the cascade takes the pairs.
      const conversationIds = await conversationsWithLabel(tx, id);
      if (!(await deleteLabel(tx, id))) return false;
      await notifyChanges(tx, { conversationIds, messageIds: [], topics: ['labels'] });
      return true;
    });
    if (!deleted) throw notFound('Label not found');
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  },
);

/** Adds or removes, then answers the conversation as GET /api/conversations/{id} does. */
async function relabel(
  deps: ReadApiDeps,
  params: { id: string; labelId: string },
  change: (tx: Executor, conversationId: number, labelId: number) => Promise<LabelingResult>,
  trail: { principal: Principal; action: 'label_added' | 'label_removed' },
): Promise<GetConversationResponse> {
  const conversationId = parseConversationId(params.id);
  const labelId = parseLabelId(params.labelId);
  const result = await deps.db.transaction(async (tx) => {
    const outcome = await change(tx, conversationId, labelId);
    if (outcome !== 'changed') return outcome;
    const label = await findLabel(tx, labelId);
    if (label) {
      await recordActivity(tx, conversationId, actorOf(trail.principal), {
        action: trail.action,
        details: { label: { id: String(label.id), name: label.name } },
      });
    }
    await notifyChanges(tx, { conversationIds: [conversationId], messageIds: [], topics: ['labels', 'activity'] });
    return outcome;
  });
  if (result === 'no-label') throw notFound('Label not found');
  const conversation = result !== 'no-conversation' && (await loadApiConversation(deps, conversationId));
  if (!conversation) throw notFound('Conversation not found');
  return conversation;
}

export const putConversationLabel = defineRoute(
  {
    method: 'PUT',
    path: '/api/conversations/{id}/labels/{labelId}',
    access: 'inbox',
    summary: 'Puts a label on a conversation (again is no change) and answers the conversation.',
    deps: readApiDeps,
    params: conversationLabelParamsSchema,
    response: getConversationResponseSchema,
  },
  async ({ deps, params, principal }) => relabel(deps, params, addConversationLabel, { principal, action: 'label_added' }),
);

export const deleteConversationLabel = defineRoute(
  {
    method: 'DELETE',
    path: '/api/conversations/{id}/labels/{labelId}',
    access: 'inbox',
    summary: 'Takes a label off a conversation (when it is not there, no change) and answers the conversation.',
    deps: readApiDeps,
    params: conversationLabelParamsSchema,
    response: getConversationResponseSchema,
  },
  async ({ deps, params, principal }) => relabel(deps, params, removeConversationLabel, { principal, action: 'label_removed' }),
);
