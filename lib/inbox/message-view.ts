// What the inbox shows for a message: ApiMessage → a small view model. PURE: no React, no I/O.
//
// What a message says comes from its typed `content` (lib/whatsapp/message-types: one module per
// type, made at ingest), never from Meta's raw item; each type's module also says what the thread
// shows for it (its `view`), so this file keeps only what every message has: the content checked
// against its schema (it arrives over HTTP), the row's columns read safely (they come first where
// they can be newer, an edited text or caption, or where there is no content yet), the flags,
// deleted and placeholder rows, previews, delivery marks and the thread.

import type { ApiConversation, ApiMessage } from '@/lib/contracts/inbox';
import {
  DELETED_LABEL,
  type IconName,
  KNOWN_MESSAGE_TYPES,
  type MessageContent,
  type MessageContentType,
  type MessageRow,
  type MessageTypeView,
  messageContentSchema,
  type Preview,
  previewOfType,
  REQUEST_WELCOME_LABEL,
  viewOfType,
} from '@/lib/whatsapp/message-types';
import { isRecord, ownValue } from '@/lib/whatsapp/message-types/read';
import { present, presentField } from '@/lib/whatsapp/message-types/view';
import type { Direction } from '@/lib/whatsapp/types';
import { formatDayLabel, localDayKey, parseDate } from './format-time';
import { mediaFileView } from './media-file-view';

export { DELETED_LABEL, type IconName, type Preview, REQUEST_WELCOME_LABEL };
// The parts of the view model that live with their type, named here for the renderers and tests.
export type { ContactsBody, SharedContactCard } from '@/lib/whatsapp/message-types/contacts';
export { REPLY_LABELS, type ReplyBody, type ReplyKind } from '@/lib/whatsapp/message-types/interactive';
export { type LocationBody, mapUrlOf } from '@/lib/whatsapp/message-types/location';
export { MEDIA_LABELS, type MediaBody, type MediaKind } from '@/lib/whatsapp/message-types/media';
export type { OrderBody, OrderLine, OrderTotal } from '@/lib/whatsapp/message-types/order';
export type { UnsupportedBody } from '@/lib/whatsapp/message-types/unsupported';
export {
  MEDIA_FAILURE_FALLBACK,
  MEDIA_FAILURE_TEXT,
  MEDIA_NO_TOKEN_NOTE,
  MEDIA_PENDING_NOTE,
  type MediaFileView,
  mediaFileView,
} from './media-file-view';

// ---- View model ---------------------------------------------------------------------------------

/** A click-to-WhatsApp ad the customer came from. `sourceUrl` is unvalidated: render it through linkify. */
export interface Referral {
  headline: string | null;
  body: string | null;
  sourceType: string | null;
  sourceUrl: string | null;
}

/** What a message body shows: its type's view, or one of the rows that have no type to ask. */
export type MessageBody = MessageTypeView | { kind: 'placeholder'; label: string } | { kind: 'deleted'; label: string };

export interface MessageFlags {
  forwarded: boolean;
  frequentlyForwarded: boolean;
  editedAt: string | null;
  /** Inbound messages from a click-to-WhatsApp ad. */
  referral: Referral | null;
}

export type MessageView = MessageBody & MessageFlags;
export type MessageViewKind = MessageBody['kind'];

export const PLACEHOLDER_LABEL = 'Sent from another system';

// ---- Content ------------------------------------------------------------------------------------

// Parsed once per content object: a thread re-renders its messages on every live update.
const checkedContent = new WeakMap<object, MessageContent | null>();

/** The message's content when it has one that matches its schema; null otherwise (placeholders, older rows, junk). */
export function contentOfMessage(m: ApiMessage): MessageContent | null {
  const content: unknown = m.content;
  if (!isRecord(content)) return null;
  let checked = checkedContent.get(content);
  if (checked === undefined) {
    const parsed = messageContentSchema.safeParse(content);
    checked = parsed.success ? parsed.data : null;
    checkedContent.set(content, checked);
  }
  return checked;
}

/** The content type a message renders as: its content's, else its Meta type's module (`unknown` for any other). */
function contentTypeOf(m: ApiMessage, content: MessageContent | null): MessageContentType {
  if (content) return content.type;
  const type = present(m.type);
  return type !== null && (KNOWN_MESSAGE_TYPES as readonly string[]).includes(type) ? (type as MessageContentType) : 'unknown';
}

/** The row's columns as a type's view reads them: checked like anything from the network (m.media is jsonb). */
function rowOf(m: ApiMessage): MessageRow {
  const stored: unknown = m.media;
  const error: unknown = Array.isArray(m.errors) ? m.errors[0] : undefined;
  return {
    type: present(m.type),
    text: present(m.text),
    subtype: present(m.subtype),
    targetId: present(m.targetId),
    media: isRecord(stored)
      ? {
          caption: presentField(stored, 'caption'),
          filename: presentField(stored, 'filename'),
          mimeType: presentField(stored, 'mimeType'),
          voice: ownValue(stored, 'voice') === true,
          animated: ownValue(stored, 'animated') === true,
        }
      : null,
    error: isRecord(error)
      ? { title: presentField(error, 'title'), message: presentField(error, 'message'), details: presentField(error, 'details') }
      : null,
    file: mediaFileView(m.mediaFile),
  };
}

