import { describe, expect, it } from 'vitest';
import { checkOutboundFile, isAnimatedWebp, OUTBOUND_MEDIA_LIMITS } from '@/lib/contracts/outbound-media';
import { buildMessageRequest, buildReadRequest, buildTypingRequest } from '@/lib/whatsapp/send-requests';

// The bodies Meta's /messages endpoint takes, as its pages document them (shared/meta/send-side.md §1.2–1.6):
// each test writes out the whole body Meta expects, so a stray or missing key fails.

const WA = { waId: '4915112345678' };
const ID = 'msg-0001';
const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+4915112345678', biz_opaque_callback_data: ID };

describe('buildMessageRequest: recipient', () => {
  it('always sends the phone number with + (without it Meta prepends the business number’s country code)', () => {
    expect(buildMessageRequest({ waId: '4915112345678' }, { type: 'text', text: 'Hi' }, ID).to).toBe('+4915112345678');
    expect(buildMessageRequest({ waId: '+4915112345678' }, { type: 'text', text: 'Hi' }, ID).to).toBe('+4915112345678');
  });

  it('sends to a BSUID in `recipient`, never in `to` (where Meta accepts and drops it)', () => {
    const body = buildMessageRequest({ bsuid: 'US.13491208655302741918' }, { type: 'text', text: 'Hi' }, ID);
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      recipient: 'US.13491208655302741918',
      type: 'text',
      text: { body: 'Hi' },
      biz_opaque_callback_data: ID,
    });
    expect(body).not.toHaveProperty('to');
  });
});

describe('buildMessageRequest: text', () => {
  it('plain text, with our message id as biz_opaque_callback_data', () => {
    expect(buildMessageRequest(WA, { type: 'text', text: 'Hallo, wie kann ich helfen?' }, ID)).toEqual({
      ...envelope,
      type: 'text',
      text: { body: 'Hallo, wie kann ich helfen?' },
    });
  });

  it('asks for a link preview only when the text has an http(s) link', () => {
    expect(buildMessageRequest(WA, { type: 'text', text: 'See https://example.com/order/1' }, ID).text).toEqual({
      body: 'See https://example.com/order/1',
      preview_url: true,
    });
    expect(buildMessageRequest(WA, { type: 'text', text: 'HTTP://EXAMPLE.COM' }, ID).text).toMatchObject({ preview_url: true });
    for (const text of ['example.com', 'ftp://example.com/x', 'https://', 'mail me: a@b.c']) {
      expect(buildMessageRequest(WA, { type: 'text', text }, ID).text).toEqual({ body: text });
    }
  });

  it('quotes the message replied to in context.message_id', () => {
    expect(buildMessageRequest(WA, { type: 'text', text: 'Yes', replyTo: 'wamid.IN-1' }, ID)).toEqual({
      ...envelope,
      type: 'text',
      context: { message_id: 'wamid.IN-1' },
      text: { body: 'Yes' },
    });
  });
});

describe('buildMessageRequest: media by id', () => {
  it('image and video with caption', () => {
    for (const type of ['image', 'video'] as const) {
      expect(buildMessageRequest(WA, { type, mediaId: 'm-1', caption: 'Your receipt' }, ID)).toEqual({
        ...envelope,
        type,
        [type]: { id: 'm-1', caption: 'Your receipt' },
      });
    }
  });

  it('document with caption and filename', () => {
    expect(buildMessageRequest(WA, { type: 'document', mediaId: 'm-2', caption: 'Invoice', filename: 'invoice-0042.pdf' }, ID)).toEqual({
      ...envelope,
      type: 'document',
      document: { id: 'm-2', caption: 'Invoice', filename: 'invoice-0042.pdf' },
    });
  });

  it('audio and sticker never carry a caption (Meta refuses it); a voice note says voice', () => {
    expect(buildMessageRequest(WA, { type: 'audio', mediaId: 'm-3', caption: 'x' }, ID).audio).toEqual({ id: 'm-3' });
    expect(buildMessageRequest(WA, { type: 'audio', mediaId: 'm-3', voice: true }, ID).audio).toEqual({ id: 'm-3', voice: true });
    expect(buildMessageRequest(WA, { type: 'sticker', mediaId: 'm-4', caption: 'x', filename: 'a.webp' }, ID)).toEqual({
      ...envelope,
      type: 'sticker',
      sticker: { id: 'm-4' },
    });
  });

  it('a filename only on documents; a reply context on media too', () => {
    expect(buildMessageRequest(WA, { type: 'image', mediaId: 'm-5', filename: 'a.png', replyTo: 'wamid.IN-2' }, ID)).toEqual({
      ...envelope,
      type: 'image',
      context: { message_id: 'wamid.IN-2' },
      image: { id: 'm-5' },
    });
  });
});

