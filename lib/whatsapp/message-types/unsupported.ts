import { z } from 'zod';
import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString, deliveryErrors } from './read';
import { firstPresent, type MessageRow } from './view';

const MAX_ERRORS = 10;

export const UNSUPPORTED_LABEL = 'Unsupported message';

export const messageErrorSchema = z.object({
  code: z.number().nullable(),
  title: shortText.nullable(),
  message: shortText.nullable(),
  details: shortText.nullable(),
});

export type MessageError = z.infer<typeof messageErrorSchema>;

/** Unsupported by the Cloud API, or of a type without a module: say what it was and why, never blank. */
export interface UnsupportedBody {
  kind: 'unsupported';
  /** What was sent: unsupported.type (poll_creation ...) or Meta's type we do not know. */
  type: string;
  errorTitle: string | null;
  errorDetails: string | null;
  /** Best-effort text for unknown types (normalize's guess), if any. */
  text: string | null;
}

/** The content's error first, else the first of the row's. */
export function unsupportedBody(
  type: string,
  text: string | null,
  contentError: MessageError | undefined,
  row: MessageRow,
): UnsupportedBody {
  return {
    kind: 'unsupported',
    type,
    errorTitle: firstPresent(contentError?.title, contentError?.message, row.error?.title, row.error?.message),
    errorDetails: firstPresent(contentError?.details, row.error?.details),
    text,
  };
}

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
    view: (content, row) => unsupportedBody(firstPresent(row.subtype, content?.sentType) ?? 'unsupported', null, content?.errors[0], row),
  },
);
