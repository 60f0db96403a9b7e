import { contentSchema, defineMessageType, NO_STORED_FIELDS, shortText } from './message-type';
import { cleanString } from './read';
import { unsupportedBody } from './unsupported';

export const DELETED_LABEL = 'This message was deleted';

/** The customer deleted one of their messages for everyone. */
export const revokeMessage = defineMessageType(contentSchema('revoke', { targetWamid: shortText.nullable() }), {
  type: 'revoke',
  media: false,
  modifier: true,
  rewritesTarget: true,
  fromMeta: (item) => ({ v: 1, type: 'revoke', targetWamid: cleanString(item.revoke?.original_message_id) }),
  stored: (content) => ({ ...NO_STORED_FIELDS, targetWamid: content.targetWamid }),
  preview: () => ({ icon: 'deleted', text: DELETED_LABEL }),
  // Threads leave revokes out (they act on another message); shown on its own, it says what it is, never blank.
  view: (_content, row) => unsupportedBody('revoke', row.text, undefined, row),
});
