// What the inbox shows for a message: ApiMessage → a small view model. PURE: no React, no I/O.
//
// What a message says comes from its typed `content` (lib/whatsapp/message-types: one module per
// type, made at ingest), never from Meta's raw item. The content is checked against its schema here
// all the same (it arrives over HTTP), and the normalized columns (`text`, `subtype`, `media`) come
// first where they can be newer (an edited text or caption) or where there is no content yet.

import type { ApiConversation, ApiMessage } from '@/lib/contracts/inbox';
import type { MediaFailureReason } from '@/lib/contracts/media';
import {
  type ContentOf,
  DELETED_LABEL,
  type IconName,
  KNOWN_MESSAGE_TYPES,
  MEDIA_LABELS as TYPE_MEDIA_LABELS,
  type MessageContent,
  type MessageContentType,
  messageContentSchema,
  type Preview,
  previewOfType,
  REQUEST_WELCOME_LABEL,
} from '@/lib/whatsapp/message-types';
import type { Direction } from '@/lib/whatsapp/types';
import { formatFileSize } from './format-size';
import { formatDayLabel, localDayKey, parseDate } from './format-time';

export { DELETED_LABEL, type IconName, type Preview, REQUEST_WELCOME_LABEL };

// ---- View model ---------------------------------------------------------------------------------

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

export const MEDIA_LABELS: Record<MediaKind, string> = TYPE_MEDIA_LABELS;

export interface SharedContactCard {
  name: string;
  phones: { phone: string; waId: string | null; type: string | null }[];
  emails: { email: string; type: string | null }[];
  org: string | null;
}

export interface OrderLine {
  productRetailerId: string | null;
  quantity: number | null;
  itemPrice: number | null;
  currency: string | null;
  /** quantity × item_price, when both are numbers. */
  lineTotal: number | null;
}

export interface OrderTotal {
  currency: string;
  amount: number;
}

/** A click-to-WhatsApp ad the customer came from. `sourceUrl` is unvalidated: render it through linkify. */
export interface Referral {
  headline: string | null;
  body: string | null;
  sourceType: string | null;
  sourceUrl: string | null;
}

export type ReplyKind = 'button_reply' | 'list_reply' | 'flow_reply' | 'interactive';

export const REPLY_LABELS: Record<ReplyKind, string> = {
  button_reply: 'Button reply',
  list_reply: 'List reply',
  flow_reply: 'Flow reply',
  interactive: 'Interactive reply',
};

export const MEDIA_FAILURE_TEXT: Record<MediaFailureReason, string> = {
  expired: 'The link expired before it could be downloaded',
  unauthorized: 'The access token was refused',
  checksum_mismatch: 'The file did not match its checksum',
  too_large: 'The file is larger than the limit',
  timeout: 'The download timed out',
  unavailable: "Meta's servers did not answer",
  untrusted_host: 'The file is on a host not allowed to receive the access token (WHATSAPP_MEDIA_HOSTS)',
};

export const MEDIA_FAILURE_FALLBACK = 'The download failed';
export const MEDIA_PENDING_NOTE = 'Downloading…';
export const MEDIA_NO_TOKEN_NOTE = 'Media downloads are off: an admin needs to set WHATSAPP_ACCESS_TOKEN';

/**
 * A media message's file. `url` (and `retryUrl`) only ever come from the read API's mediaFile.url,
 * and only when it is one of our own /api/media/... paths.
 */
export type MediaFileView =
  | {
      status: 'ready';
      url: string;
      size: number | null;
      /** "1.2 MB"; null when the size is unknown. */
      sizeLabel: string | null;
      mimeType: string | null;
    }
  | { status: 'pending'; note: string }
  | { status: 'waiting-for-token'; note: string }
  | { status: 'failed'; reason: MediaFailureReason | null; text: string; retryUrl: string; failedAt: string | null };

