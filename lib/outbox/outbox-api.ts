import { commitNow, genericPlansHere, inOrder } from '@/db/client';
import { recordActivity } from '@/db/queries/activity';
import { type ConversationSummary, getConversationSummary } from '@/db/queries/conversations';
import { findMessage, findMessageByClientId } from '@/db/queries/messages';
import { lockConversation, queueOutboundMessage, requeueSend } from '@/db/queries/outbox';
import { findTemplate } from '@/db/queries/templates';
import { getUpload } from '@/db/queries/uploads';
import type { App } from '@/lib/app';
import type { Principal } from '@/lib/auth/access';
import { conversationParamsSchema, type GetMessageResponse, getMessageResponseSchema, messageParamsSchema } from '@/lib/contracts/inbox';
import { type PostMessageBody, postMessageBodySchema, SEND_REFUSALS } from '@/lib/contracts/outbox';
import { ApiError, badRequest, conflict, notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { actorOf } from '@/lib/inbox/actor';
import { parseMessageRef, publicMessageId } from '@/lib/inbox/message-id';
import { apiMessageOf, loadApiMessage, parseConversationId, type ReadApiDeps } from '@/lib/inbox/read-api';
import { CHANGES_CHANNEL, encodeChange, notifyChanges, type Topic } from '@/lib/realtime/changes';
import { isMediaMessageType } from '@/lib/whatsapp/types';
import { TemplateValueError } from '@/lib/whatsapp/message-types/template';
import { type ComposedMessage, composeMedia, composeReaction, composeTemplate, composeText } from './compose';
import { SERVICE_WINDOW_MS, serviceWindow } from './service-window';

// POST /api/conversations/{id}/messages: an agent (or an integrator's key) writes a message. It is committed
// to the outbox first and sent after (lib/outbox/sender.ts): the answer is 202 with the message as
// GET /api/messages/{id} shows it, status `pending`. The same clientId never makes a second message.
// POST /api/messages/{id}/retry: a failed or unconfirmed message written here goes back in the outbox.

export interface OutboxApiDeps extends ReadApiDeps {
  /** The sender, told at once when something is queued; null when sending is off (no access token). */
  outbox: { enabled: boolean; notify(): void };
}

const outboxApiDeps = (app: App): OutboxApiDeps => ({
  ...app.access,
  mediaDownloads: app.media.enabled,
  sendingEnabled: app.outbox.enabled,
  outbox: app.outbox,
});

/** Meta takes reactions to messages up to 30 days old. */
const REACTION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

type FoundMessage = NonNullable<Awaited<ReturnType<typeof findMessage>>>;

export const postConversationMessage = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/messages',
    access: 'inbox',
    summary:
      'Writes a message (text, reaction, media or template): committed, then sent by the outbox. 202 with the message (status pending); 409 window_closed or sending_disabled.',
    deps: outboxApiDeps,
    params: conversationParamsSchema,
    body: postMessageBodySchema,
    response: getMessageResponseSchema,
    status: 202,
  },
  async ({ deps, params, body, principal }): Promise<GetMessageResponse> => {
    const conversationId = parseConversationId(params.id);
    if (!deps.outbox.enabled) return refused(deps, body.clientId, conversationId, sendingDisabled());
    // A template is found in the conversation's account, so that conversation is read first. Anything else
    // is written at once, its window checked by the statement that writes it, under the conversation's
    // lock: one read fewer for every message posted (bench:send).
    let composed: Composed;
    try {
      if (body.type === 'template') {
        const conversation = await getConversationSummary(deps.db, conversationId);
        if (!conversation) throw notFound('Conversation not found');
        composed = await composeTemplateMessage(deps, conversation, body.template);
      } else composed = await compose(deps, conversationId, body);
    } catch (err) {
      // No such conversation (a reply or a reaction finds that out while composing): refused as any post to it.
      if (err instanceof ApiError && err.status === 404) return refused(deps, body.clientId, conversationId, err);
      throw err;
    }
    const { message, file } = composed;

    // One round trip, its commit included: the lock, then the message with everything it writes (its trail
    // entry, its file, its change notice) in one statement that writes nothing when it may not be sent,
    // then the message as it now stands, found by its clientId. Each waits for the one before it in the
    // database, not here: every wait for this process's event loop (a busy one, under load) is time the
    // conversation stays locked. Key lookups all, planned once per connection: planning each run was a
    // third of PostgreSQL's work for a posted message (bench:send).
    const [, locked, queued, stored] = await deps.db.transaction((tx) =>
      inOrder([
        () => genericPlansHere(tx),
        () => lockConversation(tx, conversationId),
        () =>
          queueOutboundMessage(
            tx,
            { conversationId, clientId: body.clientId, ...message, ...writer(principal) },
            {
              // Templates go out whatever the window; everything else only while it is open.
              windowMs: body.type === 'template' ? null : SERVICE_WINDOW_MS,
              actor: actorOf(principal),
              notice: {
                channel: CHANGES_CHANNEL,
                payload: encodeChange({ conversationIds: [conversationId], messageIds: [], topics: QUEUED_TOPICS }),
              },
              file,
            },
          ),
        () => findMessageByClientId(tx, body.clientId),
        () => commitNow(tx),
      ]),
    );
    if (queued) {
      deps.outbox.notify();
      return apiMessageOf(deps, stored!, { withoutFile: file === null });
    }
    // Nothing written. A repeat of a clientId answers with its message, whatever changed since (the window,
    // the conversation); otherwise the conversation is not there, or its window is closed.
    if (stored) return sameMessageAgain(deps, stored, conversationId);
    if (!locked) throw notFound('Conversation not found');
    // The database's clock decided, as it does for every writer of the window.
    throw windowClosedError(locked.lastInboundAt);
  },
);

