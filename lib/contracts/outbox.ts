import { z } from 'zod';
import { CAPTION_MAX_CHARS, TEXT_MAX_CHARS } from '@/lib/whatsapp/send-requests';

// Sending from the inbox (POST /api/conversations/{id}/messages, POST /api/messages/{id}/retry): what the
// composer and integrators post. Client-safe. The answer is the message as GET /api/messages/{id} gives it.

const clientId = z.uuid().meta({
  description: 'A UUID the client makes for this message: posting it again returns the same message and sends nothing more.',
});
/** A message of the thread, by its id or wamid (as the read API gives them). */
const messageRef = z.string().min(1).max(512);

export const postTextMessageSchema = z.object({
  clientId,
  type: z.literal('text'),
  text: z
    .string()
    .max(TEXT_MAX_CHARS, `text: at most ${TEXT_MAX_CHARS} characters`)
    .refine((t) => t.trim().length > 0, 'text: empty'),
  replyToId: messageRef.optional().meta({ description: 'The message this one quotes (its id or wamid).' }),
});

export const postReactionSchema = z.object({
  clientId,
  type: z.literal('reaction'),
  messageId: messageRef.meta({ description: 'The message reacted to (at most 30 days old).' }),
  emoji: z.string().max(32).meta({ description: 'One emoji; an empty string removes our reaction.' }),
});

export const postMediaMessageSchema = z.object({
  clientId,
  type: z.literal('media'),
  uploadId: z.string().min(1).max(64).meta({ description: 'From POST /api/uploads: the file and what kind of message carries it.' }),
  caption: z.string().max(CAPTION_MAX_CHARS).optional().meta({ description: 'Images, videos and documents only.' }),
  replyToId: messageRef.optional(),
});

const templateParameters = z.union([z.array(z.string().max(1024)).max(100), z.record(z.string().max(64), z.string().max(1024))]);

export const postTemplateMessageSchema = z.object({
  clientId,
  type: z.literal('template'),
  template: z.object({
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15).meta({ description: 'As the template is approved in, e.g. en_US.' }),
    parameters: templateParameters
      .optional()
      .meta({ description: 'Body variables: a list for {{1}}, {{2}} … or an object for named ones ({{first_name}}).' }),
    headerParameters: templateParameters.optional().meta({ description: "A text header's variable, in the template's style." }),
    headerUploadId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: 'From POST /api/uploads: the file of an image, video or document header.' }),
    buttonParameters: z
      .record(z.string().regex(/^\d{1,2}$/, 'a button index'), z.string().max(2000))
      .optional()
      .meta({ description: "A URL button's dynamic suffix, by the button's position among the template's buttons." }),
  }),
});

export const postMessageBodySchema = z.discriminatedUnion('type', [
  postTextMessageSchema,
  postReactionSchema,
  postMediaMessageSchema,
  postTemplateMessageSchema,
]);
export type PostMessageBody = z.infer<typeof postMessageBodySchema>;

/** Error codes of a 409 from the send routes, besides the generic `conflict`. */
export const SEND_REFUSALS = {
  /** The customer's last message is more than 24 hours old: only a template may be sent. */
  windowClosed: 'window_closed',
  /** No WHATSAPP_ACCESS_TOKEN: this inbox cannot send. */
  sendingDisabled: 'sending_disabled',
} as const;
