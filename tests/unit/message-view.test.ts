import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiConversation, ApiMessage } from '@/lib/inbox/read-api';
import {
  buildThread,
  deliveryView,
  describeMessage,
  documentTypeLabel,
  formatMoney,
  previewOf,
  previewOfMessage,
  type MessageView,
  type ThreadItem,
  type ThreadMessageItem,
} from '@/lib/inbox/message-view';
import { formatRelativeTime, formatTime } from '@/lib/inbox/format-time';
import { linkify } from '@/lib/inbox/linkify';
import { contentOf } from '@/lib/whatsapp/message-types';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';
import type { NormalizedMessage } from '@/lib/whatsapp/types';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/payloads');

/** What the read API would return for a normalized message (the same mapping as toApiMessage). */
function toApi(n: NormalizedMessage): ApiMessage {
  return {
    id: n.wamid,
    wamid: n.wamid,
    conversationId: '1',
    businessPhoneNumberId: n.phoneNumberId,
    direction: n.direction,
    type: n.type,
    subtype: n.subtype,
    text: n.text,
    timestamp: n.timestamp.toISOString(),
    contact: { waId: n.customer.waId, userId: n.customer.userId, name: null },
    status: n.direction === 'inbound' ? 'received' : 'sent',
    errors: n.errors,
    replyToId: n.replyToWamid,
    statusHistory: [],
    // The view reads content, never raw: the thread gets no raw at all.
    content: n.content,
    placeholder: false,
    history: false,
    clientId: null,
    sentBy: null,
    media: n.media,
    mediaFile: null,
    targetId: n.targetWamid,
    forwarded: n.forwarded,
    frequentlyForwarded: n.frequentlyForwarded,
    editedAt: null,
    deletedAt: null,
  };
}

function fixtureMessages(name: string): ApiMessage[] {
  const body = JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown;
  return normalizeWebhook(body, new Date('2026-12-01T10:00:00Z')).messages.map(toApi);
}

function fixtureMessage(name: string): ApiMessage {
  const [first] = fixtureMessages(name);
  if (!first) throw new Error(`no message in ${name}`);
  return first;
}

let seq = 0;
/**
 * A hand-made message: for hostile shapes and threads. `item` is the Meta item it came from (its
 * type is the message's): its content is made by contentOf, as at ingest. `item: null`: no content.
 */
function msg({ item = { text: { body: 'hello' } }, ...over }: Partial<ApiMessage> & { item?: unknown } = {}): ApiMessage {
  seq += 1;
  const type = over.type ?? 'text';
  return {
    id: `wamid.T-${seq}`,
    wamid: `wamid.T-${seq}`,
    conversationId: '1',
    businessPhoneNumberId: '106540352242922',
    direction: 'inbound',
    type: 'text',
    subtype: null,
    text: 'hello',
    timestamp: new Date(2026, 11, 3, 10, 0).toISOString(),
    contact: { waId: '4915112345678', userId: null, name: 'Tom' },
    status: 'received',
    errors: [],
    replyToId: null,
    statusHistory: [],
    content: item === null || over.placeholder === true ? null : contentOf(isRecord(item) ? { type, ...item } : { type }),
    placeholder: false,
    history: false,
    clientId: null,
    sentBy: null,
    media: null,
    mediaFile: null,
    targetId: null,
    forwarded: false,
    frequentlyForwarded: false,
    editedAt: null,
    deletedAt: null,
    ...over,
  };
}

