import { z } from 'zod';
import { OUTBOUND_MEDIA_KINDS } from './outbound-media';

// POST /api/uploads (multipart: `file`, optional `kind`): a file an agent attaches, kept until a message sends it
// (POST /api/conversations/{id}/messages with {type: "media", uploadId}). WhatsApp's types and sizes per kind are
// checked first (lib/contracts/outbound-media.ts); a refused file is a 400 saying why. Client-safe.

export const postUploadResponseSchema = z.object({
  id: z.string().meta({ description: 'The uploadId to send it with.' }),
  kind: z.enum(OUTBOUND_MEDIA_KINDS).meta({ description: 'How WhatsApp will carry it: image, video, audio, document or sticker.' }),
  mimeType: z.string(),
  filename: z.string().nullable(),
  size: z.number().int(),
});
export type PostUploadResponse = z.infer<typeof postUploadResponseSchema>;
