import { z } from 'zod';
import { listBusinessNumbers } from '@/db/queries/business-numbers';
import {
  getConversationSummary,
  listConversations,
  listKeyOf,
  markConversationRead,
  searchesMessageText,
  type ConversationListRow,
  type ConversationSummary,
} from '@/db/queries/conversations';
import {
  getMessageByWamid,
  getStatusHistories,
  listThreadMessages,
  threadKeyOf,
  type MessageRecord,
  type StatusHistoryEntry,
} from '@/db/queries/messages';
import { getMediaStates, type MediaState } from '@/db/queries/media';
import { MEDIA_MAX_ATTEMPTS } from '@/lib/media/downloader';
import { assertSameOrigin, authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { cursorIdSchema, cursorTimestampSchema, cursorWamidSchema, decodeCursor, encodeCursor } from '@/lib/http/cursor';
import { jsonResponse, notFound } from '@/lib/http/errors';
import { hasNul, limitSchema, optionalText, queryOf } from '@/lib/http/query-params';
import { notifyChanges } from '@/lib/realtime/changes';
import type { Direction, MediaInfo } from '@/lib/whatsapp/types';

// The read API behind app/api/{messages,conversations,business-numbers}, and marking a conversation read:
// parse, authorize, query, shape. The route files only supply the database and key; tests call these with
// their own. Errors are thrown (ApiError, zod) and mapped to responses by withApiErrors in the route.

export interface ReadApiDeps extends AccessDeps {
  /** Whether media files are being downloaded (WHATSAPP_ACCESS_TOKEN set): else pending media says why. */
  mediaDownloads?: boolean;
}

// ---- Response shapes (the routes re-export these for the UI's hooks) ----

export type MessageStatus = 'received' | 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export interface ApiContact {
  waId: string | null;
  userId: string | null;
  name: string | null;
}

export interface ApiDeliveryError {
  code: number | null;
  title: string | null;
  message: string | null;
  details: string | null;
}

export interface ApiMessage {
  /** The wamid. */
  id: string;
  conversationId: string;
  businessPhoneNumberId: string;
  direction: Direction;
  type: string;
  subtype: string | null;
  text: string | null;
  /** Meta's timestamp (ISO-8601). */
  timestamp: string;
  contact: ApiContact;
  status: MessageStatus;
  errors: ApiDeliveryError[];
  replyToId: string | null;
  /** Every status Meta reported, oldest first; may include statuses that do not move `status` (e.g. "deleted"). */
  statusHistory: { status: string; timestamp: string }[];
  /** The item exactly as Meta sent it; null for placeholders. */
  raw: unknown;
  /** Known only from its statuses (sent by another system): no type, text or content yet. */
  placeholder: boolean;
  media: MediaInfo | null;
  /** The media file's download (image, audio, video, document, sticker); null for other messages. */
  mediaFile: ApiMediaFile | null;
  /** What a reaction, edit or revoke acts on. */
  targetId: string | null;
  forwarded: boolean;
  frequentlyForwarded: boolean;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface ApiMediaFile {
  state: 'pending' | 'downloaded' | 'failed';
  /**
   * Why it failed, or (state pending) why the last attempt failed before the next:
   * expired | unauthorized | checksum_mismatch | too_large | timeout | unavailable | untrusted_host.
   */
  failureReason: string | null;
  /** When it last failed for good (state failed): a retry that fails again has a newer time. */
  failedAt: string | null;
  /** Pending because no access token is configured: nothing will happen until an admin sets one. */
  waitingForAccessToken: boolean;
  size: number | null;
  mimeType: string | null;
  /** Attempts started so far; with `downloading`, one of them is under way. */
  attempts: number;
  /** A retryable failure is final after this many attempts. */
  maxAttempts: number;
  /** An attempt is under way now (state pending). */
  downloading: boolean;
  /** GET it for the bytes (when downloaded). */
  url: string;
}

export interface ApiConversation {
  id: string;
  businessPhoneNumberId: string;
  displayPhoneNumber: string | null;
  contact: ApiContact;
  lastMessage: {
    id: string;
    type: string;
    text: string | null;
    direction: Direction;
    status: MessageStatus;
    timestamp: string;
  } | null;
  lastMessageAt: string | null;
  unreadCount: number;
}

export type GetMessageResponse = ApiMessage;
export interface GetConversationsResponse {
  conversations: ApiConversation[];
  nextCursor: string | null;
  /** With `q`: whether message text was searched too (it takes three letters or digits in a row). */
  searchedMessageText?: boolean;
}
export interface GetConversationMessagesResponse {
  messages: ApiMessage[];
  nextCursor: string | null;
}
export interface GetBusinessNumbersResponse {
  businessNumbers: { id: string; displayPhoneNumber: string | null; conversationCount: number }[];
}
export interface PostConversationReadResponse {
  unreadCount: 0;
}

// ---- Parameters ----

export const conversationsQuerySchema = z.object({
  limit: limitSchema,
  cursor: z.string().max(1000, 'malformed cursor').optional(),
  q: optionalText(200),
  businessPhoneNumberId: optionalText(64),
});

export const conversationMessagesQuerySchema = z.object({
  limit: limitSchema,
  before: z.string().max(2000, 'malformed cursor').optional(),
});

const conversationCursorSchema = z.tuple([cursorTimestampSchema.nullable(), cursorIdSchema]);
const threadCursorSchema = z.tuple([cursorTimestampSchema, cursorWamidSchema]);

/** The query string as an object; a repeated parameter counts once (the last). */
/** A conversation id from the path: ids are opaque strings to callers, so one that cannot exist is simply not found. */
function parseConversationId(raw: string): number {
  const parsed = cursorIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound('Conversation not found');
  return Number(parsed.data);
}

// ---- Handlers ----

/** GET /api/messages/{wamid}. `wamid` is the decoded path segment. */
export async function getMessage(req: Request, deps: ReadApiDeps, wamid: string): Promise<Response> {
  await authorizeRequest(req, deps);
  const row = wamid.length <= 512 && !hasNul(wamid) ? await getMessageByWamid(deps.db, wamid) : null;
  if (!row) throw notFound('Message not found');
  const histories = await getStatusHistories(deps.db, [row.wamid]);
  const files = await getMediaStates(deps.db, [row.wamid]);
  const body: GetMessageResponse = toApiMessage(row, row, histories.get(row.wamid) ?? [], mediaFileOf(files.get(row.wamid), row.wamid, deps));
  return jsonResponse(body);
}

/** GET /api/conversations?limit&cursor&q&businessPhoneNumberId */
export async function getConversations(req: Request, deps: ReadApiDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const query = conversationsQuerySchema.parse(queryOf(req));
  const after = query.cursor === undefined ? undefined : decodeCursor('cursor', query.cursor, conversationCursorSchema);
  const { rows, hasMore } = await listConversations(deps.db, {
    limit: query.limit,
    after: after && { lastMessageAt: after[0], id: Number(after[1]) },
    q: query.q,
    phoneNumberId: query.businessPhoneNumberId,
  });
  const last = rows.at(-1);
  const body: GetConversationsResponse = {
    conversations: rows.map(toApiConversation),
    nextCursor: hasMore && last ? encodeConversationCursor(last) : null,
    ...(query.q !== undefined && { searchedMessageText: searchesMessageText(query.q) }),
  };
  return jsonResponse(body);
}

/** GET /api/conversations/{id}/messages?limit&before */
export async function getConversationMessages(req: Request, deps: ReadApiDeps, conversationId: string): Promise<Response> {
  await authorizeRequest(req, deps);
  const query = conversationMessagesQuerySchema.parse(queryOf(req));
  const before = query.before === undefined ? undefined : decodeCursor('before', query.before, threadCursorSchema);
  const conversation = await getConversationSummary(deps.db, parseConversationId(conversationId));
  if (!conversation) throw notFound('Conversation not found');
  const { rows, hasMore } = await listThreadMessages(deps.db, conversation.id, {
    limit: query.limit,
    before: before && { sentAt: before[0], wamid: before[1] },
  });
  const wamids = rows.map((r) => r.wamid);
  const [histories, files] = await Promise.all([getStatusHistories(deps.db, wamids), getMediaStates(deps.db, wamids)]);
  const oldest = rows[0];
  const body: GetConversationMessagesResponse = {
    messages: rows.map((r) => toApiMessage(r, conversation, histories.get(r.wamid) ?? [], mediaFileOf(files.get(r.wamid), r.wamid, deps))),
    nextCursor: hasMore && oldest ? encodeThreadCursor(oldest) : null,
  };
  return jsonResponse(body);
}

/** GET /api/business-numbers: our numbers, for the inbox's filter. */
export async function getBusinessNumbers(req: Request, deps: ReadApiDeps): Promise<Response> {
  await authorizeRequest(req, deps);
  const rows = await listBusinessNumbers(deps.db);
  const body: GetBusinessNumbersResponse = {
    businessNumbers: rows.map((r) => ({
      id: r.phoneNumberId,
      displayPhoneNumber: r.displayPhoneNumber,
      conversationCount: r.conversationCount,
    })),
  };
  return jsonResponse(body);
}

/** POST /api/conversations/{id}/read: unread count to 0, and other open browsers are told (after commit). */
export async function postConversationRead(req: Request, deps: ReadApiDeps, conversationId: string): Promise<Response> {
  assertSameOrigin(req);
  await authorizeRequest(req, deps);
  const id = parseConversationId(conversationId);
  const { found } = await deps.db.transaction(async (tx) => {
    const result = await markConversationRead(tx, id);
    if (result.changed) await notifyChanges(tx, { conversationIds: [id], wamids: [] });
    return result;
  });
  if (!found) throw notFound('Conversation not found');
  const body: PostConversationReadResponse = { unreadCount: 0 };
  return jsonResponse(body);
}

// ---- Shaping ----

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

function encodeConversationCursor(row: ConversationListRow): string {
  const key = listKeyOf(row);
  return encodeCursor([key.lastMessageAt, String(key.id)]);
}

function encodeThreadCursor(row: MessageRecord): string {
  const key = threadKeyOf(row);
  return encodeCursor([key.sentAt, key.wamid]);
}

function toApiConversation(row: ConversationListRow): ApiConversation {
  const last = row.lastMessage;
  return {
    id: String(row.id),
    businessPhoneNumberId: row.phoneNumberId,
    displayPhoneNumber: row.displayPhoneNumber,
    contact: row.contact,
    lastMessage: last && {
      id: last.wamid,
      type: last.type,
      text: last.text,
      direction: last.direction,
      status: last.status as MessageStatus,
      timestamp: iso(last.sentAt),
    },
    lastMessageAt: isoOrNull(row.lastMessageAt),
    unreadCount: row.unreadCount,
  };
}

function mediaFileOf(state: MediaState | undefined, wamid: string, deps: ReadApiDeps): ApiMediaFile | null {
  if (!state) return null;
  return {
    ...state,
    waitingForAccessToken: state.state === 'pending' && deps.mediaDownloads === false,
    maxAttempts: MEDIA_MAX_ATTEMPTS,
    url: `/api/media/${encodeURIComponent(wamid)}`,
  };
}

function toApiMessage(
  row: Omit<MessageRecord, 'sortAt'>,
  conversation: Pick<ConversationSummary, 'phoneNumberId' | 'contact'>,
  history: StatusHistoryEntry[],
  mediaFile: ApiMediaFile | null,
): ApiMessage {
  return {
    id: row.wamid,
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
    raw: row.raw,
    placeholder: row.placeholder,
    media: (row.media ?? null) as MediaInfo | null,
    mediaFile,
    targetId: row.targetWamid,
    forwarded: row.forwarded,
    frequentlyForwarded: row.frequentlyForwarded,
    editedAt: isoOrNull(row.editedAt),
    deletedAt: isoOrNull(row.deletedAt),
  };
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
