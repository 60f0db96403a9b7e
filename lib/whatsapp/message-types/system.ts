import { contentSchema, defineMessageType, longText, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, MAX_TEXT_LENGTH, ownValue, stringField } from './read';
import { firstPresent } from './view';

export interface SystemBody {
  kind: 'system';
  body: string;
  systemType: string | null;
}

/** A notice from WhatsApp itself: the customer changed their number (user_changed_number) or user id (user_changed_user_id). */
export const systemMessage = defineMessageType(
  contentSchema('system', {
    /** system.type. */
    kind: shortText.nullable(),
    body: longText.nullable(),
    /** The customer's new phone number (user_changed_number). */
    newWaId: shortText.nullable(),
    /** The customer's new and previous business-scoped user ids (user_changed_user_id). */
    newUserId: shortText.nullable(),
    previousUserId: shortText.nullable(),
  }),
  {
    type: 'system',
    media: false,
    modifier: false,
    fromMeta: (item, raw) => {
      const system = ownValue(raw, 'system');
      return {
        v: 1,
        type: 'system',
        kind: cleanString(item.system?.type),
        body: cleanString(item.system?.body, MAX_TEXT_LENGTH),
        newWaId: stringField(system, 'wa_id') ?? stringField(system, 'new_wa_id'),
        newUserId: stringField(system, 'user_id'),
        previousUserId: stringField(system, 'previous_user_id'),
      };
    },
    stored: (content) => ({ ...NO_STORED_FIELDS, text: content.body, subtype: content.kind }),
    preview: (summary, content) => ({ icon: 'info', text: summary.text ?? content?.body ?? 'System message' }),
    view: (content, row): SystemBody => ({
      kind: 'system',
      body: firstPresent(row.text, content?.body) ?? 'System message',
      systemType: firstPresent(row.subtype, content?.kind),
    }),
  },
);
