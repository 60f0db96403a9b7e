import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { replyBody } from './interactive';
import { cleanString, MAX_TEXT_LENGTH } from './read';
import { firstPresent } from './view';

/** The quick-reply button of a template the customer pressed: its text, and the payload the business set. */
export const buttonMessage = defineMessageType(contentSchema('button', { text: longText.nullable(), payload: shortText.nullable() }), {
  type: 'button',
  media: false,
  modifier: false,
  fromMeta: (item) => ({
    v: 1,
    type: 'button',
    text: cleanString(item.button?.text, MAX_TEXT_LENGTH),
    payload: cleanString(item.button?.payload),
  }),
  stored: (content) => ({ ...NO_STORED_FIELDS, text: content.text }),
  preview: (summary, content) => ({ icon: 'reply', text: summary.text ?? content?.text ?? content?.payload ?? 'Reply' }),
  view: (content, row) => replyBody('button_reply', firstPresent(row.text, content?.text, content?.payload) ?? 'Button'),
});
