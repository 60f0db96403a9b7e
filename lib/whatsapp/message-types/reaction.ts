import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString } from './read';

/** An emoji on another message. WhatsApp sends the reaction again without an emoji when it is taken back. */
export const reactionMessage = defineMessageType(
  contentSchema('reaction', {
    targetWamid: shortText.nullable(),
    /** null: the reaction was removed. */
    emoji: shortText.nullable(),
  }),
  {
    type: 'reaction',
    media: false,
    modifier: true,
    fromMeta: (item) => ({
      v: 1,
      type: 'reaction',
      targetWamid: cleanString(item.reaction?.message_id),
      emoji: cleanString(item.reaction?.emoji),
    }),
    stored: (content) => ({
      ...NO_STORED_FIELDS,
      text: content.emoji,
      subtype: content.emoji ? null : 'removed',
      targetWamid: content.targetWamid,
    }),
    preview: (summary, content) => {
      const emoji = content ? content.emoji : summary.subtype === 'removed' ? null : summary.text;
      return { icon: null, text: emoji ? `Reacted ${emoji}` : 'Removed a reaction' };
    },
  },
);
