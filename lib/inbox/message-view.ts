// What the inbox shows for a message: ApiMessage → a small view model. PURE: no React, no I/O.
//
// `ApiMessage.raw` is the item exactly as Meta sent it, so it is read like any untrusted JSON: every
// field is checked for presence and type, and nothing here throws whatever it holds. The normalized
// columns (`text`, `subtype`, `media`) come first; raw only fills in what they do not carry.

import type { ApiConversation, ApiMessage } from '@/lib/contracts/inbox';
import type { MediaFailureReason } from '@/lib/contracts/media';
import { type Direction, isMediaMessageType } from '@/lib/whatsapp/types';
import { formatFileSize } from './format-size';
import { formatDayLabel, localDayKey, parseDate } from './format-time';

// ---- View model ---------------------------------------------------------------------------------

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

export const MEDIA_LABELS: Record<MediaKind, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  voice: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
};

/**
 * What a preview or card shows as its picture, by name: the view model stays free of React, and
 * app/_components/icon.tsx draws each name in one place (an icon library, not emoji, which render as
 * empty boxes where no emoji font is installed).
 */
export type IconName = MediaKind | 'location' | 'contact' | 'reply' | 'order' | 'info' | 'edit' | 'unsupported' | 'deleted' | 'welcome';

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
export const DELETED_LABEL = 'This message was deleted';
export const REQUEST_WELCOME_LABEL = 'Customer opened the chat';

// ---- Small readers for untrusted JSON -----------------------------------------------------------

type JsonRecord = Record<string, unknown>;

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a key like "__proto__" or "constructor" must not reach Object.prototype. */
function field(v: unknown, key: string): unknown {
  return isRecord(v) && Object.hasOwn(v, key) ? v[key] : undefined;
}

function str(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const trimmed = v.trim();
  return trimmed === '' ? null : v;
}

function strField(v: unknown, key: string): string | null {
  return str(field(v, key));
}

function arr(v: unknown, max: number): unknown[] {
  return Array.isArray(v) ? v.slice(0, max) : [];
}

/** A finite number, also from a plain numeric string ("2", "19.50"). */
function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function bool(v: unknown): boolean {
  return v === true;
}

function firstOf(...candidates: Array<string | null | undefined>): string | null {
  for (const c of candidates) if (typeof c === 'string' && c.trim() !== '') return c;
  return null;
}

// ---- describeMessage ----------------------------------------------------------------------------

export function describeMessage(m: ApiMessage): MessageView {
  return { ...describeBody(m), ...flagsOf(m) };
}

function flagsOf(m: ApiMessage): MessageFlags {
  return {
    forwarded: m.forwarded === true || m.frequentlyForwarded === true,
    frequentlyForwarded: m.frequentlyForwarded === true,
    editedAt: str(m.editedAt),
    referral: m.direction === 'inbound' && !m.deletedAt ? referralOf(m.raw) : null,
  };
}

function describeBody(m: ApiMessage): MessageBody {
  if (str(m.deletedAt)) return { kind: 'deleted', label: DELETED_LABEL };
  if (m.placeholder === true) return { kind: 'placeholder', label: PLACEHOLDER_LABEL };
  const raw = m.raw;
  const type = str(m.type) ?? 'unknown';
  if (isMediaMessageType(type)) return mediaBody(m, type);
  switch (type) {
    case 'text':
      return { kind: 'text', text: firstOf(m.text, strField(field(raw, 'text'), 'body')) ?? '' };
    case 'location':
      return locationBody(m);
    case 'contacts':
      return contactsBody(m);
    case 'interactive':
      return interactiveBody(m);
    case 'button':
      // The quick-reply button of a template.
      return {
        kind: 'reply',
        replyKind: 'button_reply',
        title: firstOf(m.text, strField(field(raw, 'button'), 'text'), strField(field(raw, 'button'), 'payload')) ?? 'Button',
        description: null,
        fields: [],
      };
    case 'order':
      return orderBody(m);
    case 'system':
      return {
        kind: 'system',
        body: firstOf(m.text, strField(field(raw, 'system'), 'body')) ?? 'System message',
        systemType: firstOf(m.subtype, strField(field(raw, 'system'), 'type')),
      };
    case 'reaction':
      return {
        kind: 'reaction',
        emoji: m.subtype === 'removed' ? null : str(m.text),
        targetId: firstOf(m.targetId, strField(field(raw, 'reaction'), 'message_id')),
      };
    case 'request_welcome':
      return { kind: 'request_welcome', label: REQUEST_WELCOME_LABEL };
    case 'unsupported':
      return unsupportedBody(m, firstOf(m.subtype, strField(field(raw, 'unsupported'), 'type')) ?? 'unsupported', null);
    default:
      // Types we do not know (or edit/revoke rows, which threads leave out): say so, never blank.
      return unsupportedBody(m, type, str(m.text));
  }
}