// ---- describeMessage ----------------------------------------------------------------------------

export function describeMessage(m: ApiMessage): MessageView {
  const content = contentOfMessage(m);
  return { ...describeBody(m, content), ...flagsOf(m, content) };
}

function flagsOf(m: ApiMessage, content: MessageContent | null): MessageFlags {
  return {
    forwarded: m.forwarded === true || m.frequentlyForwarded === true,
    frequentlyForwarded: m.frequentlyForwarded === true,
    editedAt: present(m.editedAt),
    referral: m.direction === 'inbound' && !m.deletedAt ? referralView(content) : null,
  };
}

function describeBody(m: ApiMessage, content: MessageContent | null): MessageBody {
  if (present(m.deletedAt)) return { kind: 'deleted', label: DELETED_LABEL };
  if (m.placeholder === true) return { kind: 'placeholder', label: PLACEHOLDER_LABEL };
  return viewOfType(contentTypeOf(m, content), content, rowOf(m));
}

function referralView(content: MessageContent | null): Referral | null {
  const referral = content?.referral;
  if (!referral) return null;
  const view: Referral = {
    headline: present(referral.headline),
    body: present(referral.body),
    sourceType: present(referral.sourceType),
    sourceUrl: present(referral.sourceUrl),
  };
  return view.headline || view.body || view.sourceType || view.sourceUrl ? view : null;
}

// ---- Media cards ----------------------------------------------------------------------------------

const MIME_TYPE_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/msword': 'Word',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.ms-excel': 'Excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/vnd.ms-powerpoint': 'PowerPoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/zip': 'ZIP',
  'text/plain': 'Text',
  'text/csv': 'CSV',
};

/** A short type for a document card: the known kind of its MIME type, else the filename's extension, else the MIME type. */
export function documentTypeLabel(filename: string | null, mimeType: string | null): string | null {
  const mime = mimeType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime && Object.hasOwn(MIME_TYPE_LABELS, mime)) return MIME_TYPE_LABELS[mime]!;
  const ext = filename ? /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1] : undefined;
  if (ext) return ext.toUpperCase();
  return mime || null;
}

// ---- Delivery status -------------------------------------------------------------------------------

/** The mark an outbound message carries: WhatsApp's ticks, and a microphone for a played voice message. */
export type DeliveryMark = 'clock' | 'tick' | 'double-tick' | 'microphone' | 'alert';

export interface DeliveryView {
  /** What the mark says to a screen reader and on hover. */
  label: string;
  mark: DeliveryMark;
  tone: 'grey' | 'blue' | 'red' | 'amber';
}

const DELIVERY_VIEWS: Record<string, DeliveryView> = {
  pending: { label: 'Pending', mark: 'clock', tone: 'grey' },
  sent: { label: 'Sent', mark: 'tick', tone: 'grey' },
  delivered: { label: 'Delivered', mark: 'double-tick', tone: 'grey' },
  read: { label: 'Read', mark: 'double-tick', tone: 'blue' },
  played: { label: 'Played', mark: 'microphone', tone: 'blue' },
  failed: { label: 'Failed', mark: 'alert', tone: 'red' },
  // Written here, and the request's outcome is unknown: WhatsApp may or may not have it.
  unconfirmed: { label: 'May not have been sent', mark: 'alert', tone: 'amber' },
};

/** A message's delivery mark; null for inbound messages ('received') and anything unknown. */
export function deliveryView(status: string): DeliveryView | null {
  return Object.hasOwn(DELIVERY_VIEWS, status) ? DELIVERY_VIEWS[status]! : null;
}

// ---- Money ---------------------------------------------------------------------------------------

/** "€128.90"; a currency code Intl does not know (the JSON is untrusted) falls back to "128.90 XYZ". */
export function formatMoney(amount: number, currency: string | null): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
    } catch {
      return `${amount.toFixed(2)} ${currency}`;
    }
  }
  return amount.toLocaleString(undefined, { maximumFractionDigits: 6 });
}

// ---- Previews -------------------------------------------------------------------------------------
// One home: each type's module (lib/whatsapp/message-types) words its own line; here only what is not a type.

/** One line for a message in the thread (quoted replies): with its content, a voice note says so. */
export function previewOfMessage(m: ApiMessage): Preview {
  if (present(m.deletedAt)) return { icon: 'deleted', text: DELETED_LABEL };
  if (m.placeholder === true) return { icon: null, text: PLACEHOLDER_LABEL };
  const content = contentOfMessage(m);
  return previewOfType(contentTypeOf(m, content), { text: present(m.text), subtype: present(m.subtype) }, content);
}

/** The conversation list's line for the last message: it only has type and text, never content. Never empty. */
export function previewOf(last: ApiConversation['lastMessage']): Preview {
  if (!last) return { icon: null, text: 'No messages yet' };
  const type = present(last.type) ?? 'unknown';
  if (type === 'placeholder') return { icon: null, text: PLACEHOLDER_LABEL };
  return previewOfType(type, { text: present(last.text), subtype: null });
}

