// A conversation's place in the team's work: the one list of statuses, for the database's column and
// check, the API's contracts and the inbox's tabs. No imports: db/schema.ts reads it too.

/**
 * open: to be answered (new conversations, and any a customer writes to again). pending: waiting on the
 * customer. resolved: done. snoozed: out of the way until a time, then open by itself.
 */
export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'snoozed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