/** What a queued message changes, for the live UI. */
const QUEUED_TOPICS: Topic[] = ['messages', 'outbox', 'activity'];

/**
 * A post that cannot be sent: a repeat of a clientId still answers with its message, whatever changed
 * since (the window, sending, the conversation); anything else gets `error`.
 */
async function refused(deps: ReadApiDeps, clientId: string, conversationId: number, error: ApiError): Promise<GetMessageResponse> {
  const earlier = await findMessageByClientId(deps.db, clientId);
  if (earlier) return sameMessageAgain(deps, earlier, conversationId);
  throw error;
}

export const postMessageRetry = defineRoute(
  {
    method: 'POST',
    path: '/api/messages/{id}/retry',
    access: 'inbox',
    summary: 'Sends a failed or unconfirmed message written here again. 202 with the message (status pending).',
    deps: outboxApiDeps,
    params: messageParamsSchema,
    response: getMessageResponseSchema,
    status: 202,
  },
  async ({ deps, params, principal }): Promise<GetMessageResponse> => {
    const ref = parseMessageRef(params.id);
    const message = ref && (await findMessage(deps.db, ref));
    if (!message) throw notFound('Message not found');
    if (!deps.outbox.enabled) throw sendingDisabled();
    if (message.clientId === null || !['failed', 'unconfirmed'].includes(message.status)) {
      throw conflict('Only a failed or unconfirmed message written here can be sent again.');
    }
    const conversationId = await deps.db.transaction(async (tx) => {
      // The window comes with the lock, as for a post; a template goes out whatever it says.
      const locked = await lockConversation(tx, message.conversationId);
      const closed = message.type === 'template' ? null : windowClosed(locked?.lastInboundAt ?? null);
      if (closed) throw closed;
      const requeued = await requeueSend(tx, message.id);
      if (requeued !== null) {
        const id = publicMessageId(message);
        await recordActivity(tx, requeued, actorOf(principal), { action: 'message_retried', details: { messageId: id } });
        await notifyChanges(tx, { conversationIds: [requeued], messageIds: [id], topics: ['messages', 'outbox', 'activity'] });
      }
      return requeued;
    });
    if (conversationId === null) throw conflict('The message is being sent already.');
    deps.outbox.notify();
    return (await loadApiMessage(deps, { id: message.id }))!;
  },
);

// ---- Checks and composing ----

/** 409 sending_disabled: every route that needs the access token says it the same way. */
export const sendingDisabled = () =>
  new ApiError(409, SEND_REFUSALS.sendingDisabled, 'Sending is off: an admin needs to set WHATSAPP_ACCESS_TOKEN.');

function windowClosed(lastInboundAt: Date | null): ApiError | null {
  return serviceWindow(lastInboundAt).open ? null : windowClosedError(lastInboundAt);
}

function windowClosedError(lastInboundAt: Date | null): ApiError {
  const { closesAt } = serviceWindow(lastInboundAt);
  const since = closesAt ? `since ${closesAt.toISOString()}` : 'the customer has never written';
  return new ApiError(
    409,
    SEND_REFUSALS.windowClosed,
    `The 24-hour customer service window is closed (${since}): only an approved template can be sent until the customer writes again.`,
  );
}

