import { type ContentOf, isMediaMessageType, type MessageContent, messageContentSchema } from '@/lib/whatsapp/message-types';
import type { OutboundMessage, OutboundTemplate, Recipient, TemplateHeader, TemplateParameters } from '@/lib/whatsapp/send-requests';

// A queued message's content → what the Graph client sends (lib/whatsapp/send-requests.ts builds Meta's
// JSON from it). PURE. The content is the same typed content inbound messages have: a sent text, image or
// reaction renders with no parser of its own.

/** The message cannot be sent as written (no recipient, content we cannot send): failed at once, never retried. */
export class SendRefused extends Error {
  override name = 'SendRefused';
}

/**
 * Whom to send to: the phone number when we know it (Meta recommends it, and `to` keeps phone fields in
 * webhooks), else the business-scoped user id (BSUID) of a customer known only by it.
 */
export function recipientOf(m: { recipientWaId: string | null; recipientUserId: string | null }): Recipient {
  if (m.recipientWaId) return { waId: m.recipientWaId };
  if (m.recipientUserId) return { bsuid: m.recipientUserId };
  throw new SendRefused('The customer has neither a phone number nor a WhatsApp user id to send to.');
}

/** What to send for a queued message; `mediaId` is Meta's id of its uploaded file, if it has one. */
export function outboundMessageOf(
  m: { type: string; content: unknown; replyToWamid: string | null; targetWamid: string | null },
  mediaId: string | null,
): OutboundMessage {
  const parsed = messageContentSchema.safeParse(m.content);
  if (!parsed.success) throw new SendRefused(`This message's content cannot be read (type ${m.type}).`);
  const content: MessageContent = parsed.data;
  const replyTo = m.replyToWamid ?? undefined;
  switch (content.type) {
    case 'text':
      if (!content.body) throw new SendRefused('The message is empty.');
      return { type: 'text', text: content.body, replyTo };
    case 'reaction':
      if (!content.targetWamid) throw new SendRefused('The reaction has no message to react to.');
      return { type: 'reaction', messageId: content.targetWamid, emoji: content.emoji ?? '' };
    case 'template':
      return templateOf(content, mediaId);
    default:
      if (isMediaMessageType(content.type) && 'media' in content) {
        if (!mediaId) throw new SendRefused('The attached file was not uploaded.');
        const media = content.media;
        return {
          type: content.type,
          mediaId,
          caption: media?.caption ?? undefined,
          filename: media?.filename ?? undefined,
          voice: media?.voice || undefined,
          replyTo,
        };
      }
      throw new SendRefused(`Messages of type ${content.type} cannot be sent from the inbox.`);
  }
}

/** A template as Meta takes it: name, language, and the values its header, body and URL buttons were filled with. */
function templateOf(content: ContentOf<'template'>, mediaId: string | null): OutboundTemplate {
  if (!content.name || !content.language) throw new SendRefused('The template has no name or language.');
  const hasValues = (p: TemplateParameters | null | undefined): p is TemplateParameters =>
    !!p && (Array.isArray(p) ? p.length > 0 : Object.keys(p).length > 0);
  let header: TemplateHeader | undefined;
  const format = content.header?.format;
  if (format === 'text' && hasValues(content.headerParameters)) header = { type: 'text', parameters: content.headerParameters };
  else if (format === 'image' || format === 'video') {
    if (!mediaId) throw new SendRefused("The template's header file was not uploaded.");
    header = { type: format, mediaId };
  } else if (format === 'document') {
    if (!mediaId) throw new SendRefused("The template's header file was not uploaded.");
    header = { type: 'document', mediaId, filename: content.header?.media?.filename ?? undefined };
  }
  const buttons = Object.entries(content.buttonParameters ?? {})
    .filter(([index]) => content.buttons[Number(index)]?.type === 'url')
    .map(([index, text]) => ({ subType: 'url' as const, index: Number(index), text }));
  return {
    type: 'template',
    name: content.name,
    language: content.language,
    body: hasValues(content.parameters) ? content.parameters : undefined,
    header,
    buttons: buttons.length > 0 ? buttons : undefined,
  };
}
