import { z } from 'zod';
import { listBusinessNumbers } from '@/db/queries/business-numbers';
import {
  getConversationRow,
  getConversationSummary,
  listConversations,
  listKeyOf,
  markConversationRead,
  searchesMessageText,
  type ConversationListRow,
  type ConversationSummary,
} from '@/db/queries/conversations';
import {
  findMessage,
  findThreadMessages,
  type MessageRef,
  getStatusHistories,
  listThreadMessages,
  threadKeyOf,
  type MessageRecord,
  type StatusHistoryEntry,
} from '@/db/queries/messages';
import { getMediaStates, type MediaState } from '@/db/queries/media';
import { MEDIA_MAX_ATTEMPTS } from '@/lib/media/downloader';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import {
  conversationMessagesQuerySchema,
  conversationParamsSchema,
  conversationsQuerySchema,
  getBusinessNumbersResponseSchema,
  getConversationMessagesResponseSchema,
  getConversationResponseSchema,
  getConversationsResponseSchema,
  getMessageResponseSchema,
  messageParamsSchema,
  postConversationReadResponseSchema,
  type ApiConversation,
  type ApiDeliveryError,
  type ApiMediaFile,
  type ApiMessage,
  type GetBusinessNumbersResponse,
  type GetConversationMessagesResponse,
  type GetConversationResponse,
  type GetConversationsResponse,
  type GetMessageResponse,
  type MessageStatus,
  type PostConversationReadResponse,
} from '@/lib/contracts/inbox';
import { cursorIdSchema, cursorTimestampSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { CHANGES_CHANNEL, encodeChange, type ChangeNotice } from '@/lib/realtime/changes';
import type { OpenThreads } from '@/lib/realtime/open-threads';
import { serviceWindow } from '@/lib/outbox/service-window';
import { DELIVERY_ORDER } from '@/lib/whatsapp/status';
import { type MessageContent, TARGET_REWRITING_MESSAGE_TYPES } from '@/lib/whatsapp/message-types';
import type { MediaInfo } from '@/lib/whatsapp/types';
import { assigneeFilterOf } from './assignee-filter';
import { type MessageIdentity, parseMessageRef, publicMessageId } from './message-id';

// The read API behind app/api/{messages,conversations,business-numbers}, and marking a conversation read:
// query and shape. What each route takes and answers is its contract (lib/contracts/inbox.ts); who may
// call it, parsing and errors are the route layer's (lib/http/route.ts). Tests call the routes with their
// own deps.

export type {
  ApiContact,
  ApiConversation,
  ApiDeliveryError,
  ApiMediaFile,
  ApiMessage,
  GetBusinessNumbersResponse,
  GetConversationMessagesResponse,
  GetConversationResponse,
  GetConversationsResponse,
  GetMessageResponse,
  MessageStatus,
  PostConversationReadResponse,
} from '@/lib/contracts/inbox';
export { conversationMessagesQuerySchema, conversationsQuerySchema } from '@/lib/contracts/inbox';

export interface ReadApiDeps extends AccessDeps {
  /** Whether media files are being downloaded (WHATSAPP_ACCESS_TOKEN set): else pending media says why. */
  mediaDownloads?: boolean;
  /** Whether the outbox can send (WHATSAPP_ACCESS_TOKEN set): the composer shows or explains. */
  sendingEnabled?: boolean;
  /** Told when a conversation with unread messages is marked read (read receipts to WhatsApp, in the background). */
  customerSignals?: { conversationRead(conversationId: number): void };
  /** Told when a thread's newest page is read: the live stream sends that thread's changed messages along. */
  openThreads?: OpenThreads;
}

export const readApiDeps = (app: App): ReadApiDeps => ({
  ...app.access,
  mediaDownloads: app.media.enabled,
  sendingEnabled: app.outbox.enabled,
  customerSignals: app.customerSignals,
  openThreads: app.openThreads,
});

const conversationCursorSchema = z.tuple([cursorTimestampSchema.nullable(), cursorIdSchema]);
const threadCursorSchema = z.tuple([cursorTimestampSchema, cursorIdSchema]);

/** An id from the path: ids are opaque strings to callers, so one that cannot exist is simply not found. */
export function parsePathId(raw: string, notFoundMessage: string): number {
  const parsed = cursorIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound(notFoundMessage);
  return Number(parsed.data);
}

export const parseConversationId = (raw: string): number => parsePathId(raw, 'Conversation not found');

// ---- Routes ----

// Next decodes the segment once: `wamid.HBg...%3D%3D` arrives as `wamid.HBg...==`.
export const getMessage = defineRoute(
  {
    method: 'GET',
    path: '/api/messages/{id}',
    access: 'inbox',
    summary: 'One message, with its raw item as Meta sent it.',
    deps: readApiDeps,
    params: messageParamsSchema,
    response: getMessageResponseSchema,
  },
  async ({ deps, params }): Promise<GetMessageResponse> => {
    const ref = parseMessageRef(params.id);
    const message = ref && (await loadApiMessage(deps, ref));
    if (!message) throw notFound('Message not found');
    return message;
  },
);

/** One message as GET /api/messages/{id} answers it (the send routes answer with it too); null if there is none. */
export async function loadApiMessage(deps: ReadApiDeps, ref: MessageRef): Promise<GetMessageResponse | null> {
  const row = await findMessage(deps.db, ref);
  return row && apiMessageOf(deps, row);
}

/**
 * A message found by findMessage as GET /api/messages/{id} shows it: with its delivery history and file.
 * `withoutFile`: the caller knows it has no file (it just wrote it): one query fewer.
 */
export async function apiMessageOf(
  deps: ReadApiDeps,
  row: NonNullable<Awaited<ReturnType<typeof findMessage>>>,
  { withoutFile = false } = {},
): Promise<GetMessageResponse> {
  const [histories, files] = await Promise.all([
    getStatusHistories(deps.db, row.wamid === null ? [] : [row.wamid], DELIVERY_ORDER),
    getMediaStates(deps.db, withoutFile ? [] : [row.id]),
  ]);
  return { ...toApiMessage(row, row, historyOf(histories, row), mediaFileOf(files.get(row.id), row, deps)), raw: row.raw };
}

export const getConversations = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations',
    access: 'inbox',
    summary:
      'Conversations, latest message first; `q` searches names, numbers and message text; `status` picks one status, `labelId` one label, `assignee` a view (me, unassigned, a user).',
    deps: readApiDeps,
    query: conversationsQuerySchema,
    response: getConversationsResponseSchema,
  },
  async ({ deps, principal, query }): Promise<GetConversationsResponse> => {
    const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, conversationCursorSchema);
    const { rows, hasMore } = await listConversations(deps.db, {
      limit: query.limit,
      after: after && { lastMessageAt: after[0], id: Number(after[1]) },
      q: query.q,
      phoneNumberId: query.businessPhoneNumberId,
      status: query.status,
      labelId: query.labelId === undefined ? undefined : Number(query.labelId),
      assignee: assigneeFilterOf(query.assignee, principal),
    });
    const last = rows.at(-1);
    return {
      conversations: rows.map(toApiConversation),
      nextCursor: hasMore && last ? encodeConversationCursor(last) : null,
      ...(query.q !== undefined && { searchedMessageText: searchesMessageText(query.q) }),
    };
  },
);