/** A repeat of a clientId: the message it made, if it was made in this conversation. */
async function sameMessageAgain(deps: ReadApiDeps, earlier: FoundMessage, conversationId: number) {
  if (earlier.conversationId !== conversationId) throw conflict('clientId: already used for a message in another conversation.');
  return apiMessageOf(deps, earlier);
}

function writer(principal: Principal) {
  return principal.kind === 'user'
    ? { sentByUserId: principal.userId, sentByApiKeyId: null, sentByName: principal.name }
    : { sentByUserId: null, sentByApiKeyId: principal.keyId, sentByName: principal.name };
}

interface Composed {
  message: ComposedMessage;
  file: { kind: string; mimeType: string; filename: string | null; storageKey: string; size: number } | null;
}

/** Everything but a template: composed from the body and this conversation's messages (quotes, reactions). */
async function compose(deps: ReadApiDeps, conversationId: number, body: Exclude<PostMessageBody, { type: 'template' }>): Promise<Composed> {
  switch (body.type) {
    case 'text':
      return { message: composeText(body.text, await quotedWamid(deps, conversationId, body.replyToId)), file: null };
    case 'reaction': {
      const target = await threadMessage(deps, conversationId, body.messageId, 'messageId');
      if (Date.now() - target.sentAt.getTime() > REACTION_MAX_AGE_MS)
        throw badRequest('messageId: WhatsApp takes reactions to messages of the last 30 days only');
      return { message: composeReaction(target.wamid, body.emoji), file: null };
    }
    case 'media': {
      const upload = await getUpload(deps.db, body.uploadId);
      if (!upload || !isMediaMessageType(upload.kind)) throw badRequest('uploadId: no such upload');
      const file = { kind: upload.kind, mimeType: upload.mimeType, filename: upload.filename };
      const replyTo = await quotedWamid(deps, conversationId, body.replyToId);
      return {
        message: composeMedia(file, body.caption?.trim() || null, replyTo),
        file: { ...file, storageKey: upload.storageKey, size: upload.size },
      };
    }
  }
}

/** A template as synced from Meta (only APPROVED ones go out), filled with the agent's values. */
async function composeTemplateMessage(
  deps: ReadApiDeps,
  conversation: ConversationSummary,
  values: Extract<PostMessageBody, { type: 'template' }>['template'],
): Promise<Composed> {
  const template =
    conversation.wabaId === null
      ? null
      : await findTemplate(deps.db, { wabaId: conversation.wabaId, name: values.name, language: values.language });
  if (!template)
    throw badRequest(`template: no template "${values.name}" (${values.language}) for this number; an admin can sync templates`);
  if (template.status !== 'APPROVED')
    throw badRequest(`template: "${values.name}" is ${template.status}, and only approved templates can be sent`);
  let header: Composed['file'] = null;
  if (values.headerUploadId !== undefined) {
    const upload = await getUpload(deps.db, values.headerUploadId);
    if (!upload || !['image', 'video', 'document'].includes(upload.kind))
      throw badRequest('template.headerUploadId: no such image, video or document upload');
    header = { kind: upload.kind, mimeType: upload.mimeType, filename: upload.filename, storageKey: upload.storageKey, size: upload.size };
  }
  try {
    const message = composeTemplate(
      { name: template.name, language: template.language, category: template.category, components: asComponents(template.components) },
      { body: values.parameters, header: values.headerParameters, buttons: values.buttonParameters },
      header,
    );
    return { message, file: header };
  } catch (err) {
    if (err instanceof TemplateValueError) throw badRequest(`template.parameters: ${err.message}`);
    throw err;
  }
}

const asComponents = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

async function quotedWamid(deps: ReadApiDeps, conversationId: number, replyToId: string | undefined): Promise<string | null> {
  if (replyToId === undefined) return null;
  return (await threadMessage(deps, conversationId, replyToId, 'replyToId')).wamid;
}

/** A message of this conversation that WhatsApp knows (it has a wamid): what a reply or reaction can point at. */
async function threadMessage(deps: ReadApiDeps, conversationId: number, id: string, field: string) {
  const ref = parseMessageRef(id);
  const message = ref && (await findMessage(deps.db, ref));
  if (!message || message.conversationId !== conversationId) {
    // Nothing to point at in a conversation that is not there: that is the 404 any post to it gets.
    if (!(await getConversationSummary(deps.db, conversationId))) throw notFound('Conversation not found');
    throw badRequest(`${field}: no such message in this conversation`);
  }
  if (message.wamid === null) throw badRequest(`${field}: that message has not been sent yet`);
  return { wamid: message.wamid, sentAt: message.sentAt };
}
