import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString } from './read';
import { firstPresent, present } from './view';

/** Reactions are folded into their targets by the thread; this is for one that is shown on its own. */
export interface ReactionBody {
  kind: 'reaction';
  emoji: string | null;
  targetId: string | null;
}

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
    view: (content, row): ReactionBody => ({
      kind: 'reaction',
      emoji: content ? present(content.emoji) : row.subtype === 'removed' ? null : row.text,
      targetId: firstPresent(row.targetId, content?.targetWamid),
    }),
  },
);
