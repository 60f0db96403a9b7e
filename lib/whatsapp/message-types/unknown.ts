import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { bestEffortText } from './interactive';
import { cleanString, ownValue } from './read';
import { UNSUPPORTED_LABEL, unsupportedBody } from './unsupported';
import { firstPresent } from './view';

/**
 * Every type without a module (Meta adds types without notice): kept with Meta's type name and the
 * obvious text of the object named after it, never dropped. The raw item keeps the rest.
 */
export const unknownMessage = defineMessageType(
  contentSchema('unknown', {
    /** Meta's `type`, verbatim; null when the item had none. */
    metaType: shortText.nullable(),
    text: longText.nullable(),
  }),
  {
    type: 'unknown',
    media: false,
    modifier: false,
    fromMeta: (item, raw) => {
      const metaType = cleanString(item.type);
      return { v: 1, type: 'unknown', metaType, text: item.type ? bestEffortText(ownValue(raw, item.type)) : null };
    },
    stored: (content) => ({ ...NO_STORED_FIELDS, text: content.text }),
    preview: (summary, content) => ({ icon: 'unsupported', text: summary.text ?? content?.text ?? UNSUPPORTED_LABEL }),
    view: (content, row) =>
      unsupportedBody(firstPresent(content?.metaType, row.type) ?? 'unknown', firstPresent(row.text, content?.text), undefined, row),
  },
);