export type MessageBody =
  | { kind: 'text'; text: string }
  | {
      kind: 'media';
      mediaKind: MediaKind;
      label: string;
      caption: string | null;
      filename: string | null;
      mimeType: string | null;
      animated: boolean;
      /** The downloaded file's state; null when the read API says nothing about one. */
      file: MediaFileView | null;
    }
  | {
      kind: 'location';
      name: string | null;
      address: string | null;
      latitude: number | null;
      longitude: number | null;
      /** Only when both coordinates are finite and in range. */
      mapUrl: string | null;
    }
  | { kind: 'contacts'; contacts: SharedContactCard[] }
  | {
      kind: 'reply';
      replyKind: ReplyKind;
      title: string;
      /** list_reply only. */
      description: string | null;
      /** flow_reply only: the answers from response_json (flow_token left out). */
      fields: { label: string; value: string }[];
    }
  | { kind: 'order'; catalogId: string | null; items: OrderLine[]; totals: OrderTotal[]; text: string | null }
  | { kind: 'system'; body: string; systemType: string | null }
  | { kind: 'reaction'; emoji: string | null; targetId: string | null }
  | {
      kind: 'unsupported';
      /** What was sent: unsupported.type (poll_creation ...) or Meta's type we do not know. */
      type: string;
      errorTitle: string | null;
      errorDetails: string | null;
      /** Best-effort text for unknown types (normalize's guess), if any. */
      text: string | null;
    }
  | { kind: 'placeholder'; label: string }
  | { kind: 'deleted'; label: string }
  | { kind: 'request_welcome'; label: string };

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

// ---- Small readers --------------------------------------------------------------------------------

type JsonRecord = Record<string, unknown>;

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a key like "__proto__" or "constructor" must not reach Object.prototype. */
function field(v: unknown, key: string): unknown {
  return isRecord(v) && Object.hasOwn(v, key) ? v[key] : undefined;
}

/** A string with something in it; blank is null. */
function str(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const trimmed = v.trim();
  return trimmed === '' ? null : v;
}

function strField(v: unknown, key: string): string | null {
  return str(field(v, key));
}

function bool(v: unknown): boolean {
  return v === true;
}

function firstOf(...candidates: Array<string | null | undefined>): string | null {
  for (const c of candidates) if (typeof c === 'string' && c.trim() !== '') return c;
  return null;
}

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
  const type = str(m.type);
  return type !== null && (KNOWN_MESSAGE_TYPES as readonly string[]).includes(type) ? (type as MessageContentType) : 'unknown';
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
    editedAt: str(m.editedAt),
    referral: m.direction === 'inbound' && !m.deletedAt ? referralView(content) : null,
  };
}

function describeBody(m: ApiMessage, content: MessageContent | null): MessageBody {
  if (str(m.deletedAt)) return { kind: 'deleted', label: DELETED_LABEL };
  if (m.placeholder === true) return { kind: 'placeholder', label: PLACEHOLDER_LABEL };
  const type = contentTypeOf(m, content);
  // The content only when it is of the type dispatched on, so each body function gets its own type.
  const own = <T extends MessageContentType>(t: T) => (content?.type === t ? (content as ContentOf<T>) : null);
  switch (type) {
    case 'text':
      return { kind: 'text', text: firstOf(m.text, own('text')?.body) ?? '' };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return mediaBody(m, type, own(type)?.media ?? null);
    case 'location':
      return locationBody(m, own('location'));
    case 'contacts':
      return contactsBody(m, own('contacts'));
    case 'interactive':
      return interactiveBody(m, own('interactive'));
    case 'button': {
      // The quick-reply button of a template.
      const button = own('button');
      return replyBody('button_reply', firstOf(m.text, button?.text, button?.payload) ?? 'Button', null, []);
    }
    case 'order':
      return orderBody(m, own('order'));
    case 'system': {
      const system = own('system');
      return {
        kind: 'system',
        body: firstOf(m.text, system?.body) ?? 'System message',
        systemType: firstOf(m.subtype, system?.kind),
      };
    }
    case 'reaction': {
      const reaction = own('reaction');
      return {
        kind: 'reaction',
        emoji: reaction ? str(reaction.emoji) : m.subtype === 'removed' ? null : str(m.text),
        targetId: firstOf(m.targetId, reaction?.targetWamid),
      };
    }
    case 'request_welcome':
      return { kind: 'request_welcome', label: REQUEST_WELCOME_LABEL };
    case 'unsupported': {
      const unsupported = own('unsupported');
      return unsupportedBody(m, firstOf(m.subtype, unsupported?.sentType) ?? 'unsupported', null, unsupported?.errors[0]);
    }
    case 'unknown':
      return unsupportedBody(m, firstOf(own('unknown')?.metaType, m.type) ?? 'unknown', firstOf(m.text, own('unknown')?.text), undefined);
    case 'edit':
    case 'revoke':
      // Edit and revoke rows act on other messages; threads leave them out. Say what they are, never blank.
      return unsupportedBody(m, type, str(m.text), undefined);
  }
}

