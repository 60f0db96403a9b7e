import { z } from 'zod';
import { hasNul } from '@/lib/http/query-params';
import { LABEL_COLOURS } from './label-colours';

// Labels (app/api/labels, app/api/admin/labels, app/api/conversations/{id}/labels/{labelId}): what each
// endpoint takes and answers. Client-safe.

export { LABEL_COLOURS, type LabelColour } from './label-colours';

export const LABEL_NAME_MAX = 50;

export const labelColourSchema = z.enum(LABEL_COLOURS).meta({ description: `One of ${LABEL_COLOURS.join(', ')}.` });

export const apiLabelSchema = z.object({ id: z.string(), name: z.string(), colour: labelColourSchema });
export type ApiLabel = z.infer<typeof apiLabelSchema>;

export const labelSummarySchema = apiLabelSchema.extend({
  conversationCount: z.number().int().meta({ description: 'How many conversations carry it.' }),
});
export type LabelSummary = z.infer<typeof labelSummarySchema>;

export const getLabelsResponseSchema = z.object({ labels: z.array(labelSummarySchema) });
export type GetLabelsResponse = z.infer<typeof getLabelsResponseSchema>;

const labelNameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(LABEL_NAME_MAX, `must be at most ${LABEL_NAME_MAX} characters`)
  .refine((s) => !hasNul(s), 'must not contain NUL characters')
  .meta({ description: `1 to ${LABEL_NAME_MAX} characters (trimmed); unique whatever the case.` });

export const createLabelBodySchema = z.strictObject({ name: labelNameSchema, colour: labelColourSchema });
export type CreateLabelBody = z.infer<typeof createLabelBodySchema>;

export const updateLabelBodySchema = z
  .strictObject({ name: labelNameSchema.optional(), colour: labelColourSchema.optional() })
  .refine((b) => b.name !== undefined || b.colour !== undefined, 'name or colour is required');
export type UpdateLabelBody = z.infer<typeof updateLabelBodySchema>;

export const labelResponseSchema = apiLabelSchema;

/** Ids in paths are opaque strings: one that cannot exist is simply not found (404). */
export const labelParamsSchema = z.object({ id: z.string() });
export const conversationLabelParamsSchema = z.object({ id: z.string(), labelId: z.string() });