export const getConversation = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/{id}',
    access: 'inbox',
    summary: 'One conversation as the list shows it (the thread header).',
    deps: readApiDeps,
    params: conversationParamsSchema,
    response: getConversationResponseSchema,
  },
  async ({ deps, params }): Promise<GetConversationResponse> => {
    const conversation = await loadApiConversation(deps, parseConversationId(params.id));
    if (!conversation) throw notFound('Conversation not found');
    return conversation;
  },
);

/** One conversation as GET /api/conversations/{id} answers it (the status route answers with it too); null if there is none. */
export async function loadApiConversation(deps: ReadApiDeps, id: number): Promise<GetConversationResponse | null> {
  const row = await getConversationRow(deps.db, id);
  if (!row) return null;
  const window = serviceWindow(row.lastInboundAt);
  return {
    ...toApiConversation(row),
    contactId: String(row.contactId),
    lastInboundAt: isoOrNull(row.lastInboundAt),
    serviceWindow: { open: window.open, closesAt: isoOrNull(window.closesAt) },
    sendingEnabled: deps.sendingEnabled === true,
  };
}

export const getConversationMessages = defineRoute(
  {
    method: 'GET',
    path: '/api/conversations/{id}/messages',
    access: 'inbox',
    summary: "A conversation's messages, newest first; `before` pages back.",
    deps: readApiDeps,
    params: conversationParamsSchema,
    query: conversationMessagesQuerySchema,
    response: getConversationMessagesResponseSchema,
  },
  async ({ deps, params, query }): Promise<GetConversationMessagesResponse> => {
    const before = query.before === undefined ? undefined : decodeCursor('before', query.before, threadCursorSchema);
    const conversation = await getConversationSummary(deps.db, parseConversationId(params.id));
    if (!conversation) throw notFound('Conversation not found');
    if (before === undefined) deps.openThreads?.touch(conversation.id);
    const { rows, hasMore } = await listThreadMessages(deps.db, conversation.id, {
      hidden: TARGET_REWRITING_MESSAGE_TYPES,
      limit: query.limit,
      before: before && { sentAt: before[0], id: Number(before[1]) },
    });
    const oldest = rows[0];
    return {
      messages: await toApiMessages(deps, rows, () => conversation),
      nextCursor: hasMore && oldest ? encodeThreadCursor(oldest) : null,
    };
  },
);

