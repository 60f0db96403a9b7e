import type { OutboundMediaKind } from '@/lib/contracts/outbound-media';

// The bodies of `POST /{phone_number_id}/messages`, built from small typed inputs. PURE: no I/O, no
// validation beyond shape (the API layer checks lengths and required values before a message is stored).
// Shapes per Meta's Cloud API pages (service messages, text, media, reaction, template, mark-as-read,
// typing indicators), summarised with sources in shared/meta/send-side.md §1.2–1.6 and §1.10.

/** Meta's limit on a text message's body, in characters. */
export const TEXT_MAX_CHARS = 4096;
/** Meta's limit on a media caption (image, video, document), in characters. */
export const CAPTION_MAX_CHARS = 1024;
/**
 * `biz_opaque_callback_data` comes back in the status webhooks of the message; 512 characters at most
 * (per public SDK models; not stated on a Meta page we read), far above our ids.
 */
export const CALLBACK_DATA_MAX_CHARS = 512;

/**
 * Who gets the message: a phone number (the customer's wa_id), or, for a customer known only by their
 * business-scoped user id, that BSUID.
 */
export type Recipient = { waId: string } | { bsuid: string };

export interface OutboundText {
  type: 'text';
  text: string;
  /** The wamid of the message this one quotes. */
  replyTo?: string;
}

export interface OutboundMedia {
  type: OutboundMediaKind;
  /** From uploadMedia. */
  mediaId: string;
  /** Image, video and document only; ignored for audio and stickers, where Meta refuses one. */
  caption?: string;
  /** Document only: the name the customer sees. */
  filename?: string;
  /** Audio only: send as a voice note (OGG/Opus). */
  voice?: boolean;
  replyTo?: string;
}

export interface OutboundReaction {
  type: 'reaction';
  /** The wamid reacted to (at most 30 days old). */
  messageId: string;
  /** One emoji; '' removes our reaction. */
  emoji: string;
}

/** A template's variables: positional (`{{1}}`, `{{2}}`… in order) or named (`{{first_name}}`). */
export type TemplateParameters = readonly string[] | Readonly<Record<string, string>>;

export type TemplateHeader =
  | { type: 'text'; parameters: TemplateParameters }
  | { type: 'image' | 'video'; mediaId: string }
  | { type: 'document'; mediaId: string; filename?: string };

export type TemplateButton =
  /** A URL button's dynamic suffix. */
  | { subType: 'url'; index: number; text: string }
  /** What a quick-reply button sends back to us when tapped. */
  | { subType: 'quick_reply'; index: number; payload: string };

export interface OutboundTemplate {
  type: 'template';
  name: string;
  /** e.g. en_US */
  language: string;
  body?: TemplateParameters;
  header?: TemplateHeader;
  buttons?: readonly TemplateButton[];
}

export type OutboundMessage = OutboundText | OutboundMedia | OutboundReaction | OutboundTemplate;

/** A `/messages` body as Meta takes it (the keys we use; Meta's own names). */
export interface MessageRequest {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to?: string;
  recipient?: string;
  type: OutboundMessage['type'];
  context?: { message_id: string };
  biz_opaque_callback_data: string;
  [content: string]: unknown;
}

/** Mark-as-read, optionally with the typing indicator: both answer `{"success": true}`. */
export interface ReadRequest {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator?: { type: 'text' };
}

/**
 * The `/messages` body that sends `message` to `recipient`; `callbackData` (our message id) comes back
 * in every status webhook of it, which is how a status finds its message even when Meta's HTTP answer was
 * lost.
 */
export function buildMessageRequest(recipient: Recipient, message: OutboundMessage, callbackData: string): MessageRequest {
  const request: MessageRequest = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...recipientFields(recipient),
    type: message.type,
    biz_opaque_callback_data: callbackData,
  };
  if ('replyTo' in message && message.replyTo) request.context = { message_id: message.replyTo };
  request[message.type] = contentOf(message);
  return request;
}

/** Marks `messageId` (an inbound wamid) read: the customer sees blue ticks on it and everything before it. */
export function buildReadRequest(messageId: string): ReadRequest {
  return { messaging_product: 'whatsapp', status: 'read', message_id: messageId };
}

/**
 * Shows the customer "typing…" in reply to `messageId` (which it also marks read); Meta dismisses it
 * after 25 s or when we send.
 */
export function buildTypingRequest(messageId: string): ReadRequest {
  return { ...buildReadRequest(messageId), typing_indicator: { type: 'text' } };
}

/**
 * `to` always carries the + and country code: without the +, Meta prefixes the business number's own
 * country code. A BSUID goes in `recipient`: in `to`, Meta answers 200 and drops the message.
 */
function recipientFields(recipient: Recipient): { to: string } | { recipient: string } {
  if ('bsuid' in recipient) return { recipient: recipient.bsuid };
  return { to: `+${recipient.waId.replace(/^\+/, '')}` };
}

function contentOf(message: OutboundMessage): Record<string, unknown> {
  switch (message.type) {
    case 'text':
      // Meta only tries a link preview when asked, and only for http(s) URLs.
      return hasLink(message.text) ? { body: message.text, preview_url: true } : { body: message.text };
    case 'reaction':
      return { message_id: message.messageId, emoji: message.emoji };
    case 'template':
      return templateOf(message);
    default:
      return mediaOf(message);
  }
}

function mediaOf(message: OutboundMedia): Record<string, unknown> {
  const media: Record<string, unknown> = { id: message.mediaId };
  // Audio and stickers take no caption: Meta refuses the message if one is sent.
  if (message.caption && (message.type === 'image' || message.type === 'video' || message.type === 'document')) {
    media.caption = message.caption;
  }
  if (message.type === 'document' && message.filename) media.filename = message.filename;
  if (message.type === 'audio' && message.voice) media.voice = true;
  return media;
}

function templateOf(message: OutboundTemplate): Record<string, unknown> {
  const components: Record<string, unknown>[] = [];
  if (message.header) components.push({ type: 'header', parameters: headerParameters(message.header) });
  if (message.body && Object.keys(message.body).length > 0) components.push({ type: 'body', parameters: textParameters(message.body) });
  for (const button of message.buttons ?? []) {
    components.push({
      type: 'button',
      sub_type: button.subType,
      // Meta takes the button's position as a string.
      index: String(button.index),
      parameters: [button.subType === 'url' ? { type: 'text', text: button.text } : { type: 'payload', payload: button.payload }],
    });
  }
  const template: Record<string, unknown> = { name: message.name, language: { code: message.language } };
  if (components.length > 0) template.components = components;
  return template;
}

function headerParameters(header: TemplateHeader): Record<string, unknown>[] {
  switch (header.type) {
    case 'text':
      return textParameters(header.parameters);
    case 'document':
      return [{ type: 'document', document: header.filename ? { id: header.mediaId, filename: header.filename } : { id: header.mediaId } }];
    default:
      return [{ type: header.type, [header.type]: { id: header.mediaId } }];
  }
}

/** Positional parameters go in order; named ones each say which `{{name}}` they fill, in any order. */
function textParameters(parameters: TemplateParameters): Record<string, unknown>[] {
  if (isPositional(parameters)) return parameters.map((text) => ({ type: 'text', text }));
  return Object.entries(parameters).map(([name, text]) => ({ type: 'text', parameter_name: name, text }));
}

function isPositional(parameters: TemplateParameters): parameters is readonly string[] {
  return Array.isArray(parameters);
}

function hasLink(text: string): boolean {
  return /\bhttps?:\/\/[^\s/]/i.test(text);
}
