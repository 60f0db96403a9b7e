// The registry of WhatsApp message types: one module per type (its content schema, how Meta's item
// becomes content, what the store and the conversation list need from it, what the thread shows),
// listed once here. The normalizer, the store's lists of media and modifier types, the previews and
// the thread all read it. Adding a type: its module, a line here, and a renderer for its view's kind
// if it has a new one (app/_components/message-types).
// Client-safe: the browser imports it (no db/, no server-only, no node: modules).

import { z } from 'zod';
import { type MessageItem, messageItemSchema } from '../payload';
import { safeJson } from '../sanitize';
import { audioMessage } from './audio';
import { buttonMessage } from './button';
import { contactsMessage } from './contacts';
import { documentMessage } from './document';
import { editMessage } from './edit';
import { imageMessage } from './image';
import { interactiveMessage } from './interactive';
import { locationMessage } from './location';
import type { MessageSummary, MessageTypeModule, Preview, StoredFields } from './message-type';
import { referralOf, schemasOf } from './message-type';
import { orderMessage } from './order';
import { isRecord } from './read';
import { reactionMessage } from './reaction';
import { requestWelcomeMessage } from './request-welcome';
import { revokeMessage } from './revoke';
import { stickerMessage } from './sticker';
import { systemMessage } from './system';
import { templateMessage } from './template';
import { textMessage } from './text';
import { unknownMessage } from './unknown';
import { unsupportedMessage } from './unsupported';
import { videoMessage } from './video';
import type { MessageRow } from './view';

export const MESSAGE_TYPE_MODULES = [
  textMessage,
  imageMessage,
  videoMessage,
  audioMessage,
  documentMessage,
  stickerMessage,
  locationMessage,
  contactsMessage,
  interactiveMessage,
  buttonMessage,
  reactionMessage,
  orderMessage,
  systemMessage,
  editMessage,
  revokeMessage,
  unsupportedMessage,
  requestWelcomeMessage,
  templateMessage,
  unknownMessage,
] as const;

type Modules = typeof MESSAGE_TYPE_MODULES;
type Module = Modules[number];

/** A message's typed, versioned content: one shape per type, told apart by `type`. */
export const messageContentSchema = z.discriminatedUnion('type', schemasOf(MESSAGE_TYPE_MODULES));
export type MessageContent = z.infer<typeof messageContentSchema>;
export type MessageContentType = MessageContent['type'];
export type ContentOf<Type extends MessageContentType> = Extract<MessageContent, { type: Type }>;

const MODULE_BY_TYPE = new Map<string, Module>(MESSAGE_TYPE_MODULES.map((module) => [module.type, module]));

/** The module of a content type, or of one of Meta's type names (`unknown` for any we have none for). */
export function messageTypeModule(type: string): MessageTypeModule {
  return (MODULE_BY_TYPE.get(type) ?? unknownMessage) as MessageTypeModule;
}

/** Types with a module of their own, `unknown` aside: the names Meta uses. */
export const KNOWN_MESSAGE_TYPES = MESSAGE_TYPE_MODULES.filter((module) => module.type !== 'unknown').map((module) => module.type);

/** Message types that carry a file (a media id the Graph API turns into bytes). */
export const MEDIA_MESSAGE_TYPES = MESSAGE_TYPE_MODULES.filter((module) => module.media).map(
  (module) => module.type as Extract<Module, { media: true }>['type'],
);
export type MediaMessageType = 'image' | 'video' | 'audio' | 'document' | 'sticker';
export const isMediaMessageType = (type: string): type is MediaMessageType => MODULE_BY_TYPE.get(type)?.media === true;

/** Message types that act on another message (reaction, edit, revoke) instead of standing in the thread themselves. */
export const MODIFIER_MESSAGE_TYPES = MESSAGE_TYPE_MODULES.filter((module) => module.modifier).map((module) => module.type);
export const isModifierMessageType = (type: string): boolean => MODULE_BY_TYPE.get(type)?.modifier === true;

/** Types that change their target for good (edit, revoke): the store applies them; threads and the list leave them out. */
export const TARGET_REWRITING_MESSAGE_TYPES: readonly string[] = MESSAGE_TYPE_MODULES.filter(
  (module) => 'rewritesTarget' in module && module.rewritesTarget === true,
).map((module) => module.type);
export const rewritesTarget = (type: string): boolean => TARGET_REWRITING_MESSAGE_TYPES.includes(type);

const NO_ITEM: MessageContent = { v: 1, type: 'unknown', metaType: null, text: null };

/**
 * Meta's message item → its content. Pure and total: whatever the item holds, a content comes back
 * (`unknown` for types we have no module for, and for anything that is not an item at all). Works on
 * a message's stored `raw` as well as on the item as Meta sent it.
 */
export function contentOf(rawItem: unknown): MessageContent {
  if (!isRecord(rawItem)) return NO_ITEM;
  const parsed = messageItemSchema.safeParse(rawItem);
  return parsed.success ? contentOfItem(parsed.data, rawItem) : NO_ITEM;
}

/** contentOf for an item already parsed by messageItemSchema (the normalizer has one in hand). */
export function contentOfItem(item: MessageItem, rawItem: Record<string, unknown>): MessageContent {
  const module = messageTypeModule(item.type ?? '');
  const content = module.fromMeta(item, rawItem) as MessageContent;
  const referral = referralOf(rawItem);
  // Built from cleaned strings already; safeJson is the last word for anything a module passed through.
  return safeJson(referral ? { ...content, referral } : content) as MessageContent;
}

/** What the store keeps beside the content: searchable text, subtype, the file to download, the target. */
export function storedFieldsOf(content: MessageContent): StoredFields {
  return messageTypeModule(content.type).stored(content);
}

/**
 * One line for a message, from its type and stored text and subtype (the conversation list, which
 * never loads content) or with its content too (the thread's quoted replies).
 */
export function previewOfType(type: string, summary: MessageSummary, content: MessageContent | null = null): Preview {
  const module = content ? messageTypeModule(content.type) : messageTypeModule(type);
  return module.preview(summary, content);
}

/** What the thread shows for a message of any type: the union of the modules' view bodies, told apart by `kind`. */
export type MessageTypeView = ReturnType<Module['view']>;

/**
 * What the thread shows for a message: by its content's type when it has content, else by its
 * stored type (`unknown` for any we have no module for), from the content and the row's columns.
 */
export function viewOfType(type: string, content: MessageContent | null, row: MessageRow): MessageTypeView {
  const module = content ? messageTypeModule(content.type) : messageTypeModule(type);
  return module.view(content, row) as MessageTypeView;
}

export type { IconName, MessageSummary, Preview, Referral, StoredFields } from './message-type';
export type { MessageRow, StoredMedia } from './view';
export { MEDIA_LABELS } from './media';
export { DELETED_LABEL } from './revoke';
export { REQUEST_WELCOME_LABEL } from './request-welcome';
export { UNSUPPORTED_LABEL } from './unsupported';
