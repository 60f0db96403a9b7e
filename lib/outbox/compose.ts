import { type MessageContent, storedFieldsOf } from '@/lib/whatsapp/message-types';
import { type TemplateDefinition, type TemplateValues, templateContent } from '@/lib/whatsapp/message-types/template';
import type { MediaInfo, MediaMessageType } from '@/lib/whatsapp/types';

// What an agent writes → the message row the outbox keeps: its typed content (the same content inbound
// messages have, so the thread renders it with the type's own renderer) and the columns the store derives
// from content for every message (searchable text, subtype, media, target). PURE.

export interface ComposedMessage {
  type: MessageContent['type'];
  content: MessageContent;
  text: string | null;
  subtype: string | null;
  media: unknown;
  replyToWamid: string | null;
  targetWamid: string | null;
}

function composed(content: MessageContent, replyToWamid: string | null = null): ComposedMessage {
  const stored = storedFieldsOf(content);
  return {
    type: content.type,
    content,
    text: stored.text,
    subtype: stored.subtype,
    media: stored.media,
    replyToWamid,
    targetWamid: stored.targetWamid,
  };
}

export function composeText(text: string, replyToWamid: string | null): ComposedMessage {
  return composed({ v: 1, type: 'text', body: text }, replyToWamid);
}

/** An empty emoji takes our reaction back. */
export function composeReaction(targetWamid: string, emoji: string): ComposedMessage {
  return composed({ v: 1, type: 'reaction', targetWamid, emoji: emoji === '' ? null : emoji });
}

export interface AttachedFile {
  kind: MediaMessageType;
  mimeType: string;
  filename: string | null;
}

/** Our copy of a file as content keeps media: Meta's id comes when the outbox uploads it. */
function ourFile(file: { mimeType: string; filename: string | null }, caption: string | null): MediaInfo {
  return { id: null, mimeType: file.mimeType, sha256: null, caption, filename: file.filename, voice: false, animated: false, url: null };
}

/** A file from POST /api/uploads; Meta's media id is filled in when the outbox uploads it. */
export function composeMedia(file: AttachedFile, caption: string | null, replyToWamid: string | null): ComposedMessage {
  // Meta takes a caption on images, videos and documents only, and a file name on documents.
  const captioned = file.kind === 'image' || file.kind === 'video' || file.kind === 'document';
  const media = ourFile({ mimeType: file.mimeType, filename: file.kind === 'document' ? file.filename : null }, captioned ? caption : null);
  return composed({ v: 1, type: file.kind, media } as MessageContent, replyToWamid);
}

/**
 * A template filled with the agent's values, its header file (if any) our copy from POST /api/uploads
 * (templateContent throws TemplateValueError naming a missing value).
 */
export function composeTemplate(
  template: TemplateDefinition,
  values: Omit<TemplateValues, 'headerMedia'>,
  headerFile: { mimeType: string; filename: string | null } | null,
): ComposedMessage {
  return composed(templateContent(template, { ...values, headerMedia: headerFile && ourFile(headerFile, null) }));
}
