import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS } from './message-type';
import { cleanString, MAX_TEXT_LENGTH } from './read';
import { firstPresent } from './view';

export interface TextBody {
  kind: 'text';
  text: string;
}

/** A plain text message. A click-to-WhatsApp ad adds its `referral` beside the body. */
export const textMessage = defineMessageType(contentSchema('text', { body: longText.nullable() }), {
  type: 'text',
  media: false,
  modifier: false,
  fromMeta: (item) => ({ v: 1, type: 'text', body: cleanString(item.text?.body, MAX_TEXT_LENGTH) }),
  stored: (content) => ({ ...NO_STORED_FIELDS, text: content.body }),
  preview: (summary, content) => ({ icon: null, text: summary.text ?? content?.body ?? 'Message' }),
  // The stored text first: it is the edited one.
  view: (content, row): TextBody => ({ kind: 'text', text: firstPresent(row.text, content?.body) ?? '' }),
});
