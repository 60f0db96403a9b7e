import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../helpers/shared-dir';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';
import { messageItemSchema } from '@/lib/whatsapp/payload';
import { safeJson } from '@/lib/whatsapp/sanitize';
import {
  contentOf,
  isMediaMessageType,
  isModifierMessageType,
  KNOWN_MESSAGE_TYPES,
  MEDIA_MESSAGE_TYPES,
  MESSAGE_TYPE_MODULES,
  messageContentSchema,
  MODIFIER_MESSAGE_TYPES,
  messageTypeModule,
  previewOfType,
  storedFieldsOf,
  type MessageContent,
} from '@/lib/whatsapp/message-types';
import { MAX_CONTACT_CARDS, MAX_CARD_ENTRIES } from '@/lib/whatsapp/message-types/contacts';
import { MAX_FLOW_FIELDS } from '@/lib/whatsapp/message-types/interactive';
import { MAX_ORDER_LINES } from '@/lib/whatsapp/message-types/order';
import { MAX_SHORT_LENGTH, MAX_TEXT_LENGTH } from '@/lib/whatsapp/message-types/read';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAYLOAD_DIRS = [path.join(ROOT, 'tests/fixtures/payloads'), path.join(sharedDir(ROOT), 'payloads')];

/** Keys of a message item that are not the message's own content: who, when, about what. */
const ENVELOPE_KEYS = new Set([
  'id',
  'type',
  'timestamp',
  'from',
  'from_user_id',
  'to',
  'to_user_id',
  'group_id',
  'context',
  'errors',
  'history_context',
]);

/** A content that must parse: the shape the browser and the store rely on. */
function parsed(content: MessageContent): MessageContent {
  const result = messageContentSchema.safeParse(content);
  expect(result.success, result.success ? '' : result.error.message).toBe(true);
  return content;
}

const of = (item: Record<string, unknown>) => parsed(contentOf(item));

describe('the registry', () => {
  it('has a module for every message type the payload schema knows, and one for unknown types', () => {
    const schemaTypes = Object.keys(messageItemSchema.shape).filter((key) => !ENVELOPE_KEYS.has(key));
    expect(schemaTypes.length).toBeGreaterThan(10);
    for (const type of schemaTypes) expect(KNOWN_MESSAGE_TYPES, type).toContain(type);
    // request_welcome carries no object of its own, so the schema has no key for it.
    expect(KNOWN_MESSAGE_TYPES).toContain('request_welcome');
    expect(MESSAGE_TYPE_MODULES.map((module) => module.type)).toContain('unknown');
    expect(new Set(MESSAGE_TYPE_MODULES.map((module) => module.type)).size).toBe(MESSAGE_TYPE_MODULES.length);
  });

  it('lists the media and modifier types once, from the modules', () => {
    expect([...MEDIA_MESSAGE_TYPES].sort()).toEqual(['audio', 'document', 'image', 'sticker', 'video']);
    expect([...MODIFIER_MESSAGE_TYPES].sort()).toEqual(['edit', 'reaction', 'revoke']);
    expect(isMediaMessageType('image')).toBe(true);
    expect(isMediaMessageType('text')).toBe(false);
    expect(isMediaMessageType('constructor')).toBe(false);
    expect(isModifierMessageType('edit')).toBe(true);
    expect(isModifierMessageType('__proto__')).toBe(false);
  });

  it('dispatches every other type name, however odd, to unknown', () => {
    for (const type of ['poll', 'constructor', '__proto__', 'hasOwnProperty', 'toString', '']) {
      expect(messageTypeModule(type).type, type).toBe('unknown');
    }
  });

  it('modules are client-safe: no database, server-only or node: imports, however deep within lib/whatsapp', () => {
    const seen = new Set<string>();
    const pending = [path.join(ROOT, 'lib/whatsapp/message-types/index.ts')];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = fs.readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
        expect(specifier, `${path.relative(ROOT, file)} imports ${specifier}`).not.toMatch(/^(node:|server-only|@\/db|\.\.?\/.*db\/)/);
        if (!specifier!.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), specifier!);
        pending.push(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'));
      }
    }
    expect(seen.size).toBeGreaterThan(15);
  });
});