/**
 * More changed messages than this in open threads (a burst into one thread) are left to the pages'
 * refetches. A notice names at most ~100 messages (NOTIFY's 8000 bytes), the threads' among them are few.
 */
export const MAX_THREAD_MESSAGES_ALONG = 20;

/** Types whose messages never have a file (a media message, or a template with a header file, may). */
const FILELESS_TYPES: ReadonlySet<string> = new Set(['text', 'reaction']);

/**
 * The messages of a change notice that belong to threads open here (deps.openThreads), as the thread
 * page shows them, for the live stream to send along; null (at once, without a query where it can tell)
 * when there are none or too many to bother.
 * Hidden types (edits, revokes) are left out: they change their targets, which the refetch brings.
 */
export function threadMessagesOf(deps: ReadApiDeps, change: ChangeNotice): Promise<ApiMessage[] | null> | null {
  if (change.partial || change.messages.length === 0) return null;
  const open = deps.openThreads?.openAmong(change.conversations) ?? [];
  if (open.length === 0) return null;
  const refs = change.messages.flatMap((id) => parseMessageRef(id) ?? []);
  const limit = MAX_THREAD_MESSAGES_ALONG + 1;
  return findThreadMessages(deps.db, refs, { conversationIds: open, hidden: TARGET_REWRITING_MESSAGE_TYPES, limit }).then((rows) =>
    rows.length === 0 || rows.length >= limit ? null : toApiMessages(deps, rows, (row) => row),
  );
}

/**
 * Message rows as the API shows them, with their status histories and media files (at most two queries for
 * all of them, sent together). Meta reports statuses of the business's own messages only, and text and
 * reactions carry no file: rows that can have neither ask for nothing, so a customer's text (most of the
 * traffic, and what the live stream sends along with its notice) costs no query here.
 */
export async function toApiMessages<R extends Omit<MessageRecord, 'sortAt'>>(
  deps: ReadApiDeps,
  rows: R[],
  conversationOf: (row: R) => Pick<ConversationSummary, 'phoneNumberId' | 'contact'>,
): Promise<ApiMessage[]> {
  const wamids = rows.flatMap((r) => (r.wamid === null || r.direction !== 'outbound' ? [] : [r.wamid]));
  const [histories, files] = await Promise.all([
    getStatusHistories(deps.db, wamids, DELIVERY_ORDER),
    getMediaStates(
      deps.db,
      rows.flatMap((r) => (FILELESS_TYPES.has(r.type) ? [] : [r.id])),
    ),
  ]);
  return rows.map((r) => toApiMessage(r, conversationOf(r), historyOf(histories, r), mediaFileOf(files.get(r.id), r, deps)));
}

export const getBusinessNumbers = defineRoute(
  {
    method: 'GET',
    path: '/api/business-numbers',
    access: 'inbox',
    summary: 'Our business numbers, for the inbox filter.',
    deps: readApiDeps,
    response: getBusinessNumbersResponseSchema,
  },
  async ({ deps }): Promise<GetBusinessNumbersResponse> => {
    const rows = await listBusinessNumbers(deps.db);
    return {
      businessNumbers: rows.map((r) => ({
        id: r.phoneNumberId,
        displayPhoneNumber: r.displayPhoneNumber,
        conversationCount: r.conversationCount,
      })),
    };
  },
);

/** Unread count to 0, and other open browsers are told (after commit). */
export const postConversationRead = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/read',
    access: 'inbox',
    summary: 'Marks a conversation read: its unread count goes to 0 in every open browser.',
    deps: readApiDeps,
    params: conversationParamsSchema,
    response: postConversationReadResponseSchema,
  },
  async ({ deps, params }): Promise<PostConversationReadResponse> => {
    const id = parseConversationId(params.id);
    // Other browsers hear of it only when there was something unread (db/queries/conversations.ts).
    const { found, changed } = await markConversationRead(deps.db, id, {
      channel: CHANGES_CHANNEL,
      payload: encodeChange({ conversationIds: [id], messageIds: [] }),
    });
    if (!found) throw notFound('Conversation not found');
    // There were unread messages: blue ticks for the customer, after this answer and never failing it.
    if (changed) deps.customerSignals?.conversationRead(id);
    return { unreadCount: 0 };
  },
);

