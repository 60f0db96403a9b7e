// The five types that carry a file share one content shape and one reading of Meta's media object.

import { z } from 'zod';
import type { MediaContent, MessageItem } from '../payload';
import type { MediaFileView } from '../../inbox/media-file-view';
import type { MediaInfo } from '../types';
import { contentSchema, defineMessageType, type IconName, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, firstText, MAX_TEXT_LENGTH } from './read';
import { EMPTY_ROW, firstPresent, type MessageRow } from './view';

export const mediaInfoSchema = z.object({
  id: shortText.nullable(),
  mimeType: shortText.nullable(),
  sha256: shortText.nullable(),
  caption: longText.nullable(),
  filename: shortText.nullable(),
  /** Audio recorded as a voice note. */
  voice: z.boolean(),
  /** Animated sticker. */
  animated: z.boolean(),
  /** Meta's download URL when the webhook carried one (it expires). */
  url: shortText.nullable(),
});

export type MediaMessageTypeName = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What a media card shows the file as: a voice note is audio recorded as one. */
export type MediaKind = MediaMessageTypeName | 'voice';

export interface MediaBody {
  kind: 'media';
  mediaKind: MediaKind;
  label: string;
  caption: string | null;
  filename: string | null;
  mimeType: string | null;
  animated: boolean;
  /** Our copy of the file; null when the read API says nothing about one. */
  file: MediaFileView | null;
}

/** What a file is called where its caption and name are missing. */
export const MEDIA_LABELS = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  voice: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
} as const satisfies Record<MediaMessageTypeName | 'voice', string>;

/**
 * A file's card: from the content's media and the row's stored columns (newer: the caption after an
 * edit). A template's header file uses it too, with no row text (that is the template's body).
 */
export function mediaBody(type: MediaMessageTypeName, media: MediaInfo | null, row: MessageRow = EMPTY_ROW): MediaBody {
  const stored = row.media;
  const filename = firstPresent(stored?.filename, media?.filename);
  const storedCaption = firstPresent(stored?.caption, media?.caption);
  // `text` is the caption (after edits); for documents without a caption normalize puts the filename there.
  const caption = row.text !== null && row.text !== filename ? row.text : storedCaption;
  const voice = stored?.voice === true || media?.voice === true;
  const mediaKind: MediaKind = type === 'audio' && voice ? 'voice' : type;
  return {
    kind: 'media',
    mediaKind,
    label: MEDIA_LABELS[mediaKind],
    caption,
    filename,
    mimeType: firstPresent(stored?.mimeType, media?.mimeType),
    animated: stored?.animated === true || media?.animated === true,
    file: row.file,
  };
}

export function mediaInfoOf(media: MediaContent | undefined): MediaInfo | null {
  if (!media) return null;
  return {
    id: cleanString(media.id),
    mimeType: cleanString(media.mime_type),
    sha256: cleanString(media.sha256),
    caption: cleanString(media.caption, MAX_TEXT_LENGTH),
    filename: cleanString(media.filename),
    voice: media.voice === true,
    animated: media.animated === true,
    url: cleanString(media.url),
  };
}

/** A media type's module: `{ v: 1, type, media }`; media is null when Meta sent no media object. */
export function mediaMessageType<const Type extends MediaMessageTypeName>(type: Type) {
  return defineMessageType(contentSchema(type, { media: mediaInfoSchema.nullable() }), {
    type,
    media: true,
    modifier: false,
    fromMeta: (item: MessageItem) => ({ v: 1 as const, type, media: mediaInfoOf(item[type]) }),
    stored: (content) => ({
      ...NO_STORED_FIELDS,
      // A document without a caption is found (and listed) by its file name.
      text: type === 'document' ? firstText(content.media?.caption, content.media?.filename) : (content.media?.caption ?? null),
      media: content.media,
    }),
    preview: (summary, content) => {
      // The list only knows "audio" (voice notes are audio too): the microphone, as for a voice note.
      const voice = type === 'audio' && (content === null || content.media?.voice === true);
      const label = type === 'audio' && content?.media?.voice === true ? MEDIA_LABELS.voice : MEDIA_LABELS[type];
      const icon: IconName = voice ? 'voice' : type;
      return { icon, text: summary.text ?? content?.media?.caption ?? content?.media?.filename ?? label };
    },
    view: (content, row) => mediaBody(type, content?.media ?? null, row),
  });
}