describe('buildMessageRequest: reaction', () => {
  it('reacts to a message, and an empty emoji removes the reaction', () => {
    expect(buildMessageRequest(WA, { type: 'reaction', messageId: 'wamid.IN-3', emoji: '👍' }, ID)).toEqual({
      ...envelope,
      type: 'reaction',
      reaction: { message_id: 'wamid.IN-3', emoji: '👍' },
    });
    expect(buildMessageRequest(WA, { type: 'reaction', messageId: 'wamid.IN-3', emoji: '' }, ID).reaction).toEqual({
      message_id: 'wamid.IN-3',
      emoji: '',
    });
  });
});

describe('buildMessageRequest: template', () => {
  it('without variables: name and language only', () => {
    expect(buildMessageRequest(WA, { type: 'template', name: 'hello_world', language: 'en_US' }, ID)).toEqual({
      ...envelope,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('positional body parameters in order', () => {
    expect(
      buildMessageRequest(WA, { type: 'template', name: 'order_update', language: 'de', body: ['Jana', '#4711'] }, ID).template,
    ).toEqual({
      name: 'order_update',
      language: { code: 'de' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Jana' },
            { type: 'text', text: '#4711' },
          ],
        },
      ],
    });
  });

  it('named body parameters each with parameter_name', () => {
    const body = buildMessageRequest(
      WA,
      { type: 'template', name: 'order_ready', language: 'en_US', body: { first_name: 'Jessica', order_number: '1234' } },
      ID,
    );
    expect(body.template).toEqual({
      name: 'order_ready',
      language: { code: 'en_US' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
            { type: 'text', parameter_name: 'order_number', text: '1234' },
          ],
        },
      ],
    });
  });

  it('header media, header text and button parameters, header first', () => {
    const image = buildMessageRequest(
      WA,
      {
        type: 'template',
        name: 'promo',
        language: 'en_US',
        header: { type: 'image', mediaId: 'm-9' },
        body: ['Jana'],
        buttons: [
          { subType: 'url', index: 0, text: 'summer-2026' },
          { subType: 'quick_reply', index: 1, payload: 'STOP' },
        ],
      },
      ID,
    );
    expect(image.template).toEqual({
      name: 'promo',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { id: 'm-9' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Jana' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'summer-2026' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP' }] },
      ],
    });
    const doc = buildMessageRequest(
      WA,
      { type: 'template', name: 'invoice', language: 'en', header: { type: 'document', mediaId: 'm-10', filename: 'inv.pdf' } },
      ID,
    );
    expect(doc.template).toMatchObject({
      components: [{ type: 'header', parameters: [{ type: 'document', document: { id: 'm-10', filename: 'inv.pdf' } }] }],
    });
    const text = buildMessageRequest(
      WA,
      { type: 'template', name: 'sale', language: 'en', header: { type: 'text', parameters: { sale_start_date: 'December 1st' } } },
      ID,
    );
    expect(text.template).toMatchObject({
      components: [{ type: 'header', parameters: [{ type: 'text', parameter_name: 'sale_start_date', text: 'December 1st' }] }],
    });
  });
});

describe('mark as read and typing', () => {
  it('read receipt: status read with the inbound wamid; no recipient', () => {
    expect(buildReadRequest('wamid.IN-4')).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN-4' });
  });

  it('typing indicator: the same with typing_indicator text', () => {
    expect(buildTypingRequest('wamid.IN-4')).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN-4',
      typing_indicator: { type: 'text' },
    });
  });
});