function expectKind<K extends MessageView['kind']>(view: MessageView, kind: K): Extract<MessageView, { kind: K }> {
  expect(view.kind).toBe(kind);
  return view as Extract<MessageView, { kind: K }>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const messageItems = (items: ThreadItem[]) => items.filter((i): i is ThreadMessageItem => i.kind === 'message');

describe('describeMessage: one Meta payload per type', () => {
  it('text', () => {
    const view = expectKind(describeMessage(fixtureMessage('text.json')), 'text');
    expect(view.text.length).toBeGreaterThan(0);
    expect(view.referral).toBeNull();
    expect(view.forwarded).toBe(false);
  });

  it('text from a click-to-WhatsApp ad carries the referral', () => {
    const view = expectKind(describeMessage(fixtureMessage('text_referral_ctwa.json')), 'text');
    expect(view.text).toBe('Is the winter sale still on?');
    expect(view.referral).toEqual({
      headline: 'Chat with us',
      body: 'Winter sale: 30% off all jackets',
      sourceType: 'ad',
      sourceUrl: 'https://fb.me/3cr4Wqqkv',
    });
  });

  it('image with caption', () => {
    const view = expectKind(describeMessage(fixtureMessage('image.json')), 'media');
    expect(view).toMatchObject({
      mediaKind: 'image',
      label: 'Photo',
      caption: 'This is the damaged box',
      mimeType: 'image/jpeg',
      filename: null,
    });
  });

  it('forwarded video', () => {
    const view = expectKind(describeMessage(fixtureMessage('video_forwarded.json')), 'media');
    expect(view).toMatchObject({
      mediaKind: 'video',
      label: 'Video',
      caption: 'Look at this!',
      forwarded: true,
      frequentlyForwarded: true,
    });
  });

  it('voice note', () => {
    const view = expectKind(describeMessage(fixtureMessage('audio_voice.json')), 'media');
    expect(view).toMatchObject({ mediaKind: 'voice', label: 'Voice message', caption: null, mimeType: 'audio/ogg; codecs=opus' });
  });

  it('document: the filename is not repeated as a caption', () => {
    const view = expectKind(describeMessage(fixtureMessage('document.json')), 'media');
    expect(view).toMatchObject({
      mediaKind: 'document',
      label: 'Document',
      filename: 'invoice-2026-0193.pdf',
      caption: null,
      mimeType: 'application/pdf',
    });
  });

  it('animated sticker', () => {
    const view = expectKind(describeMessage(fixtureMessage('sticker_animated.json')), 'media');
    expect(view).toMatchObject({ mediaKind: 'sticker', label: 'Sticker', animated: true, mimeType: 'image/webp' });
  });

  it('location with and without a name', () => {
    const [named, bare] = fixtureMessages('location.json').map(describeMessage);
    expect(named).toMatchObject({
      kind: 'location',
      name: 'Tokyo Tower',
      address: '4-2-8 Shibakoen, Minato City, Tokyo',
      latitude: 35.6586,
      longitude: 139.7454,
      mapUrl: 'https://www.openstreetmap.org/?mlat=35.6586&mlon=139.7454',
    });
    expect(bare).toMatchObject({
      kind: 'location',
      name: null,
      address: null,
      mapUrl: 'https://www.openstreetmap.org/?mlat=35.6595&mlon=139.7005',
    });
  });

  it('shared contacts', () => {
    const view = expectKind(describeMessage(fixtureMessage('contacts_shared.json')), 'contacts');
    expect(view.contacts).toEqual([
      {
        name: 'Anna Schmidt',
        phones: [{ phone: '+49 151 2345 6789', waId: '4915123456789', type: 'MOBILE' }],
        emails: [{ email: 'anna@example.com', type: 'WORK' }],
        org: 'Schmidt GmbH',
      },
      { name: 'Jonas Weber', phones: [{ phone: '+49 160 9876543', waId: null, type: 'HOME' }], emails: [], org: null },
    ]);
  });

  it('interactive button, list and flow replies; template quick reply', () => {
    expect(describeMessage(fixtureMessage('interactive_button_reply.json'))).toMatchObject({
      kind: 'reply',
      replyKind: 'button_reply',
      title: '✅ Confirm',
    });
    expect(describeMessage(fixtureMessage('interactive_list_reply.json'))).toMatchObject({
      kind: 'reply',
      replyKind: 'list_reply',
      title: '🍕 Pizza',
      description: '$12.99',
    });
    const flow = expectKind(describeMessage(fixtureMessage('interactive_nfm_reply.json')), 'reply');
    expect(flow).toMatchObject({ replyKind: 'flow_reply', title: 'Sent' });
    expect(flow.fields).toEqual([
      { label: 'date', value: '2026-12-03' },
      { label: 'time', value: '15:00' },
    ]);
    expect(describeMessage(fixtureMessage('button_quick_reply.json'))).toMatchObject({
      kind: 'reply',
      replyKind: 'button_reply',
      title: 'Stop promotions',
    });
  });

  it('order with totals per currency', () => {
    const view = expectKind(describeMessage(fixtureMessage('order.json')), 'order');
    expect(view.catalogId).toBe('1493025811456521');
    expect(view.text).toBe('Please deliver after 5pm');
    expect(view.items).toEqual([
      { productRetailerId: 'jacket-m-blue', quantity: 1, itemPrice: 89.9, currency: 'EUR', lineTotal: 89.9 },
      { productRetailerId: 'scarf-wool', quantity: 2, itemPrice: 19.5, currency: 'EUR', lineTotal: 39 },
    ]);
    expect(view.totals).toEqual([{ currency: 'EUR', amount: 128.9 }]);
  });

  it('order totals: several currencies, numeric strings, float noise, unusable lines', () => {
    const m = msg({
      type: 'order',
      text: null,
      item: {
        order: {
          product_items: [
            { product_retailer_id: 'a', quantity: 3, item_price: 0.1, currency: 'usd' },
            { product_retailer_id: 'b', quantity: '2', item_price: '5.25', currency: 'EUR' },
            { product_retailer_id: 'c', quantity: 'lots', item_price: 1, currency: 'EUR' },
            { product_retailer_id: 42, quantity: 1, item_price: Number.NaN, currency: ['EUR'] },
            'not a line',
          ],
        },
      },
    });
    const view = expectKind(describeMessage(m), 'order');
    expect(view.items).toHaveLength(4);
    expect(view.items[3]).toEqual({ productRetailerId: null, quantity: 1, itemPrice: null, currency: null, lineTotal: null });
    expect(view.totals).toEqual([
      { currency: 'USD', amount: 0.3 },
      { currency: 'EUR', amount: 10.5 },
    ]);
  });

  it('system notice', () => {
    expect(describeMessage(fixtureMessage('system_user_changed_number.json'))).toMatchObject({
      kind: 'system',
      body: 'User Tom Becker changed from 4915112345678 to 4917612345678',
      systemType: 'user_changed_number',
    });
  });

  it('unsupported, with what was sent and why', () => {
    expect(describeMessage(fixtureMessage('unsupported.json'))).toMatchObject({
      kind: 'unsupported',
      type: 'poll_creation',
      errorTitle: 'Message type unknown',
      errorDetails: 'Message type is currently not supported.',
    });
  });

  it('a type we do not know is unsupported, never blank', () => {
    expect(describeMessage(fixtureMessage('unknown_type.json'))).toMatchObject({
      kind: 'unsupported',
      type: 'poll',
      text: 'Lunch on Friday?',
    });
  });

  it('request_welcome', () => {
    expect(describeMessage(fixtureMessage('request_welcome.json'))).toMatchObject({
      kind: 'request_welcome',
      label: 'Customer opened the chat',
    });
  });

  it('reaction rows', () => {
    expect(describeMessage(fixtureMessage('reaction.json'))).toMatchObject({
      kind: 'reaction',
      emoji: '👍',
      targetId: 'wamid.FX-OUT-0103',
    });
    expect(describeMessage(fixtureMessage('reaction_removed.json'))).toMatchObject({
      kind: 'reaction',
      emoji: null,
      targetId: 'wamid.FX-OUT-0103',
    });
  });

  it('placeholder, deleted, edited', () => {
    expect(describeMessage(msg({ direction: 'outbound', type: 'placeholder', text: null, item: null, placeholder: true }))).toMatchObject({
      kind: 'placeholder',
      label: 'Sent from another system',
    });
    expect(describeMessage(msg({ deletedAt: '2026-12-03T10:05:00.000Z' }))).toMatchObject({
      kind: 'deleted',
      label: 'This message was deleted',
    });
    expect(describeMessage(msg({ text: 'fixed', editedAt: '2026-12-03T10:01:00.000Z' }))).toMatchObject({
      kind: 'text',
      text: 'fixed',
      editedAt: '2026-12-03T10:01:00.000Z',
    });
  });

  it('an edited caption wins over the original one', () => {
    const image = fixtureMessage('image.json');
    const view = describeMessage({ ...image, text: 'New caption', editedAt: '2026-12-03T10:01:00.000Z' });
    expect(view).toMatchObject({ kind: 'media', caption: 'New caption' });
  });

  it('referrals only on inbound messages', () => {
    const inbound = fixtureMessage('text_referral_ctwa.json');
    expect(describeMessage({ ...inbound, direction: 'outbound' }).referral).toBeNull();
  });
});

describe('describeMessage: hostile and broken shapes', () => {
  const RAWS: unknown[] = [null, undefined, 'a string', 42, [], [1, 2], { text: 'body is not an object' }, { __proto__: { x: 1 } }];
  const TYPES = [
    'text',
    'image',
    'video',
    'audio',
    'document',
    'sticker',
    'location',
    'contacts',
    'interactive',
    'button',
    'order',
    'system',
    'reaction',
    'unsupported',
    'request_welcome',
    'poll',
    'constructor',
    '__proto__',
    '',
  ];

  it('never throws and never renders blank, whatever the item held', () => {
    for (const raw of RAWS) {
      for (const type of TYPES) {
        for (const text of [null, '']) {
          const view = describeMessage(msg({ type, item: raw, text, media: null }));
          expect(view.kind).toBeTruthy();
          const preview = previewOfMessage(msg({ type, item: raw, text }));
          expect(preview.text.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('fields of the wrong type are ignored', () => {
    const location = describeMessage(
      msg({
        type: 'location',
        text: null,
        item: { location: { latitude: '35.6', longitude: Number.POSITIVE_INFINITY, name: 7, address: { x: 1 } } },
      }),
    );
    expect(location).toMatchObject({ kind: 'location', name: null, address: null, latitude: null, longitude: null, mapUrl: null });

    const outOfRange = describeMessage(msg({ type: 'location', item: { location: { latitude: 91, longitude: 10 } } }));
    expect(outOfRange).toMatchObject({ kind: 'location', mapUrl: null });

    const contacts = expectKind(
      describeMessage(
        msg({
          type: 'contacts',
          text: null,
          item: { contacts: [null, 'x', { name: 'str', phones: 'nope', emails: [{ email: 1 }], org: [] }] },
        }),
      ),
      'contacts',
    );
    expect(contacts.contacts).toEqual([{ name: 'Contact', phones: [], emails: [], org: null }]);

    // media is jsonb cast to MediaInfo: wrong types there too.
    const media = describeMessage(
      msg({ type: 'image', text: null, media: { mimeType: 5, caption: {}, voice: 'yes' } as never, item: { image: 'x' } }),
    );
    expect(media).toMatchObject({ kind: 'media', mediaKind: 'image', caption: null, mimeType: null });

    const referral = describeMessage(msg({ item: { referral: { headline: ['x'], source_url: 5 } } }));
    expect(referral.referral).toBeNull();

    const flow = expectKind(
      describeMessage(
        msg({
          type: 'interactive',
          subtype: 'nfm_reply',
          text: null,
          item: { interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{not json' } } },
        }),
      ),
      'reply',
    );
    expect(flow).toMatchObject({ replyKind: 'flow_reply', title: 'Form submitted', fields: [] });
  });

  it('keeps markup as plain text for React to escape', () => {
    const html = '<img src=x onerror=alert(1)>';
    expect(describeMessage(msg({ text: html }))).toMatchObject({ kind: 'text', text: html });
    expect(linkify(html)).toEqual([{ kind: 'text', text: html }]);
  });

  it('content that does not match its schema is treated as none: the normalized columns still show', () => {
    const junk = { v: 1, type: 'location', latitude: 'north', name: 5 } as unknown as ApiMessage['content'];
    expect(describeMessage(msg({ type: 'location', text: 'Tokyo Tower', content: junk }))).toMatchObject({
      kind: 'location',
      name: 'Tokyo Tower',
      latitude: null,
      mapUrl: null,
    });
    const future = { v: 2, type: 'text', body: 'from a later version' } as unknown as ApiMessage['content'];
    expect(describeMessage(msg({ text: 'hi', content: future }))).toMatchObject({ kind: 'text', text: 'hi' });
  });

  it('a message whose item was a string still shows its normalized text', () => {
    expect(describeMessage(msg({ text: 'hi', item: 'garbage' }))).toMatchObject({ kind: 'text', text: 'hi' });
  });
});

describe('linkify', () => {
  const links = (text: string) => linkify(text).filter((s) => s.kind === 'link');

  it('links http(s) URLs and bare www. hosts, leaving trailing punctuation out', () => {
    expect(linkify('See https://example.com/a?b=1. Thanks')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. Thanks' },
    ]);
    expect(linkify('(www.example.org), ok')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'www.example.org', href: 'https://www.example.org' },
      { kind: 'text', text: '), ok' },
    ]);
    expect(links('http://a.example/x, and https://b.example!')).toEqual([
      { kind: 'link', text: 'http://a.example/x', href: 'http://a.example/x' },
      { kind: 'link', text: 'https://b.example', href: 'https://b.example' },
    ]);
  });

  it('keeps balanced parentheses inside a URL', () => {
    expect(links('https://en.wikipedia.org/wiki/Tick_(disambiguation).')).toEqual([
      {
        kind: 'link',
        text: 'https://en.wikipedia.org/wiki/Tick_(disambiguation)',
        href: 'https://en.wikipedia.org/wiki/Tick_(disambiguation)',
      },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'file:///etc/passwd',
      'mailto:a@b.example',
      'ftp://files.example.com',
      'https://',
      'http://nohost',
      'me@www.example.com',
    ]) {
      expect(links(text), text).toEqual([]);
    }
    for (const segment of linkify('javascript:alert(1)//https://ok.example <a href="javascript:x">www.safe.example</a>')) {
      if (segment.kind === 'link') expect(segment.href).toMatch(/^https?:\/\//);
    }
  });

  it('does not let quotes or angle brackets into a link', () => {
    expect(links('https://x.example/"onmouseover="alert(1)')).toEqual([
      { kind: 'link', text: 'https://x.example/', href: 'https://x.example/' },
    ]);
    expect(links('<https://x.example/a>')).toEqual([{ kind: 'link', text: 'https://x.example/a', href: 'https://x.example/a' }]);
  });

  it('lower-cases the scheme and keeps all text', () => {
    expect(links('HTTPS://EXAMPLE.COM')).toEqual([{ kind: 'link', text: 'HTTPS://EXAMPLE.COM', href: 'https://EXAMPLE.COM' }]);
    const text = 'a https://x.example b www.y.example c';
    expect(
      linkify(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(text);
    expect(linkify('')).toEqual([]);
  });
});

describe('previewOf', () => {
  const last = (over: Partial<NonNullable<ApiConversation['lastMessage']>>): ApiConversation['lastMessage'] => ({
    id: 'wamid.X',
    type: 'text',
    text: null,
    direction: 'inbound',
    status: 'received',
    timestamp: '2026-12-03T10:00:00.000Z',
    ...over,
  });

  it('gives an icon name and a text per type', () => {
    expect(previewOf(last({ text: 'Hi' }))).toEqual({ icon: null, text: 'Hi' });
    expect(previewOf(last({ type: 'image' }))).toEqual({ icon: 'image', text: 'Photo' });
    expect(previewOf(last({ type: 'image', text: 'the box' }))).toEqual({ icon: 'image', text: 'the box' });
    expect(previewOf(last({ type: 'video' }))).toEqual({ icon: 'video', text: 'Video' });
    // The list only knows "audio" (voice notes are audio too): the microphone, as for a voice note.
    expect(previewOf(last({ type: 'audio' }))).toEqual({ icon: 'voice', text: 'Audio' });
    expect(previewOf(last({ type: 'document', text: 'invoice.pdf' }))).toEqual({ icon: 'document', text: 'invoice.pdf' });
    expect(previewOf(last({ type: 'sticker' }))).toEqual({ icon: 'sticker', text: 'Sticker' });
    expect(previewOf(last({ type: 'location' }))).toEqual({ icon: 'location', text: 'Location' });
    expect(previewOf(last({ type: 'contacts', text: 'Anna' }))).toEqual({ icon: 'contact', text: 'Anna' });
    expect(previewOf(last({ type: 'order', text: 'Order: 3 items' }))).toEqual({ icon: 'order', text: 'Order: 3 items' });
    expect(previewOf(last({ type: 'interactive', text: 'Confirm' }))).toEqual({ icon: 'reply', text: 'Confirm' });
    expect(previewOf(last({ type: 'system' }))).toEqual({ icon: 'info', text: 'System message' });
    expect(previewOf(last({ type: 'edit' }))).toEqual({ icon: 'edit', text: 'Edited a message' });
    expect(previewOf(last({ type: 'revoke' }))).toEqual({ icon: 'deleted', text: 'This message was deleted' });
    expect(previewOf(last({ type: 'request_welcome' })).icon).toBe('welcome');
    expect(previewOf(last({ type: 'unsupported' }))).toEqual({ icon: 'unsupported', text: 'Unsupported message' });
    expect(previewOf(last({ type: 'poll', text: null }))).toEqual({ icon: 'unsupported', text: 'Unsupported message' });
    expect(previewOf(last({ type: 'reaction', text: '👍' }))).toEqual({ icon: null, text: 'Reacted 👍' });
    expect(previewOf(last({ type: 'placeholder', direction: 'outbound' }))).toEqual({ icon: null, text: 'Sent from another system' });
    expect(previewOf(null)).toEqual({ icon: null, text: 'No messages yet' });
  });

  it('is never empty', () => {
    for (const type of [
      'text',
      'image',
      'interactive',
      'button',
      'system',
      'request_welcome',
      'edit',
      'revoke',
      '',
      '__proto__',
      'constructor',
    ]) {
      expect(previewOf(last({ type, text: '' })).text.length, type).toBeGreaterThan(0);
    }
  });

  it('previewOfMessage knows voice notes and shared contacts', () => {
    expect(previewOfMessage(fixtureMessage('audio_voice.json'))).toEqual({ icon: 'voice', text: 'Voice message' });
    expect(previewOfMessage(fixtureMessage('contacts_shared.json'))).toEqual({ icon: 'contact', text: 'Anna Schmidt, Jonas Weber' });
    expect(previewOfMessage(fixtureMessage('order.json'))).toEqual({ icon: 'order', text: 'Order: 3 items' });
  });
});

describe('time formatting', () => {
  const now = new Date(2026, 11, 3, 15, 30); // Thursday 3 December 2026, 15:30 local

  it('formatTime is HH:MM local', () => {
    expect(formatTime(new Date(2026, 11, 3, 9, 5).toISOString())).toBe('09:05');
    expect(formatTime('not a date')).toBe('');
  });

  it('formatRelativeTime', () => {
    const at = (...args: [number, number, number, number, number, number?]) => new Date(...args).toISOString();
    expect(formatRelativeTime(at(2026, 11, 3, 15, 29, 40), now)).toBe('now');
    expect(formatRelativeTime(at(2026, 11, 3, 15, 31), now)).toBe('now'); // clock skew
    expect(formatRelativeTime(at(2026, 11, 3, 15, 25), now)).toBe('5m');
    expect(formatRelativeTime(at(2026, 11, 3, 12, 29), now)).toBe('3h');
    expect(formatRelativeTime(at(2026, 11, 2, 23, 0), now)).toBe('Yesterday');
    expect(formatRelativeTime(at(2026, 11, 1, 8, 0), now)).toBe(new Date(2026, 11, 1).toLocaleDateString(undefined, { weekday: 'short' }));
    const older = formatRelativeTime(at(2026, 9, 1, 8, 0), now);
    expect(older).not.toMatch(/^(now|\d+[mh]|Yesterday)$/);
    expect(older.length).toBeGreaterThan(0);
    expect(formatRelativeTime('garbage', now)).toBe('');
    expect(formatRelativeTime(null, now)).toBe('');
  });

  it('formatMoney survives a currency code Intl does not know', () => {
    expect(formatMoney(128.9, 'EUR')).toMatch(/128[.,]90/);
    expect(formatMoney(5, 'NOT-A-CODE')).toBe('5.00 NOT-A-CODE');
  });
});

describe('buildThread', () => {
  const now = new Date(2026, 11, 3, 18, 0);
  const t = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute).toISOString();

  it('puts a day separator before each local day: Today, Yesterday, a date', () => {
    const items = buildThread(
      [
        msg({ id: 'a', timestamp: t(1, 9) }),
        msg({ id: 'b', timestamp: t(2, 9) }),
        msg({ id: 'c', timestamp: t(2, 23, 59) }),
        msg({ id: 'd', timestamp: t(3, 0, 1) }),
      ],
      now,
    );
    expect(items.map((i) => (i.kind === 'day' ? `[${i.label}]` : i.key))).toEqual([
      `[${new Date(2026, 11, 1).toLocaleDateString(undefined, { weekday: 'long' })}]`,
      'a',
      '[Yesterday]',
      'b',
      'c',
      '[Today]',
      'd',
    ]);
    const older = buildThread([msg({ timestamp: new Date(2025, 0, 5, 12).toISOString() })], now)[0];
    expect(older?.kind === 'day' && older.label).toMatch(/2025/);
  });

  it('attaches reactions to their target: latest per direction wins, removal clears', () => {
    const target = msg({ id: 'wamid.OUT', direction: 'outbound', timestamp: t(3, 10) });
    const reaction = (id: string, minute: number, emoji: string | null, direction: 'inbound' | 'outbound' = 'inbound') =>
      msg({
        id,
        type: 'reaction',
        direction,
        text: emoji,
        subtype: emoji ? null : 'removed',
        targetId: 'wamid.OUT',
        timestamp: t(3, 11, minute),
        item: { reaction: { message_id: 'wamid.OUT', emoji } },
      });
    let items = buildThread([target, reaction('r1', 1, '👍'), reaction('r2', 2, '❤️'), reaction('r3', 3, '😂', 'outbound')], now);
    expect(messageItems(items)).toHaveLength(1);
    expect(messageItems(items)[0]?.reactions).toEqual([
      { emoji: '❤️', direction: 'inbound' },
      { emoji: '😂', direction: 'outbound' },
    ]);

    items = buildThread([target, reaction('r1', 1, '👍'), reaction('r2', 2, null)], now);
    expect(messageItems(items)[0]?.reactions).toEqual([]);
    expect(items.some((i) => i.kind === 'reaction-notice')).toBe(false);

    // Out-of-order arrival: the later timestamp still wins.
    items = buildThread([target, reaction('r2', 2, '❤️'), reaction('r1', 1, '👍')], now);
    expect(messageItems(items)[0]?.reactions).toEqual([{ emoji: '❤️', direction: 'inbound' }]);
  });

  it('a reaction to a message not in the list is a notice', () => {
    const [reaction] = fixtureMessages('reaction.json');
    const items = buildThread([msg({ id: 'x', timestamp: t(3, 9) }), reaction!], now);
    const notice = items.find((i) => i.kind === 'reaction-notice');
    expect(notice).toMatchObject({
      kind: 'reaction-notice',
      emoji: '👍',
      direction: 'inbound',
      text: 'Reacted 👍 to a message',
      targetId: 'wamid.FX-OUT-0103',
    });
    // A removal of such a reaction shows nothing.
    const [removed] = fixtureMessages('reaction_removed.json');
    expect(buildThread([reaction!, removed!], now).filter((i) => i.kind !== 'day')).toEqual([]);
  });

  it('links replies to the quoted message, or names the missing one', () => {
    const original = msg({ id: 'wamid.ORIG', direction: 'outbound', timestamp: t(3, 9) });
    const reply = msg({ id: 'wamid.REPLY', replyToId: 'wamid.ORIG', timestamp: t(3, 9, 5) });
    const orphan = msg({ id: 'wamid.ORPHAN', replyToId: 'wamid.GONE', timestamp: t(3, 9, 6) });
    const [, , r, o] = buildThread([original, reply, orphan], now);
    expect(r).toMatchObject({ kind: 'message', quoted: original, quotedMissingId: null });
    expect(o).toMatchObject({ kind: 'message', quoted: null, quotedMissingId: 'wamid.GONE' });
  });

  it('finds a message written here by its wamid: the customer quotes and reacts to it by that', () => {
    // Our id is digits; Meta named it later, and the customer's reply and reaction carry Meta's name.
    const ours = msg({ id: '1042', wamid: 'wamid.SENT-HERE', direction: 'outbound', clientId: 'c-1', timestamp: t(3, 9) });
    const reply = msg({ id: 'wamid.R', replyToId: 'wamid.SENT-HERE', timestamp: t(3, 9, 5) });
    const reaction = msg({
      id: 'wamid.RX',
      type: 'reaction',
      text: '🙏',
      targetId: 'wamid.SENT-HERE',
      timestamp: t(3, 9, 6),
      item: { reaction: { message_id: 'wamid.SENT-HERE', emoji: '🙏' } },
    });
    const items = messageItems(buildThread([ours, reply, reaction], now));
    expect(items.map((i) => i.key)).toEqual(['1042', 'wamid.R']);
    expect(items[0]?.reactions).toEqual([{ emoji: '🙏', direction: 'inbound' }]);
    expect(items[1]).toMatchObject({ quoted: ours, quotedMissingId: null });
  });

  it('real fixtures: list reply quoting a message that is not loaded', () => {
    const items = buildThread(fixtureMessages('interactive_list_reply.json'), now);
    expect(messageItems(items)[0]).toMatchObject({ quoted: null, quotedMissingId: 'wamid.FX-OUT-0101' });
  });

  it('keeps one item per wamid (first place, latest data) and survives bad timestamps', () => {
    const first = msg({ id: 'dup', status: 'sent', direction: 'outbound', timestamp: t(3, 9) });
    const items = buildThread(
      [first, msg({ id: 'other', timestamp: t(3, 9, 1) }), { ...first, status: 'read' }, msg({ id: 'bad', timestamp: 'nope' })],
      now,
    );
    expect(messageItems(items).map((i) => [i.key, i.message.status])).toEqual([
      ['dup', 'read'],
      ['other', 'received'],
      ['bad', 'received'],
    ]);
    expect(items.filter((i) => i.kind === 'day').map((i) => (i.kind === 'day' ? i.label : ''))).toEqual(['Today', 'Unknown date']);
    expect(buildThread([], now)).toEqual([]);
  });
});

describe('delivery marks', () => {
  it('a played voice message: a blue microphone named "Played"', async () => {
    expect(deliveryView('played')).toEqual({ label: 'Played', mark: 'microphone', tone: 'blue' });
    expect(deliveryView('read')).toEqual({ label: 'Read', mark: 'double-tick', tone: 'blue' });
    expect(deliveryView('delivered')).toMatchObject({ mark: 'double-tick', tone: 'grey' });
    // Inbound messages, and statuses this build does not know, carry no mark.
    expect(deliveryView('received')).toBeNull();
    expect(deliveryView('frobnicated')).toBeNull();
    expect(deliveryView('constructor')).toBeNull();

    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { DeliveryTicks } = await import('@/app/_components/delivery-ticks');
    const played = renderToStaticMarkup(createElement(DeliveryTicks, { status: 'played' }));
    expect(played).toContain('role="img"');
    expect(played).toContain('aria-label="Played"');
    expect(played).toContain('text-sky-500');
    expect(played).toContain('<svg');
    const thread = renderToStaticMarkup(
      createElement((await import('@/app/_components/thread-view')).ThreadView, {
        now: new Date(2026, 11, 3, 18, 0),
        messages: [msg({ id: 'v1', direction: 'outbound', type: 'audio', text: null, item: null, status: 'played' })],
      }),
    );
    expect(thread).toContain('aria-label="Played"');
  });
});

describe('components render untrusted content as text', () => {
  it('MessageBubble escapes markup and links only http(s)', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { ThreadView } = await import('@/app/_components/thread-view');
    const { ConversationRow } = await import('@/app/_components/conversation-row');
    const { DeliveryTicks } = await import('@/app/_components/delivery-ticks');

    const hostile = '<img src=x onerror=alert(1)> javascript:alert(1) https://ok.example/x';
    const html = renderToStaticMarkup(
      createElement(ThreadView, {
        now: new Date(2026, 11, 3, 18, 0),
        messages: [
          msg({ id: 'h1', text: hostile, item: { referral: { headline: '<b>ad</b>', source_url: 'javascript:alert(2)' } } }),
          msg({
            id: 'h2',
            direction: 'outbound',
            type: 'placeholder',
            text: null,
            item: null,
            placeholder: true,
            status: 'failed',
            errors: [{ code: 131047, title: '<script>x</script>', message: null, details: null }],
          }),
          ...fixtureMessages('order.json'),
          ...fixtureMessages('location.json'),
          ...fixtureMessages('unsupported.json'),
        ],
      }),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/href="(?!https?:\/\/)/);
    expect(html).toContain('href="https://ok.example/x"');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('From ad: &lt;b&gt;ad&lt;/b&gt;');
    expect(html).toContain('Sent from another system — content not available');
    expect(html).toContain('aria-label="Failed"');
    expect(html).toContain('title="&lt;script&gt;x&lt;/script&gt; (131047)"');
    expect(html).toContain('Open map');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('Unsupported message');
    expect(html).toContain('data-testid="day-separator"');
    expect(html.match(/data-testid="message"/g)).toHaveLength(6);

    for (const [status, label] of [
      ['pending', 'Pending'],
      ['sent', 'Sent'],
      ['delivered', 'Delivered'],
      ['read', 'Read'],
      ['played', 'Played'],
      ['failed', 'Failed'],
    ] as const) {
      expect(renderToStaticMarkup(createElement(DeliveryTicks, { status }))).toContain(`aria-label="${label}"`);
    }

    const row = renderToStaticMarkup(
      createElement(ConversationRow, {
        conversation: {
          id: '7',
          businessPhoneNumberId: '106540352242922',
          displayPhoneNumber: '15550783881',
          contact: { waId: '4915112345678', userId: null, name: '<i>Tom</i> Becker' },
          lastMessage: {
            id: 'w',
            type: 'image',
            text: null,
            direction: 'outbound',
            status: 'failed',
            timestamp: new Date(2026, 11, 3, 17, 0).toISOString(),
          },
          lastMessageAt: new Date(2026, 11, 3, 17, 0).toISOString(),
          unreadCount: 3,
          status: 'open',
          snoozedUntil: null,
          labels: [],
          assignee: null,
        },
        selected: true,
        showBusinessNumber: true,
        now: new Date(2026, 11, 3, 18, 0),
        onSelect: () => {},
      }),
    );
    expect(row).toContain('data-conversation-id="7"');
    expect(row).toContain('aria-current="true"');
    expect(row).toContain('aria-label="3 unread messages"');
    expect(row).toContain('&lt;i&gt;Tom&lt;/i&gt; Becker');
    expect(row).toContain('Photo');
    expect(row).toContain('+15550783881');
    expect(row).not.toMatch(/<button[^>]*>.*<button/s);
  });
});

describe('media files', () => {
  type MediaFile = NonNullable<ApiMessage['mediaFile']>;
  const file = (over: Partial<MediaFile> = {}): MediaFile => ({
    state: 'downloaded',
    failureReason: null,
    failedAt: null,
    waitingForAccessToken: false,
    size: 1_258_291,
    mimeType: 'image/jpeg',
    attempts: 1,
    maxAttempts: 5,
    downloading: false,
    url: '/api/media/wamid.HBgM%3D%3D',
    ...over,
  });
  const mediaMsg = (type: string, mediaFile: MediaFile | null, media: Record<string, unknown> = {}) =>
    msg({ type, text: null, item: { type, [type]: { id: '123', ...media } }, mediaFile });
  const viewOf = (m: ApiMessage) => expectKind(describeMessage(m), 'media');

  it('a downloaded file is ready, with its url, size and type', () => {
    expect(viewOf(mediaMsg('image', file())).file).toEqual({
      status: 'ready',
      url: '/api/media/wamid.HBgM%3D%3D',
      size: 1_258_291,
      sizeLabel: '1.2 MB',
      mimeType: 'image/jpeg',
    });
    expect(viewOf(mediaMsg('audio', file({ size: null, mimeType: null }), { voice: true }))).toMatchObject({
      mediaKind: 'voice',
      file: { status: 'ready', size: null, sizeLabel: null, mimeType: null },
    });
  });

  it('pending: downloading, or waiting for an access token', () => {
    expect(viewOf(mediaMsg('video', file({ state: 'pending', size: null }))).file).toEqual({ status: 'pending', note: 'Downloading…' });
    expect(viewOf(mediaMsg('document', file({ state: 'pending', waitingForAccessToken: true }))).file).toEqual({
      status: 'waiting-for-token',
      note: 'Media downloads are off: an admin needs to set WHATSAPP_ACCESS_TOKEN',
    });
  });

  it('failed: a human reason per failureReason, and the retry url', () => {
    const cases: [string | null, string][] = [
      ['expired', 'The link expired before it could be downloaded'],
      ['unauthorized', 'The access token was refused'],
      ['checksum_mismatch', 'The file did not match its checksum'],
      ['too_large', 'The file is larger than the limit'],
      ['timeout', 'The download timed out'],
      ['unavailable', "Meta's servers did not answer"],
      ['something_new', 'The download failed'],
      ['__proto__', 'The download failed'],
      [null, 'The download failed'],
    ];
    for (const [reason, text] of cases) {
      const failedAt = '2026-11-25T17:00:00.000Z';
      expect(viewOf(mediaMsg('image', file({ state: 'failed', failureReason: reason, failedAt }))).file, String(reason)).toEqual({
        status: 'failed',
        reason: reason !== null && text !== 'The download failed' ? reason : null,
        text,
        retryUrl: '/api/media/wamid.HBgM%3D%3D/retry',
        failedAt,
      });
    }
  });

  it('no file, an unknown state or a url that is not ours: no file', () => {
    expect(viewOf(mediaMsg('image', null)).file).toBeNull();
    expect(viewOf(mediaMsg('image', file({ state: 'weird' as MediaFile['state'] }))).file).toBeNull();
    for (const url of [
      'https://evil.example/x',
      '//evil.example/api/media/x',
      'javascript:alert(1)',
      '/api/media/',
      '/api/media/a/b',
      '/api/media/x?y',
      '/api/other/x',
      '',
    ]) {
      expect(viewOf(mediaMsg('image', file({ url }))).file, url).toBeNull();
    }
    // Hostile shapes from a bad cast.
    expect(viewOf(mediaMsg('image', { state: 'downloaded', url: 7 } as unknown as MediaFile)).file).toBeNull();
    expect(viewOf(mediaMsg('image', file({ size: -1 }))).file).toMatchObject({ status: 'ready', size: null, sizeLabel: null });
    expect(viewOf(mediaMsg('image', file({ size: Number.NaN }))).file).toMatchObject({ status: 'ready', size: null });
  });

  it('documentTypeLabel', () => {
    expect(documentTypeLabel('invoice.pdf', 'application/pdf')).toBe('PDF');
    expect(documentTypeLabel('sheet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('Excel');
    expect(documentTypeLabel('notes.md', 'application/octet-stream')).toBe('MD');
    expect(documentTypeLabel(null, 'application/x-thing; charset=x')).toBe('application/x-thing');
    expect(documentTypeLabel(null, null)).toBeNull();
  });

  it('MediaAttachment renders each state, untrusted text as text, urls only from the file', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { MediaAttachment } = await import('@/app/_components/media-attachment');
    const { ViewerProvider } = await import('@/app/_components/viewer');
    const hostile = '<img src=x onerror=alert(1)>';
    const render = (m: ApiMessage, role: 'admin' | 'agent' = 'agent') =>
      renderToStaticMarkup(
        createElement(ViewerProvider, { role, children: createElement(MediaAttachment, { view: viewOf(m), from: 'Tom' }) }),
      );

    const image = render(
      msg({
        type: 'image',
        text: hostile,
        item: { type: 'image', image: { id: '1', link: 'https://evil.example/i.jpg' } },
        mediaFile: file(),
      }),
    );
    expect(image).toContain('data-testid="media-image"');
    expect(image).toContain('src="/api/media/wamid.HBgM%3D%3D"');
    expect(image).toContain('loading="lazy"');
    expect(image).toContain('alt="&lt;img src=x onerror=alert(1)&gt;"');
    expect(image).not.toContain('evil.example');
    expect(render(mediaMsg('image', file()))).toContain('alt="Image from Tom"');

    expect(render(mediaMsg('sticker', file({ mimeType: 'image/webp' })))).toContain('alt="Sticker from Tom"');
    const voice = render(mediaMsg('audio', file({ mimeType: 'audio/ogg' }), { voice: true }));
    expect(voice).toMatch(/<audio[^>]*controls/);
    expect(voice).toContain('aria-label="Voice message from Tom"');
    expect(voice).toContain('preload="metadata"');
    expect(render(mediaMsg('video', file({ mimeType: 'video/mp4' })))).toMatch(/<video[^>]*controls/);

    const doc = render(mediaMsg('document', file({ mimeType: 'application/pdf' }), { filename: `${hostile}.pdf` }));
    expect(doc).toContain('data-testid="media-document"');
    expect(doc).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(doc).toContain('PDF · 1.2 MB');
    expect(doc).toMatch(/<a[^>]*download="&lt;img[^"]*\.pdf"/);

    expect(render(mediaMsg('image', file({ state: 'pending' })))).toContain('Downloading…');
    expect(render(mediaMsg('image', file({ state: 'pending', waitingForAccessToken: true })))).toContain(
      'an admin needs to set WHATSAPP_ACCESS_TOKEN',
    );
    const failed = mediaMsg('image', file({ state: 'failed', failureReason: 'timeout' }));
    expect(render(failed, 'agent')).toContain('The download timed out');
    expect(render(failed, 'agent')).not.toContain('Retry download');
    expect(render(failed, 'admin')).toContain('Retry download');
    expect(render(mediaMsg('image', null))).toContain('File not available');
  });
});