describe('every payload normalizes to content that parses', () => {
  const files = PAYLOAD_DIRS.filter((dir) => fs.existsSync(dir)).flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(dir, name)),
  );

  it.each(files.map((file) => [path.relative(path.resolve(ROOT, '..'), file), file]))('%s', (_name, file) => {
    const batch = normalizeWebhook(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
    for (const message of batch.messages) {
      parsed(message.content);
      // The backfill reads stored raw: it must come to the same content.
      expect(contentOf(message.raw)).toEqual(message.content);
      // And the stored columns are the module's.
      expect(storedFieldsOf(message.content)).toEqual({
        text: message.text,
        subtype: message.subtype,
        media: message.media,
        targetWamid: message.targetWamid,
      });
    }
  });

  it('covers at least one message of every known type', () => {
    const types = new Set(
      files.flatMap((file) => normalizeWebhook(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown).messages.map((m) => m.content.type)),
    );
    for (const type of [...KNOWN_MESSAGE_TYPES, 'unknown']) expect(types, type).toContain(type);
  });
});

describe('contentOf is total', () => {
  const HOSTILE_VALUES: unknown[] = [
    null,
    undefined,
    0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'x',
    true,
    [],
    [1],
    {},
    { __proto__: { x: 1 } },
  ];

  it('anything that is not an item is an unknown message without a type', () => {
    for (const value of HOSTILE_VALUES) expect(parsed(contentOf(value))).toEqual({ v: 1, type: 'unknown', metaType: null, text: null });
  });

  it('every type, with every field replaced by junk, gives content that parses', () => {
    for (const type of [...KNOWN_MESSAGE_TYPES, 'poll']) {
      for (const junk of HOSTILE_VALUES) {
        const content = of({ type, [type]: junk, errors: junk, referral: junk, contacts: junk });
        expect(content.type).toBe(type === 'poll' ? 'unknown' : type);
        for (const field of ['text', 'image', 'location', 'interactive', 'order', 'edit', 'system', 'reaction']) {
          parsed(contentOf({ type, [field]: { body: junk, id: junk, type: junk, product_items: junk, message: junk, emoji: junk } }));
        }
      }
    }
  });

  it('survives a stored raw that is itself deep or cyclic-looking', () => {
    const deep: Record<string, unknown> = { type: 'text', text: { body: 'deep' } };
    let cursor = deep;
    for (let i = 0; i < 10_000; i++) {
      const next: Record<string, unknown> = {};
      cursor.junk = next;
      cursor = next;
    }
    expect(of(deep)).toEqual({ v: 1, type: 'text', body: 'deep' });
  });
});