// ---- Shaping ----

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

function encodeConversationCursor(row: ConversationListRow): string {
  const key = listKeyOf(row);
  return encodeCursor([key.lastMessageAt, String(key.id)]);
}

function encodeThreadCursor(row: MessageRecord): string {
  const key = threadKeyOf(row);
  return encodeCursor([key.sentAt, String(key.id)]);
}

function toApiConversation(row: ConversationListRow): ApiConversation {
  const last = row.lastMessage;
  return {
    id: String(row.id),
    businessPhoneNumberId: row.phoneNumberId,
    displayPhoneNumber: row.displayPhoneNumber,
    contact: row.contact,
    lastMessage: last && {
      id: publicMessageId(last),
      type: last.type,
      text: last.text,
      direction: last.direction,
      status: last.status as MessageStatus,
      timestamp: iso(last.sentAt),
    },
    lastMessageAt: isoOrNull(row.lastMessageAt),
    unreadCount: row.unreadCount,
    status: row.status,
    snoozedUntil: isoOrNull(row.snoozedUntil),
    labels: row.labels.map((l) => ({ id: String(l.id), name: l.name, colour: l.colour })),
    assignee: row.assignee,
  };
}

/** Statuses are Meta's: a message has them once Meta has named it. */
const historyOf = (histories: Map<string, StatusHistoryEntry[]>, row: { wamid: string | null }) =>
  (row.wamid === null ? undefined : histories.get(row.wamid)) ?? [];

function mediaFileOf(state: MediaState | undefined, message: MessageIdentity, deps: ReadApiDeps): ApiMediaFile | null {
  if (!state) return null;
  return {
    ...state,
    waitingForAccessToken: state.state === 'pending' && deps.mediaDownloads === false,
    maxAttempts: MEDIA_MAX_ATTEMPTS,
    url: `/api/media/${encodeURIComponent(publicMessageId(message))}`,
  };
}

function toApiMessage(
  row: Omit<MessageRecord, 'sortAt'>,
  conversation: Pick<ConversationSummary, 'phoneNumberId' | 'contact'>,
  history: StatusHistoryEntry[],
  mediaFile: ApiMediaFile | null,
): ApiMessage {
  return {
    id: publicMessageId(row),
    wamid: row.wamid,
    conversationId: String(row.conversationId),
    businessPhoneNumberId: conversation.phoneNumberId,
    direction: row.direction,
    type: row.type,
    subtype: row.subtype,
    text: row.text,
    timestamp: iso(row.sentAt),
    contact: conversation.contact,
    status: row.status as MessageStatus,
    errors: toApiErrors(row.errors),
    replyToId: row.replyToWamid,
    statusHistory: history.map((h) => ({ status: h.status, timestamp: iso(h.occurredAt) })),
    // Written by the type modules at ingest (or from raw by the start-up backfill): their schema's shape.
    content: (row.content ?? null) as MessageContent | null,
    placeholder: row.placeholder,
    history: row.history,
    clientId: row.clientId,
    sentBy: sentByOf(row),
    media: (row.media ?? null) as MediaInfo | null,
    mediaFile,
    targetId: row.targetWamid,
    forwarded: row.forwarded,
    frequentlyForwarded: row.frequentlyForwarded,
    editedAt: isoOrNull(row.editedAt),
    deletedAt: isoOrNull(row.deletedAt),
  };
}

function sentByOf(row: Pick<MessageRecord, 'sentByUserId' | 'sentByApiKeyId' | 'sentByName'>): ApiMessage['sentBy'] {
  if (row.sentByName === null) return null;
  const id = row.sentByUserId ?? (row.sentByApiKeyId === null ? 'api-key' : `api-key:${row.sentByApiKeyId}`);
  return { id, name: row.sentByName };
}

/** The stored errors (jsonb) in the API's fixed shape, whatever older rows hold. */
export function toApiErrors(value: unknown): ApiDeliveryError[] {
  if (!Array.isArray(value)) return [];
  const field = (v: unknown) => (typeof v === 'string' ? v : null);
  return value
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      code: typeof e.code === 'number' ? e.code : null,
      title: field(e.title),
      message: field(e.message),
      details: field(e.details),
    }));
}
