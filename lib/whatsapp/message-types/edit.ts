import { z } from 'zod';
import { messageItemSchema } from '../payload';
import { audioMessage } from './audio';
import { documentMessage } from './document';
import { imageMessage } from './image';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, schemasOf, shortText } from './message-type';
import { cleanString, isRecord, ownValue } from './read';
import { stickerMessage } from './sticker';
import { unsupportedBody } from './unsupported';
import { textMessage } from './text';
import { videoMessage } from './video';

/** Only texts and captions can be edited: the types an edit may carry. */
const EDITABLE = [textMessage, imageMessage, videoMessage, documentMessage, audioMessage, stickerMessage] as const;

const editedContentSchema = z.discriminatedUnion('type', schemasOf(EDITABLE));
type EditedContent = z.infer<typeof editedContentSchema>;

/** The new version of a message, which comes whole in `edit.message` (its type may be left out). */
function editedContentOf(rawEdited: unknown): EditedContent | null {
  if (!isRecord(rawEdited)) return null;
  const parsed = messageItemSchema.safeParse(rawEdited);
  if (!parsed.success) return null;
  const edited = parsed.data;
  const type = cleanString(edited.type) ?? EDITABLE.find((module) => edited[module.type] !== undefined)?.type;
  // One level only: an edit inside an edit, or of a type that cannot be edited, is not something WhatsApp sends.
  const module = EDITABLE.find((candidate) => candidate.type === type);
  if (!module) return null;
  return (module.fromMeta as (item: typeof edited, raw: typeof rawEdited) => EditedContent)({ ...edited, type: module.type }, rawEdited);
}

/** The customer edited one of their messages: which one, and its new content. */
export const editMessage = defineMessageType(
  contentSchema('edit', {
    targetWamid: shortText.nullable(),
    /** The edited message's own content (text or media with its new caption); null when unreadable. */
    message: editedContentSchema.nullable(),
  }),
  {
    type: 'edit',
    media: false,
    modifier: true,
    rewritesTarget: true,
    fromMeta: (item, raw) => ({
      v: 1,
      type: 'edit',
      targetWamid: cleanString(item.edit?.original_message_id),
      message: editedContentOf(ownValue(ownValue(raw, 'edit'), 'message')),
    }),
    stored: (content) => {
      const edited = content.message;
      const module = edited ? EDITABLE.find((candidate) => candidate.type === edited.type) : undefined;
      const text = edited && module ? (module.stored as (c: EditedContent) => { text: string | null })(edited).text : null;
      // The new text; the edited type as subtype, so the store knows whether a text or a caption changed.
      return { ...NO_STORED_FIELDS, text, subtype: edited?.type ?? null, targetWamid: content.targetWamid };
    },
    preview: (summary) => ({ icon: 'edit', text: summary.text ?? 'Edited a message' }),
    // Threads leave edits out (they act on another message); shown on its own, it says what it is, never blank.
    view: (_content, row) => unsupportedBody('edit', row.text, undefined, row),
  },
);
