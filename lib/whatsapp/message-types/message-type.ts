// What every message type module provides, and the pieces their content schemas share.
//
// A message's `content` is `{ v: 1, type, ...its parts }`, made once at ingest from Meta's item by its
// type's module, and what the inbox renders from. `v` lets a shape change later without guessing.

import { z } from 'zod';
import type { MessageItem } from '../payload';
import type { MediaInfo } from '../types';
import { isRecord, type JsonRecord, MAX_SHORT_LENGTH, MAX_TEXT_LENGTH, ownValue, stringField } from './read';
import type { MessageRow, TypeView } from './view';

export const CONTENT_VERSION = 1;

/** A bounded string as the schemas declare it (fromMeta cuts to the same bounds). */
export const shortText = z.string().max(MAX_SHORT_LENGTH);
export const longText = z.string().max(MAX_TEXT_LENGTH);

/** The click-to-WhatsApp ad an inbound message came from. `sourceUrl` is unvalidated: render it through linkify. */
export const referralSchema = z.object({
  sourceUrl: shortText.nullable(),
  sourceId: shortText.nullable(),
  sourceType: shortText.nullable(),
  headline: shortText.nullable(),
  body: longText.nullable(),
  mediaType: shortText.nullable(),
  ctwaClid: shortText.nullable(),
});
export type Referral = z.infer<typeof referralSchema>;

/** `{ v: 1, type, ...shape, referral? }`: the schema of one type's content. */
export function contentSchema<const Type extends string, Shape extends z.ZodRawShape>(type: Type, shape: Shape) {
  return z.object({ v: z.literal(CONTENT_VERSION), type: z.literal(type), ...shape, referral: referralSchema.optional() });
}

/** A message item's `referral` (any type may carry one); null unless it says something. */
export function referralOf(raw: JsonRecord): Referral | null {
  const referral = ownValue(raw, 'referral');
  if (!isRecord(referral)) return null;
  const read: Referral = {
    sourceUrl: stringField(referral, 'source_url'),
    sourceId: stringField(referral, 'source_id'),
    sourceType: stringField(referral, 'source_type'),
    headline: stringField(referral, 'headline'),
    body: stringField(referral, 'body', MAX_TEXT_LENGTH),
    mediaType: stringField(referral, 'media_type'),
    ctwaClid: stringField(referral, 'ctwa_clid'),
  };
  return Object.values(read).some((value) => value !== null) ? read : null;
}

/**
 * What a preview or card shows as its picture, by name: the lib stays free of React, and
 * app/_components/icon.tsx draws each name in one place (an icon library, not emoji).
 */
export type IconName =
  | 'image'
  | 'video'
  | 'audio'
  | 'voice'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'reply'
  | 'order'
  | 'info'
  | 'edit'
  | 'unsupported'
  | 'deleted'
  | 'welcome'
  | 'template';

/** One line for a message: the conversation list, the error log, quoted replies. */
export interface Preview {
  /** null: the text says it all (a text message, a reaction). */
  icon: IconName | null;
  text: string;
}

/**
 * What the conversation list knows of its last message (the stored columns, never the content), with
 * empty strings already read as null. The thread passes the content too, for a richer line.
 */
export interface MessageSummary {
  text: string | null;
  subtype: string | null;
}

/** The columns the store keeps beside the content: searchable text, subtype, the file to download, the target. */
export interface StoredFields {
  text: string | null;
  subtype: string | null;
  media: MediaInfo | null;
  targetWamid: string | null;
}

export const NO_STORED_FIELDS: StoredFields = { text: null, subtype: null, media: null, targetWamid: null };

/** Any type's content schema: `{ v: 1, type: '<type>', ... }`. */
export type AnyContentSchema = z.ZodObject<{ v: z.ZodLiteral<1>; type: z.ZodLiteral<string> } & z.ZodRawShape>;

/**
 * One WhatsApp message type: its content, how Meta's item becomes it, what the store and the list
 * need from it, and what the thread shows (its view, which app/_components/message-types draws by kind).
 */
export interface MessageTypeModule<Schema extends AnyContentSchema = AnyContentSchema, View extends TypeView = TypeView> {
  /** Meta's `type` (for `unknown`: every type without a module). */
  readonly type: z.infer<Schema>['type'];
  readonly schema: Schema;
  /** Carries a file (a media id the Graph API turns into bytes). */
  readonly media: boolean;
  /** Acts on another message (reaction, edit, revoke) rather than being one of its own in the thread. */
  readonly modifier: boolean;
  /**
   * Changes its target for good (an edit's new text, a revoke's deletion): applied by the store, then left
   * out of threads and the list. (A reaction stays: the thread draws it on its target.)
   */
  readonly rewritesTarget?: true;
  /** Meta's item (parsed by messageItemSchema; `raw` is the same item as sent) → content. Pure, total. */
  fromMeta(item: MessageItem, raw: JsonRecord): z.infer<Schema>;
  stored(content: z.infer<Schema>): StoredFields;
  preview(summary: MessageSummary, content: z.infer<Schema> | null): Preview;
  /** What the thread shows: from the content (null for rows stored without one) and the row's own columns. Pure, total. */
  view(content: z.infer<Schema> | null, row: MessageRow): View;
}

/** The content schemas of a list of modules, as a tuple (for z.discriminatedUnion). */
export type SchemasOf<Modules extends readonly { schema: AnyContentSchema }[]> = { [K in keyof Modules]: Modules[K]['schema'] };

/** The schemas of a non-empty list of modules, for z.discriminatedUnion. */
export function schemasOf<const Modules extends readonly [{ schema: AnyContentSchema }, ...{ schema: AnyContentSchema }[]]>(
  modules: Modules,
): SchemasOf<Modules> {
  return modules.map((module) => module.schema) as unknown as SchemasOf<Modules>;
}

/**
 * Declares a module: the schema first, so that TypeScript knows the content type before it checks
 * fromMeta, stored, preview and view against it; the view's body type comes from what view returns.
 */
export function defineMessageType<Schema extends AnyContentSchema, View extends TypeView>(
  schema: Schema,
  module: NoInfer<Omit<MessageTypeModule<Schema, View>, 'schema' | 'view'>> & {
    view(content: NoInfer<z.infer<Schema>> | null, row: MessageRow): View;
  },
): MessageTypeModule<Schema, View> {
  return { ...module, schema };
}
