import { z } from 'zod';
import { availabilitySchema } from './agents';

// Assignment, the Mine / Unassigned / All views, availability and the auto-assignment settings: what the
// routes take and answer. Client-safe.

/** POST /api/conversations/{id}/assignee: a user's id, or null to unassign. */
export const postConversationAssigneeBodySchema = z.strictObject({
  assigneeId: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .meta({ description: 'The agent or admin to assign it to (GET /api/agents lists them); null unassigns it.' }),
});
export type PostConversationAssigneeBody = z.infer<typeof postConversationAssigneeBodySchema>;

/** The list's views: mine (the caller's), unassigned, or everyone's (no filter). */
export const CONVERSATION_VIEWS = ['mine', 'unassigned', 'all'] as const;
export type ConversationView = (typeof CONVERSATION_VIEWS)[number];

/** `assignee` of GET /api/conversations: me, unassigned, or a user's id. */
export const assigneeFilterSchema = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: "Only conversations assigned to `me` (signed-in callers only), `unassigned` ones, or one user's (their id)." });

const viewCount = z.number().int();
export const viewUnreadCountsSchema = z
  .object({ mine: viewCount, unassigned: viewCount, all: viewCount } satisfies Record<ConversationView, z.ZodNumber>)
  .meta({
    description: 'Per view, how many conversations have unread messages (with `status`: of that status). `mine` is 0 for API keys.',
  });
export type ViewUnreadCounts = z.infer<typeof viewUnreadCountsSchema>;

/** PUT /api/me/availability. */
export const putAvailabilityBodySchema = z.strictObject({ availability: availabilitySchema });
export type PutAvailabilityBody = z.infer<typeof putAvailabilityBodySchema>;
export const availabilityResponseSchema = z.object({ availability: availabilitySchema });
export type AvailabilityResponse = z.infer<typeof availabilityResponseSchema>;

export const AUTO_ASSIGN_CAP_MAX = 1000;

/** The inbox settings (GET/PUT /api/admin/settings). */
export const inboxSettingsSchema = z.object({
  autoAssign: z.boolean().meta({
    description: 'New and reopened unassigned open conversations go round robin to available, online agents below the cap.',
  }),
  autoAssignCap: z
    .number()
    .int()
    .min(1)
    .max(AUTO_ASSIGN_CAP_MAX)
    .meta({ description: 'Auto-assignment gives nobody more open conversations than this.' }),
});
export type InboxSettings = z.infer<typeof inboxSettingsSchema>;
export const putInboxSettingsBodySchema = inboxSettingsSchema.partial().strict();
export type PutInboxSettingsBody = z.infer<typeof putInboxSettingsBodySchema>;