describe('checkOutboundFile: WhatsApp’s media types and sizes', () => {
  const MB = 1024 * 1024;

  it('takes each kind’s types up to its limit', () => {
    expect(checkOutboundFile({ kind: 'image', mimeType: 'image/jpeg', bytes: 5 * MB })).toEqual({
      ok: true,
      kind: 'image',
      mimeType: 'image/jpeg',
    });
    expect(checkOutboundFile({ kind: 'video', mimeType: 'video/3gpp', bytes: 16 * MB }).ok).toBe(true);
    expect(checkOutboundFile({ kind: 'audio', mimeType: 'Audio/OGG; codecs=opus', bytes: 1000 })).toEqual({
      ok: true,
      kind: 'audio',
      mimeType: 'audio/ogg; codecs=opus',
    });
    expect(checkOutboundFile({ kind: 'document', mimeType: 'application/pdf', bytes: 100 * MB }).ok).toBe(true);
    expect(checkOutboundFile({ kind: 'sticker', mimeType: 'image/webp', bytes: 100 * 1024 }).ok).toBe(true);
    expect(checkOutboundFile({ kind: 'sticker', mimeType: 'image/webp', bytes: 500 * 1024, animated: true }).ok).toBe(true);
  });

  it('refuses a byte over the limit, saying both sizes', () => {
    expect(checkOutboundFile({ kind: 'image', mimeType: 'image/png', bytes: 5 * MB + 1 })).toEqual({
      ok: false,
      reason: 'too_large',
      message: 'The file is 5 MB; WhatsApp takes an image up to 5 MB.',
    });
    expect(checkOutboundFile({ kind: 'video', mimeType: 'video/mp4', bytes: 20 * MB })).toMatchObject({
      reason: 'too_large',
      message: 'The file is 20 MB; WhatsApp takes a video up to 16 MB.',
    });
    expect(checkOutboundFile({ kind: 'sticker', mimeType: 'image/webp', bytes: 200 * 1024 })).toMatchObject({
      reason: 'too_large',
      message: 'The file is 200 KB; WhatsApp takes a static sticker up to 100 KB.',
    });
    expect(checkOutboundFile({ kind: 'sticker', mimeType: 'image/webp', bytes: 501 * 1024, animated: true })).toMatchObject({
      reason: 'too_large',
    });
    expect(checkOutboundFile({ kind: 'document', mimeType: 'application/pdf', bytes: 100 * MB + 1 }).ok).toBe(false);
  });

  it('refuses a type WhatsApp does not take for that kind, naming the ones it does', () => {
    expect(checkOutboundFile({ kind: 'image', mimeType: 'image/webp', bytes: 10 })).toEqual({
      ok: false,
      reason: 'type',
      message: 'WhatsApp does not accept image/webp as an image; it takes image/jpeg, image/png.',
    });
    expect(checkOutboundFile({ kind: 'audio', mimeType: 'audio/webm', bytes: 10 }).ok).toBe(false);
    expect(checkOutboundFile({ kind: 'audio', mimeType: 'audio/opus', bytes: 10 }).ok).toBe(false);
    expect(checkOutboundFile({ kind: 'audio', mimeType: 'audio/ogg; codecs=vorbis', bytes: 10 })).toMatchObject({ reason: 'type' });
    expect(checkOutboundFile({ kind: 'document', mimeType: 'application/zip', bytes: 10 }).ok).toBe(false);
    expect(checkOutboundFile({ kind: 'video', mimeType: '', bytes: 10 })).toMatchObject({
      message: expect.stringContaining('unknown type'),
    });
  });

  it('refuses an empty file', () => {
    expect(checkOutboundFile({ kind: 'document', mimeType: 'text/plain', bytes: 0 })).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('one table for every kind', () => {
    expect(Object.keys(OUTBOUND_MEDIA_LIMITS).sort()).toEqual(['audio', 'document', 'image', 'sticker', 'video']);
  });
});

describe('isAnimatedWebp', () => {
  const webp = (chunk: string, flags: number) => {
    const b = Buffer.alloc(30);
    b.write('RIFF', 0, 'ascii');
    b.writeUInt32LE(22, 4);
    b.write('WEBP', 8, 'ascii');
    b.write(chunk, 12, 'ascii');
    b[20] = flags;
    return b;
  };

  it('reads the animation flag of the extended header', () => {
    expect(isAnimatedWebp(webp('VP8X', 0x02))).toBe(true);
    expect(isAnimatedWebp(webp('VP8X', 0x10))).toBe(false);
    expect(isAnimatedWebp(webp('VP8 ', 0xff))).toBe(false);
    expect(isAnimatedWebp(Buffer.from('not a webp at all, really'))).toBe(false);
    expect(isAnimatedWebp(new Uint8Array(3))).toBe(false);
  });
});