type ContentError = ContentOf<'unsupported'>['errors'][number];

function unsupportedBody(m: ApiMessage, type: string, text: string | null, contentError: ContentError | undefined): MessageBody {
  const apiError = Array.isArray(m.errors) ? m.errors[0] : undefined;
  return {
    kind: 'unsupported',
    type,
    errorTitle: firstOf(contentError?.title, contentError?.message, apiError?.title, apiError?.message),
    errorDetails: firstOf(contentError?.details, apiError?.details),
    text,
  };
}

function mediaBody(m: ApiMessage, type: Exclude<MediaKind, 'voice'>, media: ContentOf<'image'>['media']): MessageBody {
  // m.media is jsonb cast to MediaInfo: check it like anything from the network.
  const stored: unknown = m.media;
  const filename = firstOf(strField(stored, 'filename'), media?.filename);
  const storedCaption = firstOf(strField(stored, 'caption'), media?.caption);
  // `text` is the caption (after edits); for documents without a caption normalize puts the filename there.
  const text = str(m.text);
  const caption = text !== null && text !== filename ? text : storedCaption;
  const voice = bool(field(stored, 'voice')) || media?.voice === true;
  const mediaKind: MediaKind = type === 'audio' && voice ? 'voice' : type;
  return {
    kind: 'media',
    mediaKind,
    label: MEDIA_LABELS[mediaKind],
    caption,
    filename,
    mimeType: firstOf(strField(stored, 'mimeType'), media?.mimeType),
    animated: bool(field(stored, 'animated')) || media?.animated === true,
    file: mediaFileView(m.mediaFile),
  };
}
const OWN_MEDIA_URL = /^\/api\/media\/[^/?#\\]+$/;

/**
 * A pending file whose last attempt failed: why, and which attempt is under way or comes next
 * ("The file did not match its checksum — retrying (attempt 2 of 5)"). Null before any failure.
 */
function retryNote(file: unknown): string | null {
  const raw = strField(file, 'failureReason');
  if (raw === null) return null;
  const why = Object.hasOwn(MEDIA_FAILURE_TEXT, raw) ? MEDIA_FAILURE_TEXT[raw as MediaFailureReason] : MEDIA_FAILURE_FALLBACK;
  const count = (key: string) => {
    const v = field(file, key);
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  };
  const [attempts, max] = [count('attempts'), count('maxAttempts')];
  if (attempts === null || max === null || max === 0) return `${why} — retrying`;
  // Started attempts count the one under way; while waiting, the next is one more.
  const attempt = Math.min(field(file, 'downloading') === true ? Math.max(attempts, 1) : attempts + 1, max);
  return `${why} — retrying (attempt ${attempt} of ${max})`;
}

/** The read API's mediaFile → what the thread shows; null when there is none (or it is not ours). */
export function mediaFileView(file: unknown): MediaFileView | null {
  const url = strField(file, 'url');
  if (url === null || !OWN_MEDIA_URL.test(url)) return null;
  switch (field(file, 'state')) {
    case 'downloaded': {
      const rawSize = field(file, 'size');
      const size = typeof rawSize === 'number' && Number.isSafeInteger(rawSize) && rawSize >= 0 ? rawSize : null;
      return { status: 'ready', url, size, sizeLabel: size === null ? null : formatFileSize(size), mimeType: strField(file, 'mimeType') };
    }
    case 'pending':
      if (field(file, 'waitingForAccessToken') === true) return { status: 'waiting-for-token', note: MEDIA_NO_TOKEN_NOTE };
      return { status: 'pending', note: retryNote(file) ?? MEDIA_PENDING_NOTE };
    case 'failed': {
      const raw = strField(file, 'failureReason');
      const reason = raw !== null && Object.hasOwn(MEDIA_FAILURE_TEXT, raw) ? (raw as MediaFailureReason) : null;
      return {
        status: 'failed',
        reason,
        text: reason ? MEDIA_FAILURE_TEXT[reason] : MEDIA_FAILURE_FALLBACK,
        retryUrl: `${url}/retry`,
        failedAt: strField(file, 'failedAt'),
      };
    }
    default:
      return null;
  }
}

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

/** The OpenStreetMap link for a point, or null unless both coordinates are real ones. */
export function mapUrlOf(latitude: unknown, longitude: unknown): string | null {
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}`;
}

function locationBody(m: ApiMessage, location: ContentOf<'location'> | null): MessageBody {
  const latitude = location?.latitude ?? null;
  const longitude = location?.longitude ?? null;
  let name = str(location?.name);
  const address = str(location?.address);
  // Without content, the normalized "name — address" text is all there is.
  if (!name && !address) name = str(m.text);
  return { kind: 'location', name, address, latitude, longitude, mapUrl: mapUrlOf(latitude, longitude) };
}

function contactsBody(m: ApiMessage, shared: ContentOf<'contacts'> | null): MessageBody {
  const contacts: SharedContactCard[] = (shared?.cards ?? []).map((card) => {
    const phones = card.phones.flatMap((p) => {
      const phone = firstOf(p.phone, p.waId);
      return phone ? [{ phone, waId: str(p.waId), type: str(p.type) }] : [];
    });
    return {
      name: firstOf(card.name, phones[0]?.phone) ?? 'Contact',
      phones,
      emails: card.emails.flatMap((e) => (str(e.email) ? [{ email: e.email, type: str(e.type) }] : [])),
      org: firstOf(card.org?.company, card.org?.department),
    };
  });
  if (contacts.length === 0) contacts.push({ name: str(m.text) ?? 'Contact', phones: [], emails: [], org: null });
  return { kind: 'contacts', contacts };
}

function interactiveBody(m: ApiMessage, reply: ContentOf<'interactive'> | null): MessageBody {
  switch (firstOf(m.subtype, reply?.kind)) {
    case 'button_reply':
      return replyBody('button_reply', firstOf(m.text, reply?.title) ?? 'Button', null, []);
    case 'list_reply':
      return replyBody('list_reply', firstOf(m.text, reply?.title) ?? 'List item', str(reply?.description), []);
    case 'nfm_reply':
      return replyBody(
        'flow_reply',
        firstOf(m.text, reply?.flow?.body, reply?.flow?.name) ?? 'Form submitted',
        null,
        reply?.flow?.fields ?? [],
      );
    default:
      return replyBody('interactive', firstOf(m.text, reply?.title) ?? 'Interactive reply', null, []);
  }
}

function replyBody(
  replyKind: ReplyKind,
  title: string,
  description: string | null,
  fields: { label: string; value: string }[],
): MessageBody {
  return { kind: 'reply', replyKind, title, description, fields };
}

function orderBody(m: ApiMessage, order: ContentOf<'order'> | null): MessageBody {
  return {
    kind: 'order',
    catalogId: str(order?.catalogId),
    items: order?.lines ?? [],
    totals: order?.totals ?? [],
    // Without content, the normalized "Order: N items — note" is shown as the note.
    text: order ? str(order.text) : str(m.text),
  };
}

function referralView(content: MessageContent | null): Referral | null {
  const referral = content?.referral;
  if (!referral) return null;
  const view: Referral = {
    headline: str(referral.headline),
    body: str(referral.body),
    sourceType: str(referral.sourceType),
    sourceUrl: str(referral.sourceUrl),
  };
  return view.headline || view.body || view.sourceType || view.sourceUrl ? view : null;
}

// ---- Delivery status -------------------------------------------------------------------------------

/** The mark an outbound message carries: WhatsApp's ticks, and a microphone for a played voice message. */
export type DeliveryMark = 'clock' | 'tick' | 'double-tick' | 'microphone' | 'alert';

export interface DeliveryView {
  /** What the mark says to a screen reader and on hover. */
  label: string;
  mark: DeliveryMark;
  tone: 'grey' | 'blue' | 'red';
}

const DELIVERY_VIEWS: Record<string, DeliveryView> = {
  pending: { label: 'Pending', mark: 'clock', tone: 'grey' },
  sent: { label: 'Sent', mark: 'tick', tone: 'grey' },
  delivered: { label: 'Delivered', mark: 'double-tick', tone: 'grey' },
  read: { label: 'Read', mark: 'double-tick', tone: 'blue' },
  played: { label: 'Played', mark: 'microphone', tone: 'blue' },
  failed: { label: 'Failed', mark: 'alert', tone: 'red' },
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
  if (str(m.deletedAt)) return { icon: 'deleted', text: DELETED_LABEL };
  if (m.placeholder === true) return { icon: null, text: PLACEHOLDER_LABEL };
  const content = contentOfMessage(m);
  return previewOfType(contentTypeOf(m, content), { text: str(m.text), subtype: str(m.subtype) }, content);
}

/** The conversation list's line for the last message: it only has type and text, never content. Never empty. */
export function previewOf(last: ApiConversation['lastMessage']): Preview {
  if (!last) return { icon: null, text: 'No messages yet' };
  const type = str(last.type) ?? 'unknown';
  if (type === 'placeholder') return { icon: null, text: PLACEHOLDER_LABEL };
  return previewOfType(type, { text: str(last.text), subtype: null });
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
  return m.subtype === 'removed' ? null : str(m.text);
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

  // The reaction in force per (target, direction): the latest by timestamp, then by position.
  const latestReaction = new Map<string, ApiMessage>();
  for (const m of ordered) {
    if (!isReactionRow(m)) continue;
    const key = `${m.direction}\u0000${str(m.targetId) ?? ''}`;
    const current = latestReaction.get(key);
    if (!current || timeOf(m) >= timeOf(current)) latestReaction.set(key, m);
  }

  const reactionsByTarget = new Map<string, ThreadReaction[]>();
  const orphanNotices = new Set<ApiMessage>();
  for (const row of latestReaction.values()) {
    const emoji = reactionEmoji(row);
    if (!emoji) continue;
    const target = str(row.targetId);
    const targetMessage = target ? byId.get(target) : undefined;
    if (!target || !targetMessage || isReactionRow(targetMessage)) {
      orphanNotices.add(row);
      continue;
    }
    const list = reactionsByTarget.get(target) ?? [];
    list.push({ emoji, direction: row.direction });
    reactionsByTarget.set(target, list);
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
        targetId: str(m.targetId),
        text: `Reacted ${emoji} to a message`,
      });
      continue;
    }
    startDay(m);
    const replyTo = str(m.replyToId);
    const quoted = replyTo && replyTo !== m.id ? (byId.get(replyTo) ?? null) : null;
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
