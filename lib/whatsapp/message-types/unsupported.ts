import { z } from 'zod';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, deliveryErrors } from './read';

const MAX_ERRORS = 10;

export const UNSUPPORTED_LABEL = 'Unsupported message';

export const messageErrorSchema = z.object({
  code: z.number().nullable(),
  title: shortText.nullable(),
  message: shortText.nullable(),
  details: shortText.nullable(),
});

/** A message the Cloud API cannot deliver to us (a poll, ...): what it really was, and Meta's reasons. */
export const unsupportedMessage = defineMessageType(
  contentSchema('unsupported', {
    /** unsupported.type: what the customer really sent (poll_creation, ...). */
    sentType: shortText.nullable(),
    errors: z.array(messageErrorSchema).max(MAX_ERRORS),
  }),
  {
    type: 'unsupported',
    media: false,
    modifier: false,
    fromMeta: (item) => ({
      v: 1,
      type: 'unsupported',
      sentType: cleanString(item.unsupported?.type),
      errors: deliveryErrors(item.errors).slice(0, MAX_ERRORS),
    }),
    stored: (content) => ({ ...NO_STORED_FIELDS, subtype: content.sentType }),
    preview: () => ({ icon: 'unsupported', text: UNSUPPORTED_LABEL }),
  },
);