function unsupportedBody(m: ApiMessage, type: string, text: string | null): MessageBody {
  const rawError = arr(field(m.raw, 'errors'), 1)[0];
  const apiError = Array.isArray(m.errors) ? m.errors[0] : undefined;
  return {
    kind: 'unsupported',
    type,
    errorTitle: firstOf(strField(rawError, 'title'), strField(rawError, 'message'), apiError?.title, apiError?.message),
    errorDetails: firstOf(strField(field(rawError, 'error_data'), 'details'), strField(rawError, 'details'), apiError?.details),
    text,
  };
}

function mediaBody(m: ApiMessage, type: Exclude<MediaKind, 'voice'>): MessageBody {
  // m.media is jsonb cast to MediaInfo: check it like raw.
  const stored: unknown = m.media;
  const rawMedia = field(m.raw, type);
  const pick = (storedKey: string, rawKey: string) => firstOf(strField(stored, storedKey), strField(rawMedia, rawKey));
  const filename = pick('filename', 'filename');
  const storedCaption = pick('caption', 'caption');
  // `text` is the caption (after edits); for documents without a caption normalize puts the filename there.
  const text = str(m.text);
  const caption = text !== null && text !== filename ? text : storedCaption;
  const voice = bool(field(stored, 'voice')) || bool(field(rawMedia, 'voice'));
  const mediaKind: MediaKind = type === 'audio' && voice ? 'voice' : type;
  return {
    kind: 'media',
    mediaKind,
    label: MEDIA_LABELS[mediaKind],
    caption,
    filename,
    mimeType: pick('mimeType', 'mime_type'),
    animated: bool(field(stored, 'animated')) || bool(field(rawMedia, 'animated')),
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

function locationBody(m: ApiMessage): MessageBody {
  const location = field(m.raw, 'location');
  const latValue = field(location, 'latitude');
  const longValue = field(location, 'longitude');
  const latitude = typeof latValue === 'number' && Number.isFinite(latValue) ? latValue : null;
  const longitude = typeof longValue === 'number' && Number.isFinite(longValue) ? longValue : null;
  let name = strField(location, 'name');
  const address = strField(location, 'address');
  // Without a readable raw, the normalized "name — address" text is all there is.
  if (!name && !address) name = str(m.text);
  return { kind: 'location', name, address, latitude, longitude, mapUrl: mapUrlOf(latitude, longitude) };
}

const MAX_CARDS = 20;
const MAX_CARD_ENTRIES = 10;

function contactsBody(m: ApiMessage): MessageBody {
  const contacts: SharedContactCard[] = [];
  for (const card of arr(field(m.raw, 'contacts'), MAX_CARDS)) {
    if (!isRecord(card)) continue;
    const name = field(card, 'name');
    const joined = [strField(name, 'first_name'), strField(name, 'middle_name'), strField(name, 'last_name')]
      .filter((p): p is string => p !== null)
      .join(' ');
    const phones = arr(field(card, 'phones'), MAX_CARD_ENTRIES).flatMap((p) => {
      const phone = strField(p, 'phone') ?? strField(p, 'wa_id');
      return phone ? [{ phone, waId: strField(p, 'wa_id'), type: strField(p, 'type') }] : [];
    });
    const emails = arr(field(card, 'emails'), MAX_CARD_ENTRIES).flatMap((e) => {
      const email = strField(e, 'email');
      return email ? [{ email, type: strField(e, 'type') }] : [];
    });
    const org = field(card, 'org');
    contacts.push({
      name: firstOf(strField(name, 'formatted_name'), joined, phones[0]?.phone) ?? 'Contact',
      phones,
      emails,
      org: firstOf(strField(org, 'company'), strField(org, 'department')),
    });
  }
  if (contacts.length === 0) contacts.push({ name: str(m.text) ?? 'Contact', phones: [], emails: [], org: null });
  return { kind: 'contacts', contacts };
}

const MAX_FLOW_FIELDS = 20;
const MAX_FLOW_JSON = 20_000;

function interactiveBody(m: ApiMessage): MessageBody {
  const interactive = field(m.raw, 'interactive');
  const subtype = firstOf(m.subtype, strField(interactive, 'type'));
  const reply = subtype ? field(interactive, subtype) : undefined;
  switch (subtype) {
    case 'button_reply':
      return replyBody('button_reply', firstOf(m.text, strField(reply, 'title')) ?? 'Button', null, []);
    case 'list_reply':
      return replyBody('list_reply', firstOf(m.text, strField(reply, 'title')) ?? 'List item', strField(reply, 'description'), []);
    case 'nfm_reply':
      return replyBody(
        'flow_reply',
        firstOf(m.text, strField(reply, 'body'), strField(reply, 'name')) ?? 'Form submitted',
        null,
        flowFields(field(reply, 'response_json')),
      );
    default:
      return replyBody('interactive', firstOf(m.text, strField(reply, 'title')) ?? 'Interactive reply', null, []);
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

/** The answers of a completed Flow: response_json is a JSON string of (mostly) flat key/values. */
function flowFields(responseJson: unknown): { label: string; value: string }[] {
  let parsed: unknown = responseJson;
  if (typeof responseJson === 'string') {
    if (responseJson.length > MAX_FLOW_JSON) return [];
    try {
      parsed = JSON.parse(responseJson);
    } catch {
      return [];
    }
  }
  if (!isRecord(parsed)) return [];
  const fields: { label: string; value: string }[] = [];
  for (const [label, value] of Object.entries(parsed)) {
    if (label === 'flow_token') continue;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      fields.push({ label, value: String(value) });
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      fields.push({ label, value: value.join(', ') });
    }
    if (fields.length >= MAX_FLOW_FIELDS) break;
  }
  return fields;
}

const MAX_ORDER_LINES = 100;

/** Rounds away float noise (0.1 × 3) without assuming a currency's number of decimals. */
const roundAmount = (n: number) => Math.round(n * 1e6) / 1e6;

function orderBody(m: ApiMessage): MessageBody {
  const order = field(m.raw, 'order');
  const items: OrderLine[] = [];
  const totals = new Map<string, number>();
  for (const line of arr(field(order, 'product_items'), MAX_ORDER_LINES)) {
    if (!isRecord(line)) continue;
    const quantity = num(field(line, 'quantity'));
    const itemPrice = num(field(line, 'item_price'));
    const currencyValue = strField(line, 'currency');
    const currency = currencyValue ? currencyValue.trim().toUpperCase() : null;
    const lineTotal = quantity !== null && itemPrice !== null ? roundAmount(quantity * itemPrice) : null;
    items.push({ productRetailerId: strField(line, 'product_retailer_id'), quantity, itemPrice, currency, lineTotal });
    if (lineTotal !== null && currency) totals.set(currency, roundAmount((totals.get(currency) ?? 0) + lineTotal));
  }
  // Without raw, the normalized "Order: N items — note" is shown as the note.
  const text = strField(order, 'text') ?? (order === undefined ? str(m.text) : null);
  return {
    kind: 'order',
    catalogId: strField(order, 'catalog_id'),
    items,
    totals: [...totals].map(([currency, amount]) => ({ currency, amount })),
    text,
  };
}

function referralOf(raw: unknown): Referral | null {
  const referral = field(raw, 'referral');
  if (!isRecord(referral)) return null;
  const view: Referral = {
    headline: strField(referral, 'headline'),
    body: strField(referral, 'body'),
    sourceType: strField(referral, 'source_type'),
    sourceUrl: strField(referral, 'source_url'),
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

export interface Preview {
  /** null: the text says it all (a text message, a reaction). */
  icon: IconName | null;
  text: string;
}

/** One line for a message: the conversation list, quoted replies. */
export function previewOfView(view: MessageView): Preview {
  switch (view.kind) {
    case 'text':
      return { icon: null, text: view.text || 'Message' };
    case 'media':
      return { icon: view.mediaKind, text: view.caption ?? view.filename ?? view.label };
    case 'location':
      return { icon: 'location', text: firstOf(view.name, view.address) ?? 'Location' };
    case 'contacts':
      return { icon: 'contact', text: view.contacts.map((c) => c.name).join(', ') || 'Contact' };
    case 'reply':
      return { icon: 'reply', text: view.title };
    case 'order': {
      const count = view.items.reduce((n, i) => n + (i.quantity !== null && i.quantity > 0 ? i.quantity : 1), 0);
      return { icon: 'order', text: count > 0 ? `Order: ${count} ${count === 1 ? 'item' : 'items'}` : 'Order' };
    }
    case 'system':
      return { icon: 'info', text: view.body };
    case 'reaction':
      return { icon: null, text: view.emoji ? `Reacted ${view.emoji}` : 'Removed a reaction' };
    case 'unsupported':
      return { icon: 'unsupported', text: 'Unsupported message' };
    case 'placeholder':
      return { icon: null, text: view.label };
    case 'deleted':
      return { icon: 'deleted', text: view.label };
    case 'request_welcome':
      return { icon: 'welcome', text: view.label };
  }
}

export function previewOfMessage(m: ApiMessage): Preview {
  return previewOfView(describeMessage(m));
}

const PREVIEW_BY_TYPE: Record<string, Preview> = {
  image: { icon: 'image', text: 'Photo' },
  video: { icon: 'video', text: 'Video' },
  audio: { icon: 'voice', text: 'Audio' },
  document: { icon: 'document', text: 'Document' },
  sticker: { icon: 'sticker', text: 'Sticker' },
  location: { icon: 'location', text: 'Location' },
  contacts: { icon: 'contact', text: 'Contact' },
  order: { icon: 'order', text: 'Order' },
  interactive: { icon: 'reply', text: 'Reply' },
  button: { icon: 'reply', text: 'Reply' },
  system: { icon: 'info', text: 'System message' },
  edit: { icon: 'edit', text: 'Edited a message' },
  text: { icon: null, text: 'Message' },
};

/** The conversation list's line for the last message: it only has type and text. Never empty. */
export function previewOf(last: ApiConversation['lastMessage']): Preview {
  if (!last) return { icon: null, text: 'No messages yet' };
  const type = str(last.type) ?? 'unknown';
  const text = str(last.text);
  switch (type) {
    case 'reaction':
      return { icon: null, text: text ? `Reacted ${text}` : 'Removed a reaction' };
    case 'placeholder':
      return { icon: null, text: PLACEHOLDER_LABEL };
    case 'revoke':
      return { icon: 'deleted', text: DELETED_LABEL };
    case 'request_welcome':
      return { icon: 'welcome', text: REQUEST_WELCOME_LABEL };
    case 'unsupported':
      return { icon: 'unsupported', text: 'Unsupported message' };
  }
  const known = Object.hasOwn(PREVIEW_BY_TYPE, type) ? PREVIEW_BY_TYPE[type] : undefined;
  if (!known) return { icon: 'unsupported', text: text ?? 'Unsupported message' };
  return { icon: known.icon, text: text ?? known.text };
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