describe('each type from Meta', () => {
  it('text: the body; missing or wrong-typed bodies are null', () => {
    expect(of({ type: 'text', text: { body: 'Hi' } })).toEqual({ v: 1, type: 'text', body: 'Hi' });
    expect(of({ type: 'text' })).toEqual({ v: 1, type: 'text', body: null });
    expect(of({ type: 'text', text: { body: { x: 1 } } })).toEqual({ v: 1, type: 'text', body: null });
    expect(of({ type: 'text', text: { body: '' } })).toEqual({ v: 1, type: 'text', body: null });
  });

  it('text: NUL and lone surrogates become U+FFFD, long bodies are cut on a character boundary', () => {
    expect(of({ type: 'text', text: { body: 'a\u0000b\ud800' } })).toMatchObject({ body: 'a\ufffdb\ufffd' });
    const long = `${'x'.repeat(MAX_TEXT_LENGTH - 1)}👍👍`;
    const body = (of({ type: 'text', text: { body: long } }) as { body: string }).body;
    expect(body.length).toBe(MAX_TEXT_LENGTH - 1);
    expect(body.endsWith('x')).toBe(true);
  });

  it('media: every field of the media object; voice and animated only when true', () => {
    expect(of({ type: 'audio', audio: { id: 7, mime_type: 'audio/ogg', voice: true, animated: 'yes' } })).toEqual({
      v: 1,
      type: 'audio',
      media: { id: '7', mimeType: 'audio/ogg', sha256: null, caption: null, filename: null, voice: true, animated: false, url: null },
    });
    expect(of({ type: 'image' })).toEqual({ v: 1, type: 'image', media: null });
    expect(of({ type: 'sticker', sticker: 'x' })).toEqual({ v: 1, type: 'sticker', media: null });
    expect(storedFieldsOf(of({ type: 'document', document: { id: 'd', filename: 'a.pdf' } }))).toMatchObject({ text: 'a.pdf' });
    expect(storedFieldsOf(of({ type: 'video', video: { id: 'v', filename: 'a.mp4' } }))).toMatchObject({ text: null });
  });

  it('location: finite coordinates only, and the URL of a business location', () => {
    expect(
      of({ type: 'location', location: { latitude: 1.5, longitude: -2, name: 'Shop', address: 'Main St', url: 'https://shop.example' } }),
    ).toEqual({
      v: 1,
      type: 'location',
      latitude: 1.5,
      longitude: -2,
      name: 'Shop',
      address: 'Main St',
      url: 'https://shop.example',
    });
    expect(of({ type: 'location', location: { latitude: '1', longitude: Number.POSITIVE_INFINITY, name: 5, address: {} } })).toMatchObject({
      latitude: null,
      longitude: null,
      name: null,
    });
  });

  it('contacts: cards with names, phones, emails and org; bounded; junk skipped', () => {
    const content = of({
      type: 'contacts',
      contacts: [
        null,
        'x',
        {
          name: { first_name: 'Ana', middle_name: 'M', last_name: 'Ruiz' },
          phones: [{ wa_id: '52155' }, { phone: 5 }],
          emails: [{ email: 1 }],
        },
      ],
    });
    expect(content).toEqual({
      v: 1,
      type: 'contacts',
      cards: [{ name: 'Ana M Ruiz', phones: [{ phone: null, waId: '52155', type: null }], emails: [], org: null }],
    });
    const many = of({
      type: 'contacts',
      contacts: Array.from({ length: 50 }, () => ({
        name: { formatted_name: 'A' },
        phones: Array.from({ length: 50 }, () => ({ phone: '1' })),
      })),
    });
    expect(many.type === 'contacts' && many.cards.length).toBe(MAX_CONTACT_CARDS);
    expect(many.type === 'contacts' && many.cards[0]!.phones.length).toBe(MAX_CARD_ENTRIES);
  });

  it('interactive: button, list and Flow replies, and kinds never seen', () => {
    expect(of({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } })).toMatchObject({
      kind: 'button_reply',
      id: 'yes',
      title: 'Yes',
      flow: null,
    });
    expect(of({ type: 'interactive', interactive: { type: 'list_reply', list_reply: null } })).toMatchObject({
      kind: 'list_reply',
      title: null,
    });
    const flow = of({
      type: 'interactive',
      interactive: {
        type: 'nfm_reply',
        nfm_reply: { response_json: JSON.stringify({ flow_token: 't', a: 1, b: true, c: ['x', 2], d: { nested: 1 }, e: null }) },
      },
    });
    expect(flow).toMatchObject({
      flow: {
        name: null,
        body: null,
        fields: [
          { label: 'a', value: '1' },
          { label: 'b', value: 'true' },
          { label: 'c', value: 'x, 2' },
        ],
      },
    });
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const bounded = of({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: JSON.stringify(many) } } });
    expect(bounded.type === 'interactive' && bounded.flow?.fields.length).toBe(MAX_FLOW_FIELDS);
    for (const responseJson of ['{not json', '[1,2]', 'x'.repeat(30_000), 5]) {
      expect(of({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: responseJson } } })).toMatchObject({
        flow: { fields: [] },
      });
    }
    expect(
      of({ type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { id: 'c', title: 'Allow calls' } } }),
    ).toMatchObject({ kind: 'call_permission_reply', id: 'c', title: 'Allow calls' });
    expect(of({ type: 'interactive', interactive: { type: '__proto__' } })).toMatchObject({ kind: '__proto__', title: null });
  });

  it('button: text and payload', () => {
    expect(of({ type: 'button', button: { text: 'Stop', payload: 'STOP' } })).toEqual({
      v: 1,
      type: 'button',
      text: 'Stop',
      payload: 'STOP',
    });
    expect(of({ type: 'button', button: 5 })).toEqual({ v: 1, type: 'button', text: null, payload: null });
  });

  it('reaction: target and emoji; no emoji is a removal', () => {
    expect(of({ type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '👍' } })).toEqual({
      v: 1,
      type: 'reaction',
      targetWamid: 'wamid.T',
      emoji: '👍',
    });
    const removed = of({ type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '' } });
    expect(storedFieldsOf(removed)).toEqual({ text: null, subtype: 'removed', media: null, targetWamid: 'wamid.T' });
  });

  it('order: lines, totals per currency, the count of every item; lines bounded', () => {
    const content = of({
      type: 'order',
      order: {
        catalog_id: 'c',
        product_items: [
          { product_retailer_id: 'a', quantity: 3, item_price: 0.1, currency: 'usd' },
          { product_retailer_id: 'b', quantity: '2', item_price: '5.25', currency: 'EUR' },
          { product_retailer_id: 42, quantity: 'lots', item_price: 1, currency: ['EUR'] },
          'not a line',
        ],
      },
    });
    expect(content).toMatchObject({
      catalogId: 'c',
      text: null,
      lines: [
        { productRetailerId: 'a', quantity: 3, itemPrice: 0.1, currency: 'USD', lineTotal: 0.3 },
        { productRetailerId: 'b', quantity: 2, itemPrice: 5.25, currency: 'EUR', lineTotal: 10.5 },
        { productRetailerId: null, quantity: null, itemPrice: 1, currency: null, lineTotal: null },
      ],
      totals: [
        { currency: 'USD', amount: 0.3 },
        { currency: 'EUR', amount: 10.5 },
      ],
      itemCount: 7,
    });
    const big = of({ type: 'order', order: { product_items: Array.from({ length: 500 }, () => ({ quantity: 1 })) } });
    expect(big.type === 'order' && [big.lines.length, big.itemCount]).toEqual([MAX_ORDER_LINES, 500]);
    expect(storedFieldsOf(big).text).toBe('Order: 500 items');
  });

  it('system: kind, body and the new ids', () => {
    expect(of({ type: 'system', system: { type: 'user_changed_number', body: 'changed', wa_id: '49176' } })).toEqual({
      v: 1,
      type: 'system',
      kind: 'user_changed_number',
      body: 'changed',
      newWaId: '49176',
      newUserId: null,
      previousUserId: null,
    });
  });

  it('edit: the target and the edited content; only texts and media, one level', () => {
    expect(of({ type: 'edit', edit: { original_message_id: 'wamid.O', message: { text: { body: 'fixed' } } } })).toEqual({
      v: 1,
      type: 'edit',
      targetWamid: 'wamid.O',
      message: { v: 1, type: 'text', body: 'fixed' },
    });
    for (const message of [{ type: 'edit', edit: { message: { text: { body: 'x' } } } }, { type: 'location', location: {} }, 'x', null]) {
      expect(of({ type: 'edit', edit: { original_message_id: 'wamid.O', message } })).toMatchObject({ message: null });
    }
  });

  it('revoke, unsupported, request_welcome', () => {
    expect(of({ type: 'revoke', revoke: { original_message_id: 'wamid.O' } })).toEqual({ v: 1, type: 'revoke', targetWamid: 'wamid.O' });
    expect(
      of({ type: 'unsupported', unsupported: { type: 'poll_creation' }, errors: Array.from({ length: 50 }, () => ({ code: 1 })) }),
    ).toMatchObject({
      sentType: 'poll_creation',
      errors: expect.any(Array),
    });
    expect(of({ type: 'request_welcome', request_welcome: { junk: 1 } })).toEqual({ v: 1, type: 'request_welcome' });
  });

  it('unknown: Meta type name and the obvious text, own properties only', () => {
    expect(of({ type: 'poll', poll: { name: 'Lunch?' } })).toEqual({ v: 1, type: 'unknown', metaType: 'poll', text: 'Lunch?' });
    expect(of({ type: 'hologram', hologram: { frames: 12 } })).toEqual({ v: 1, type: 'unknown', metaType: 'hologram', text: null });
    expect(of({ type: 'constructor' })).toEqual({ v: 1, type: 'unknown', metaType: 'constructor', text: null });
    expect(of({})).toEqual({ v: 1, type: 'unknown', metaType: null, text: null });
  });

  it('referral: on any type, only when it says something, bounded', () => {
    expect(of({ type: 'image', image: { id: 'i' }, referral: { headline: 'Sale', source_url: 'https://fb.me/x' } })).toMatchObject({
      referral: { headline: 'Sale', sourceUrl: 'https://fb.me/x', body: null },
    });
    expect(of({ type: 'text', text: { body: 'x' }, referral: { headline: ['x'], source_url: 5 } })).not.toHaveProperty('referral');
    const long = of({ type: 'text', referral: { headline: 'h'.repeat(MAX_SHORT_LENGTH * 2) } });
    expect(long.referral?.headline?.length).toBe(MAX_SHORT_LENGTH);
  });

  it('a stored raw (sanitized) gives the same content as the item Meta sent', () => {
    const item = { type: 'text', text: { body: 'hi\u0000' }, referral: { headline: '\ud800' } };
    expect(contentOf(safeJson(item))).toEqual(contentOf(item));
  });
});

