import { z } from 'zod';
import { apiActivityEntrySchema } from './activity';
import { apiMessageSchema, conversationStatusSchema } from './inbox';

// Erasing a customer and exporting what Ticks holds of them (app/api/contacts/**, app/api/conversations/
// {id}/export, app/api/admin/export). Client-safe.

export const contactParamsSchema = z.object({ id: z.string().meta({ description: "The contact's id (a conversation's `contactId`)." }) });

const count = z.number().int().nonnegative();

export const eraseCountsSchema = z.object({
  conversations: count,
  messages: count.meta({ description: 'Queued messages too: they are never sent.' }),
  statusEvents: count.meta({ description: 'Every status Meta reported for their messages.' }),
  mediaFiles: count.meta({ description: "Their messages' media files." }),
  notes: count.meta({ description: "Agents' notes on their conversations (the rest of the trail goes too)." }),
});
export type EraseCounts = z.infer<typeof eraseCountsSchema>;

export const getErasePreviewResponseSchema = z.object({
  contact: z.object({ id: z.string(), name: z.string().nullable(), waId: z.string().nullable(), userId: z.string().nullable() }),
  counts: eraseCountsSchema,
});
export type GetErasePreviewResponse = z.infer<typeof getErasePreviewResponseSchema>;

export const postEraseResponseSchema = z.object({
  contactId: z.string(),
  erased: eraseCountsSchema.extend({
    rawBodiesEmptied: count.meta({ description: 'Processed webhook bodies their messages and statuses came from, emptied.' }),
    rawBodiesRedacted: count.meta({ description: 'Webhook bodies not yet processed (or failed), rewritten without their entries.' }),
    filesRemoved: count.meta({ description: 'Files removed from media storage (one that other messages still use stays).' }),
    fileErrors: count.meta({ description: 'Files that could not be removed (logged; the database part is done).' }),
  }),
});
export type PostEraseResponse = z.infer<typeof postEraseResponseSchema>;

export const exportedConversationSchema = z.object({
  id: z.string(),
  businessPhoneNumberId: z.string(),
  displayPhoneNumber: z.string().nullable(),
  status: conversationStatusSchema,
  createdAt: z.string(),
  lastMessageAt: z.string().nullable(),
  messages: z
    .array(apiMessageSchema)
    .meta({ description: "Every message, oldest first (Meta's timestamps), with its status history; `mediaFile.url` links its file." }),
  notes: z.array(apiActivityEntrySchema).meta({ description: "Agents' private notes, oldest first." }),
});
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;

export const customerExportSchema = z.object({
  exportedAt: z.string(),
  contact: z.object({
    id: z.string(),
    waId: z.string().nullable(),
    userId: z.string().nullable(),
    name: z.string().nullable(),
    username: z.string().nullable(),
    createdAt: z.string(),
  }),
  conversations: z.array(exportedConversationSchema),
});
export type CustomerExport = z.infer<typeof customerExportSchema>;

/** A day (YYYY-MM-DD, UTC midnight) or an instant with its offset. */
const instantSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time' })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s));

export const adminExportQuerySchema = z
  .object({
    from: instantSchema.meta({ description: 'Messages sent at or after this (Meta’s timestamp).' }),
    to: instantSchema.meta({ description: 'Messages sent before this (exclusive): the day after the last one to include.' }),
  })
  .refine((q) => q.to.getTime() > q.from.getTime(), { path: ['to'], message: 'must be after from' });

/** The NDJSON export's first line: what it covers and how many messages follow (for progress). */
export interface ExportHeaderLine {
  kind: 'export';
  exportedAt: string;
  from: string;
  to: string;
  total: number;
}
/** One message per line after the header, in (timestamp, id) order, in the API's message shape. */
export interface ExportMessageLine {
  kind: 'message';
  message: z.infer<typeof apiMessageSchema>;
}
/** The last line: how many messages were written (the export is whole only when it is there). */
export interface ExportEndLine {
  kind: 'end';
  count: number;
}
export type ExportLine = ExportHeaderLine | ExportMessageLine | ExportEndLine;
