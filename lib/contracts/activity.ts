import { z } from 'zod';
import { hasNul, limitSchema } from '@/lib/http/query-params';

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

// ---- The API: GET /api/conversations/{id}/activity, POST /api/conversations/{id}/notes ----

export const NOTE_MAX_CHARS = 4096;
/** More mentions than this in one note is not a note, it is a broadcast. */
export const NOTE_MAX_MENTIONS = 50;

export const apiActivityEntrySchema = z.object({
  id: z.string(),
  at: z.string().meta({ description: 'When it was done (ISO-8601).' }),
  actor: z.object({
    kind: z.enum(['user', 'api-key', 'system']),
    id: z.string().nullable().meta({ description: "The agent's user id; null for API keys and Ticks itself." }),
    name: z.string().meta({ description: 'As they were named then.' }),
  }),
  action: z.enum(ACTIVITY_ACTIONS),
  body: z.string().nullable().meta({ description: "A note's text; null for every other action." }),
  details: z.record(z.string(), z.unknown()).meta({ description: 'What the action records (the assignee, the status, the label...).' }),
});
export type ApiActivityEntry = z.infer<typeof apiActivityEntrySchema>;

export const getActivityResponseSchema = z.object({
  entries: z.array(apiActivityEntrySchema).meta({ description: 'Newest first.' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `before` for the entries before these; null at the start.' }),
});
export type GetActivityResponse = z.infer<typeof getActivityResponseSchema>;

export const activityQuerySchema = z.object({
  limit: limitSchema,
  before: z.string().max(2000, 'malformed cursor').optional(),
});

export const postNoteBodySchema = z.strictObject({
  text: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(NOTE_MAX_CHARS, `must be at most ${NOTE_MAX_CHARS} characters`)
    .refine((s) => !hasNul(s), 'must not contain NUL characters')
    .meta({ description: `1 to ${NOTE_MAX_CHARS} characters (trimmed). An active agent's exact "@Name" in it mentions them too.` }),
  mentions: z
    .array(z.string().min(1).max(200))
    .max(NOTE_MAX_MENTIONS, `at most ${NOTE_MAX_MENTIONS}`)
    .optional()
    .meta({ description: 'User ids to mention (GET /api/agents lists them); ids of nobody active are left out.' }),
});
export type PostNoteBody = z.infer<typeof postNoteBodySchema>;