describe('previews from type, text and subtype (the list) or with content (the thread)', () => {
  const summary = (text: string | null = null, subtype: string | null = null) => ({ text, subtype });

  it('the list never needs content', () => {
    expect(previewOfType('image', summary())).toEqual({ icon: 'image', text: 'Photo' });
    expect(previewOfType('audio', summary())).toEqual({ icon: 'voice', text: 'Audio' });
    expect(previewOfType('order', summary('Order: 3 items'))).toEqual({ icon: 'order', text: 'Order: 3 items' });
    expect(previewOfType('reaction', summary(null, 'removed'))).toEqual({ icon: null, text: 'Removed a reaction' });
    expect(previewOfType('poll', summary('Lunch?'))).toEqual({ icon: 'unsupported', text: 'Lunch?' });
    expect(previewOfType('revoke', summary())).toEqual({ icon: 'deleted', text: 'This message was deleted' });
  });

  it('content makes it richer: voice notes, order counts', () => {
    expect(previewOfType('audio', summary(), of({ type: 'audio', audio: { id: 'a', voice: true } }))).toEqual({
      icon: 'voice',
      text: 'Voice message',
    });
    expect(previewOfType('audio', summary(), of({ type: 'audio', audio: { id: 'a' } }))).toEqual({ icon: 'audio', text: 'Audio' });
    expect(
      previewOfType('order', summary('Order: 1 item — x'), of({ type: 'order', order: { product_items: [{ quantity: 1 }] } })),
    ).toEqual({
      icon: 'order',
      text: 'Order: 1 item',
    });
  });

  it('is never empty', () => {
    for (const module of MESSAGE_TYPE_MODULES) {
      expect(previewOfType(module.type, summary()).text.length, module.type).toBeGreaterThan(0);
      expect(previewOfType(module.type, summary(), contentOf({ type: module.type })).text.length, module.type).toBeGreaterThan(0);
    }
  });
});
