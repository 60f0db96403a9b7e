import { z } from 'zod';
import { hasNul } from '@/lib/http/query-params';

// Canned replies (app/api/canned-replies): saved texts the composer offers after "/", shared by the team
// (admins manage them) or one person's own. What each endpoint takes and answers. Client-safe.

export const CANNED_SHORTCUT_MAX = 32;
export const CANNED_BODY_MAX = 4096;

export const cannedReplyScopeSchema = z
  .enum(['shared', 'personal'])
  .meta({ description: 'shared: everyone sees it, admins manage it; personal: only its owner sees and manages it.' });
export type CannedReplyScope = z.infer<typeof cannedReplyScopeSchema>;

export const apiCannedReplySchema = z.object({
  id: z.string(),
  shortcut: z.string().meta({ description: 'What the agent types after "/" to find it.' }),
  body: z.string().meta({ description: 'The text, with variables such as {{contact.name}} left as written.' }),
  scope: cannedReplyScopeSchema,
});
export type ApiCannedReply = z.infer<typeof apiCannedReplySchema>;

export const getCannedRepliesResponseSchema = z.object({ cannedReplies: z.array(apiCannedReplySchema) });
export type GetCannedRepliesResponse = z.infer<typeof getCannedRepliesResponseSchema>;

/** Letters, digits, "-" and "_": what can follow "/" in a sentence without ending the search. */
export const SHORTCUT_PATTERN = /^[\p{L}\p{N}_-]+$/u;

const shortcutSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(CANNED_SHORTCUT_MAX, `must be at most ${CANNED_SHORTCUT_MAX} characters`)
  .regex(SHORTCUT_PATTERN, 'may contain only letters, digits, "-" and "_"')
  .meta({ description: `1 to ${CANNED_SHORTCUT_MAX} letters, digits, "-" or "_"; unique in its scope whatever the case.` });

const bodySchema = z
  .string()
  .max(CANNED_BODY_MAX, `must be at most ${CANNED_BODY_MAX} characters`)
  .refine((s) => s.trim() !== '', 'is required')
  .refine((s) => !hasNul(s), 'must not contain NUL characters')
  .meta({
    description: `1 to ${CANNED_BODY_MAX} characters. {{contact.name}}, {{contact.phone}}, {{agent.name}} and {{business.number}} are filled in when the composer uses it.`,
  });

export const createCannedReplyBodySchema = z.strictObject({ shortcut: shortcutSchema, body: bodySchema, scope: cannedReplyScopeSchema });
export type CreateCannedReplyBody = z.infer<typeof createCannedReplyBodySchema>;

export const updateCannedReplyBodySchema = z
  .strictObject({ shortcut: shortcutSchema.optional(), body: bodySchema.optional() })
  .refine((b) => b.shortcut !== undefined || b.body !== undefined, 'shortcut or body is required');
export type UpdateCannedReplyBody = z.infer<typeof updateCannedReplyBodySchema>;

/** Ids in paths are opaque strings: one that cannot exist is simply not found (404). */
export const cannedReplyParamsSchema = z.object({ id: z.string() });
