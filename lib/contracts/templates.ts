import { z } from 'zod';

// Message templates (GET /api/templates, POST /api/admin/templates/sync): what the template picker lists and
// how an admin asks for a fresh copy from Meta. Client-safe.

export const apiTemplateSchema = z.object({
  id: z.string().meta({ description: "Meta's template id." }),
  name: z.string(),
  language: z.string().meta({ description: 'e.g. en_US' }),
  category: z.string().nullable().meta({ description: 'MARKETING, UTILITY or AUTHENTICATION.' }),
  status: z.string().meta({ description: 'APPROVED (only these can be sent), PENDING, REJECTED, PAUSED, DISABLED …' }),
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']).meta({ description: 'Variables written {{1}} (positional) or {{first_name}} (named).' }),
  components: z
    .array(z.record(z.string(), z.unknown()))
    .meta({ description: "Meta's components (HEADER, BODY, FOOTER, BUTTONS), as synced." }),
});
export type ApiTemplate = z.infer<typeof apiTemplateSchema>;

export const templatesQuerySchema = z.object({
  businessPhoneNumberId: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "The conversation's business number: its WhatsApp Business Account's templates." }),
  q: z.string().max(200).optional().meta({ description: 'Part of the name.' }),
  status: z.string().max(32).optional().meta({ description: 'Only this status (the picker asks for APPROVED).' }),
});

export const getTemplatesResponseSchema = z.object({
  templates: z.array(apiTemplateSchema),
  /** When this account's templates were last synced from Meta; null if never. */
  syncedAt: z.string().nullable(),
});
export type GetTemplatesResponse = z.infer<typeof getTemplatesResponseSchema>;

export const postTemplateSyncResponseSchema = z.object({
  /** Accounts whose sync was asked for (it runs in the background, within Meta's rate limit). */
  wabaIds: z.array(z.string()),
  /**
   * When it was asked for (null: no account known yet). The picker waits for the number's syncedAt to
   * reach it: a sync that was already running when the admin asked answers with an older time.
   */
  requestedAt: z.string().nullable(),
});
export type PostTemplateSyncResponse = z.infer<typeof postTemplateSyncResponseSchema>;
