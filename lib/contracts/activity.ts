import { z } from 'zod';

// A conversation's trail (conversation_activity): what each action records, and how the API shows an
// entry. Client-safe. Notes are entries too (action 'note', with a body): the thread shows both between
// its messages.

/** Who did it: an agent, an integrator's API key, or Ticks itself (auto-assignment, a snooze ending). */
export type ActivityActor =
  | { kind: 'user'; userId: string; name: string }
  | { kind: 'api-key'; name: string }
  | { kind: 'system'; name: string };

export const SYSTEM_ACTORS = {
  autoAssignment: { kind: 'system', name: 'Auto-assignment' },
  snooze: { kind: 'system', name: 'Snooze' },
  customer: { kind: 'system', name: 'Customer' },
} as const satisfies Record<string, ActivityActor>;

export interface PersonRef {
  id: string;
  name: string;
}

/** Every action, with what it records in `details`. */
export interface ActivityDetails {
  /** A private note: `body` holds its text; the agents it @mentions. */
  note: { mentions: PersonRef[] };
  assigned: { assignee: PersonRef; previous: PersonRef | null };
  unassigned: { previous: PersonRef };
  /** A status change (resolved, reopened, pending, snoozed until a time). */
  status: { status: 'open' | 'pending' | 'resolved' | 'snoozed'; snoozedUntil?: string };
  label_added: { label: { id: string; name: string } };
  label_removed: { label: { id: string; name: string } };
  message_sent: { messageId: string; type: string };
  message_retried: { messageId: string };
}
export type ActivityAction = keyof ActivityDetails;
export const ACTIVITY_ACTIONS = [
  'note',
  'assigned',
  'unassigned',
  'status',
  'label_added',
  'label_removed',
  'message_sent',
  'message_retried',
] as const satisfies readonly ActivityAction[];

export type ActivityEntry = {
  [A in ActivityAction]: { action: A; details: ActivityDetails[A]; body?: A extends 'note' ? string : never };
}[ActivityAction];