// ---- buildThread -----------------------------------------------------------------------------------

export interface ThreadReaction {
  emoji: string;
  direction: Direction;
}

export interface ThreadDaySeparator {
  kind: 'day';
  key: string;
  /** YYYY-MM-DD in the viewer's time zone ('unknown' for unusable timestamps). */
  day: string;
  label: string;
}

export interface ThreadMessageItem {
  kind: 'message';
  key: string;
  message: ApiMessage;
  view: MessageView;
  reactions: ThreadReaction[];
  /** The message this one replies to, when it is in the list. */
  quoted: ApiMessage | null;
  /** The replied-to wamid when that message is not in the list. */
  quotedMissingId: string | null;
}

/** A reaction to a message that is not in the list: "Reacted 👍 to a message". */
export interface ThreadReactionNotice {
  kind: 'reaction-notice';
  key: string;
  message: ApiMessage;
  emoji: string;
  direction: Direction;
  targetId: string | null;
  text: string;
}

export type ThreadItem = ThreadDaySeparator | ThreadMessageItem | ThreadReactionNotice;

const UNKNOWN_DAY = 'unknown';

function isReactionRow(m: ApiMessage): boolean {
  return m.type === 'reaction' && m.placeholder !== true;
}

function reactionEmoji(m: ApiMessage): string | null {
  return m.subtype === 'removed' ? null : present(m.text);
}

/**
 * Messages (oldest first) → what the thread shows: day separators, messages with their reactions
 * and quoted message. Reaction rows are folded into their targets: per target and sender direction
 * the latest one wins, and a removal clears it.
 */
export function buildThread(messages: ApiMessage[], now: Date = new Date()): ThreadItem[] {
  // A page boundary or a live update can repeat a message: keep its first place, its latest data.
  const byId = new Map<string, ApiMessage>();
  for (const m of messages) byId.set(m.id, m);
  const ordered: ApiMessage[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    ordered.push(byId.get(m.id) ?? m);
  }
  // Replies and reactions name their target by Meta's wamid; a message written here has an id of its own.
  const byRef = new Map<string, ApiMessage>(byId);
  for (const m of ordered) if (m.wamid) byRef.set(m.wamid, m);

  // The reaction in force per (target, direction): the latest by timestamp, then by position.
  const latestReaction = new Map<string, ApiMessage>();
  for (const m of ordered) {
    if (!isReactionRow(m)) continue;
    const key = `${m.direction}\u0000${present(m.targetId) ?? ''}`;
    const current = latestReaction.get(key);
    if (!current || timeOf(m) >= timeOf(current)) latestReaction.set(key, m);
  }

  const reactionsByTarget = new Map<string, ThreadReaction[]>();
  const orphanNotices = new Set<ApiMessage>();
  for (const row of latestReaction.values()) {
    const emoji = reactionEmoji(row);
    if (!emoji) continue;
    const target = present(row.targetId);
    const targetMessage = target ? byRef.get(target) : undefined;
    if (!target || !targetMessage || isReactionRow(targetMessage)) {
      orphanNotices.add(row);
      continue;
    }
    const list = reactionsByTarget.get(targetMessage.id) ?? [];
    list.push({ emoji, direction: row.direction });
    reactionsByTarget.set(targetMessage.id, list);
  }

  const items: ThreadItem[] = [];
  let currentDay: string | null = null;
  const startDay = (m: ApiMessage) => {
    const date = parseDate(m.timestamp);
    const day = date ? localDayKey(date) : UNKNOWN_DAY;
    if (day === currentDay) return;
    currentDay = day;
    items.push({ kind: 'day', key: `day:${day}:${items.length}`, day, label: date ? formatDayLabel(date, now) : 'Unknown date' });
  };

  for (const m of ordered) {
    if (isReactionRow(m)) {
      if (!orphanNotices.has(m)) continue;
      const emoji = reactionEmoji(m) ?? '';
      startDay(m);
      items.push({
        kind: 'reaction-notice',
        key: m.id,
        message: m,
        emoji,
        direction: m.direction,
        targetId: present(m.targetId),
        text: `Reacted ${emoji} to a message`,
      });
      continue;
    }
    startDay(m);
    const replyTo = present(m.replyToId);
    const quoted = replyTo && replyTo !== m.id && replyTo !== m.wamid ? (byRef.get(replyTo) ?? null) : null;
    const reactions = (reactionsByTarget.get(m.id) ?? []).sort((a, b) =>
      a.direction === b.direction ? 0 : a.direction === 'inbound' ? -1 : 1,
    );
    items.push({
      kind: 'message',
      key: m.id,
      message: m,
      view: describeMessage(m),
      reactions,
      quoted,
      quotedMissingId: replyTo && !quoted ? replyTo : null,
    });
  }
  return items;
}

function timeOf(m: ApiMessage): number {
  return parseDate(m.timestamp)?.getTime() ?? Number.NEGATIVE_INFINITY;
}
