import { z } from 'zod';
import type { AccountEventTone } from '@/lib/error-log/account-event-summary';
import { cursorIdSchema } from '@/lib/http/cursor';
import { limitSchema, optionalText } from '@/lib/http/query-params';
import type { IconName } from '@/lib/inbox/message-view';
import { apiContactSchema, apiDeliveryErrorSchema } from './inbox';

// The error log's API (app/api/errors/**): failed deliveries, processing failures (and their retry),
// rejected webhook requests, account events. Client-safe, like every contract.

/** A preview's picture by name (icon.tsx draws it); a string in the document. */
const iconNameSchema = z.custom<IconName>((v) => typeof v === 'string').meta({ type: 'string', description: 'An icon name.' });

export const previewSchema = z.object({ icon: iconNameSchema.nullable(), text: z.string() });

export const errorExplanationSchema = z.object({
  code: z.number().int(),
  summary: z.string().meta({ description: 'What happened, in plain words.' }),
  action: z.string().meta({ description: 'What to do about it.' }),
});

export const apiFailedDeliverySchema = z.object({
  id: z.string().meta({ description: "The message's id (its wamid when it came from Meta), as the read API gives it." }),
  conversationId: z.string(),
  failedAt: z.string().meta({ description: 'When it failed (ISO-8601).' }),
  contact: apiContactSchema,
  businessPhoneNumberId: z.string(),
  displayPhoneNumber: z.string().nullable(),
  preview: previewSchema,
  placeholder: z.boolean(),
  errors: z.array(apiDeliveryErrorSchema),
  explanation: errorExplanationSchema.nullable().meta({ description: "For the first error's code, when we know it." }),
});
export type ApiFailedDelivery = z.infer<typeof apiFailedDeliverySchema>;

export const getFailedDeliveriesResponseSchema = z.object({
  failures: z.array(apiFailedDeliverySchema),
  nextCursor: z.string().nullable(),
});
export type GetFailedDeliveriesResponse = z.infer<typeof getFailedDeliveriesResponseSchema>;

export const apiProcessingFailureSchema = z.object({
  id: z.string(),
  receivedAt: z.string(),
  failedAt: z.string().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  size: z.number().int().meta({ description: 'Size of the raw body in bytes.' }),
});
export type ApiProcessingFailure = z.infer<typeof apiProcessingFailureSchema>;

export const getProcessingFailuresResponseSchema = z.object({
  failures: z.array(apiProcessingFailureSchema),
  nextCursor: z.string().nullable(),
});
export type GetProcessingFailuresResponse = z.infer<typeof getProcessingFailuresResponseSchema>;

export const getProcessingFailureResponseSchema = apiProcessingFailureSchema.extend({
  state: z.enum(['pending', 'processed', 'failed', 'discarded']),
  body: z.string().meta({ description: 'The raw body as text: pretty-printed JSON when it parses, else the decoded text.' }),
  bodyDeletedAt: z
    .string()
    .nullable()
    .meta({ description: 'When retention deleted the body (RAW_EVENT_RETENTION_DAYS after it was received); `body` is then empty.' }),
  bodyIsJson: z.boolean(),
});
export type GetProcessingFailureResponse = z.infer<typeof getProcessingFailureResponseSchema>;

export const postRetryResponseSchema = z.object({
  requeued: z.number().int(),
  processed: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  failures: z.array(z.object({ id: z.string(), error: z.string().nullable() })),
});
export type PostRetryResponse = z.infer<typeof postRetryResponseSchema>;

export const postDiscardResponseSchema = z.object({
  discarded: z.number().int().meta({ description: 'How many failed events were discarded (those no longer failed are left alone).' }),
});
export type PostDiscardResponse = z.infer<typeof postDiscardResponseSchema>;

export const REJECTION_REASONS = [
  'too_large',
  'unreadable',
  'signature_missing',
  'signature_malformed',
  'signature_mismatch',
  'no_app_secret',
  'not_json',
  'not_envelope',
] as const;

export const getRejectionsResponseSchema = z.object({
  reasons: z
    .array(z.object({ reason: z.string(), count: z.number().int(), lastAt: z.string() }))
    .meta({ description: 'Counts in the last 24 h per reason, most recent first.' }),
  signatureWarning: z
    .object({ lastAt: z.string(), count: z.number().int() })
    .nullable()
    .meta({ description: 'A signature_* rejection within the last hour: WHATSAPP_APP_SECRET is probably wrong.' }),
});
export type GetRejectionsResponse = z.infer<typeof getRejectionsResponseSchema>;

export const accountEventSummarySchema = z.object({
  title: z.string(),
  text: z.string(),
  tone: z.enum(['info', 'good', 'warning', 'bad'] satisfies AccountEventTone[]),
});

export const apiAccountEventSchema = z.object({
  id: z.string(),
  field: z.string(),
  eventType: z.string().nullable(),
  occurredAt: z.string().nullable(),
  receivedAt: z.string(),
  wabaId: z.string().nullable(),
  phoneNumberId: z.string().nullable(),
  summary: accountEventSummarySchema,
  payload: z.unknown(),
});
export type ApiAccountEvent = z.infer<typeof apiAccountEventSchema>;

export const getAccountEventsResponseSchema = z.object({ events: z.array(apiAccountEventSchema), nextCursor: z.string().nullable() });
export type GetAccountEventsResponse = z.infer<typeof getAccountEventsResponseSchema>;

// ---- Parameters ----

const optionalTime = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    const d = new Date(s);
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time' });
      return z.NEVER;
    }
    return d;
  });

export const failedDeliveriesQuerySchema = z.object({
  limit: limitSchema,
  cursor: z.string().max(2000, 'malformed cursor').optional(),
  code: z
    .string()
    .trim()
    .optional()
    .transform((s) => s || undefined)
    .pipe(
      z
        .string()
        .regex(/^\d{1,9}$/, 'must be a numeric error code')
        .transform(Number)
        .optional(),
    ),
  businessPhoneNumberId: optionalText(64),
  from: optionalTime,
  to: optionalTime,
  q: optionalText(200),
});

export const errorLogPageQuerySchema = z.object({ limit: limitSchema, cursor: z.string().max(2000, 'malformed cursor').optional() });

export const retryBodySchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(cursorIdSchema).min(1, 'must name at least one event').max(1000, 'at most 1000 at once') }).strict(),
]);

export const processingEventParamsSchema = z.object({ id: z.string() });
