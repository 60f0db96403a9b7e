import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../helpers/shared-dir';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';
import { DELIVERY_ORDER, deliveryRank } from '@/lib/whatsapp/status';
import type { AccountEvent, NormalizedBatch, NormalizedMessage } from '@/lib/whatsapp/types';
import { messagesPayload, status } from '../../tools/meta-envelopes';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/payloads');
const SHARED_PAYLOADS = path.join(sharedDir(), 'payloads');
const RECEIVED_AT = new Date('2026-12-01T10:00:00Z');

const WABA_A = '102290129340398';
const PHONE_A = '106540352242922';
const MARIA = { waId: '5215512345678', userId: 'MX.1290347756103845' };
const TOM = { waId: '4915112345678', userId: 'DE.884201937465120' };
const AIKO = { waId: '819012345678', userId: 'JP.557310298846120' };
const GROUP_ID = 'Y2FwaV9ncm91cDoxNTU1MDc4Mzg4MToxMjAzNjM0MDQ0OTk3NTU3NTA';

function fixture(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown;
}

function normalizeFixture(name: string): NormalizedBatch {
  return normalizeWebhook(fixture(name), RECEIVED_AT);
}

/** The single message of a fixture that holds one, with no invalid items beside it. */
function onlyMessage(name: string): NormalizedMessage {
  const batch = normalizeFixture(name);
  expect(batch.accountEvents).toEqual([]);
  expect(batch.messages).toHaveLength(1);
  return batch.messages[0]!;
}

function at(epochSeconds: number): Date {
  return new Date(epochSeconds * 1000);
}

/** A body with one `messages` change (or `field`) around the given value, about business number PHONE_A. */
const messagesBody = (value: Record<string, unknown>, field = 'messages') =>
  messagesPayload(value, { field, waba: WABA_A, phoneNumberId: PHONE_A, display: '15550783881' });

function invalidReasons(batch: NormalizedBatch): Array<string | null> {
  return batch.accountEvents.filter((e) => e.field === 'invalid_item').map((e) => e.eventType);
}

const EMPTY_BATCH: NormalizedBatch = { businessNumbers: [], contacts: [], messages: [], statuses: [], accountEvents: [] };

describe('envelope', () => {
  it('normalizes nothing for objects other than whatsapp_business_account', () => {
    expect(normalizeFixture('not_whatsapp.json')).toEqual(EMPTY_BATCH);
    const body = fixture('text.json') as { object: string };
    expect(normalizeWebhook({ ...body, object: 'WHATSAPP_BUSINESS_ACCOUNT' })).toEqual(EMPTY_BATCH);
  });

  it('normalizes nothing for bodies the route would reject', () => {
    for (const body of [null, undefined, [], 'text', 42, {}, { object: 'whatsapp_business_account' }]) {
      expect(normalizeWebhook(body)).toEqual(EMPTY_BATCH);
    }
  });
});

describe('business numbers', () => {
  it('collects every number of every WABA in one body, each with its WABA', () => {
    const batch = normalizeFixture('batch_multi_waba.json');
    expect(batch.businessNumbers).toEqual([
      { phoneNumberId: PHONE_A, displayPhoneNumber: '15550783881', wabaId: WABA_A },
      { phoneNumberId: '106540352242933', displayPhoneNumber: '15550783999', wabaId: WABA_A },
      { phoneNumberId: '208776655443321', displayPhoneNumber: '493090182000', wabaId: '204460228541122' },
    ]);
    expect(batch.messages.map((m) => [m.wamid, m.phoneNumberId])).toEqual([
      ['wamid.FX-BATCH-0001', PHONE_A],
      ['wamid.FX-BATCH-0002', PHONE_A],
      ['wamid.FX-BATCH-0003', '208776655443321'],
    ]);
    expect(batch.statuses.map((s) => [s.wamid, s.status, s.phoneNumberId])).toEqual([
      ['wamid.FX-OUT-0300', 'delivered', '106540352242933'],
      ['wamid.FX-OUT-0301', 'read', '106540352242933'],
    ]);
  });

  it('lists a number once when several changes name it, filling in what the first lacked', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        { id: WABA_A, changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE_A }, statuses: [] } }] },
        {
          id: WABA_A,
          changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE_A, display_phone_number: '15550783881' } } }],
        },
      ],
    };
    expect(normalizeWebhook(body).businessNumbers).toEqual([{ phoneNumberId: PHONE_A, displayPhoneNumber: '15550783881', wabaId: WABA_A }]);
  });
});

describe('contacts', () => {
  it('reads wa_id, the BSUID and the profile name', () => {
    expect(normalizeFixture('text.json').contacts).toEqual([{ ...MARIA, name: 'Maria Lopez', username: null }]);
  });

  it('reads a contact that has no profile name', () => {
    const batch = normalizeFixture('contact_without_name.json');
    expect(batch.contacts).toEqual([{ waId: '447700900123', userId: null, name: null, username: null }]);
    expect(batch.messages[0]!.customer).toEqual({ waId: '447700900123', userId: null });
  });

  it('reads a username customer known only by BSUID, and their message', () => {
    const batch = normalizeFixture('bsuid_only.json');
    expect(batch.contacts).toEqual([{ waId: null, userId: 'US.13491208655302741918', name: 'Sheena Nelson', username: 'sheena.n' }]);
    expect(batch.messages[0]).toMatchObject({
      wamid: 'wamid.FX-BSUID-0001',
      customer: { waId: null, userId: 'US.13491208655302741918' },
      text: 'Hi, found you through your username',
    });
  });

  it('treats a BSUID sent where a phone number belongs as the user id', () => {
    const batch = normalizeWebhook(
      messagesBody({
        messages: [{ from: 'US.13491208655302741918', id: 'wamid.B', timestamp: '1767000000', type: 'text', text: { body: 'hi' } }],
      }),
    );
    expect(batch.messages[0]!.customer).toEqual({ waId: null, userId: 'US.13491208655302741918' });
  });

  it('sights the sender of a message that comes without contacts (system messages)', () => {
    expect(normalizeFixture('system_user_changed_number.json').contacts).toEqual([
      { waId: TOM.waId, userId: null, name: null, username: null },
    ]);
    expect(normalizeFixture('system_user_changed_user_id.json').contacts).toEqual([
      { waId: null, userId: 'US.13491208655302741918', name: null, username: null },
    ]);
  });

  it('merges a contacts[] entry with the senders that name the same person', () => {
    const batch = normalizeFixture('batch_multi_waba.json');
    expect(batch.contacts).toEqual([
      { ...MARIA, name: 'Maria Lopez', username: null },
      { ...TOM, name: 'Tom Becker', username: null },
      { ...AIKO, name: 'Aiko Tanaka', username: null },
    ]);
  });

  it('upgrades a bare phone sighting when a later one brings the BSUID and name', () => {
    const batch = normalizeWebhook(
      messagesBody({
        statuses: [{ id: 'wamid.S', status: 'sent', timestamp: '1767000000', recipient_id: MARIA.waId }],
        contacts: [{ wa_id: MARIA.waId, user_id: MARIA.userId, profile: { name: 'Maria Lopez', username: 'maria.l' } }],
      }),
    );
    expect(batch.contacts).toEqual([{ ...MARIA, name: 'Maria Lopez', username: 'maria.l' }]);
  });

  it('keeps two people apart when their ids disagree', () => {
    const batch = normalizeWebhook(
      messagesBody({
        contacts: [
          { wa_id: MARIA.waId, user_id: MARIA.userId, profile: { name: 'Maria' } },
          { wa_id: MARIA.waId, user_id: 'MX.999', profile: { name: 'Maria (new phone)' } },
        ],
      }),
    );
    expect(batch.contacts.map((c) => c.userId)).toEqual([MARIA.userId, 'MX.999']);
  });

  it('reads the username from the contacts of a delivered status', () => {
    expect(normalizeFixture('status_delivered.json').contacts).toEqual([{ ...AIKO, name: null, username: 'aiko.t' }]);
  });

  it('reports a contact with no id at all as an invalid item', () => {
    const batch = normalizeFixture('mixed_invalid_items.json');
    const event = batch.accountEvents.find((e) => e.eventType === 'contact_without_id');
    expect(event?.payload).toEqual({ field: 'messages', item: { profile: { name: 'Nobody' } } });
  });
});

describe('messages by type', () => {
  it('text: body, sender, timestamp, no reply', () => {
    const message = onlyMessage('text.json');
    expect(message).toEqual<NormalizedMessage>({
      wamid: 'wamid.FX-TEXT-0001',
      phoneNumberId: PHONE_A,
      customer: MARIA,
      direction: 'inbound',
      type: 'text',
      subtype: null,
      text: 'Hola! ¿Tienen envío a Monterrey?',
      timestamp: at(1767000000),
      replyToWamid: null,
      forwarded: false,
      frequentlyForwarded: false,
      media: null,
      targetWamid: null,
      errors: [],
      content: { v: 1, type: 'text', body: 'Hola! ¿Tienen envío a Monterrey?' },
      raw: (fixture('text.json') as { entry: Array<{ changes: Array<{ value: { messages: unknown[] } }> }> }).entry[0]!.changes[0]!.value
        .messages[0],
    });
  });

  it('text from a click-to-WhatsApp ad: the text stays the body, the referral stays in raw', () => {
    const message = onlyMessage('text_referral_ctwa.json');
    expect(message.text).toBe('Is the winter sale still on?');
    expect(message.type).toBe('text');
    expect(message.raw).toMatchObject({ referral: { source_type: 'ad', source_id: '120226305854810726', headline: 'Chat with us' } });
    expect(message.content).toMatchObject({
      type: 'text',
      body: 'Is the winter sale still on?',
      referral: { sourceType: 'ad', sourceId: '120226305854810726', headline: 'Chat with us', sourceUrl: 'https://fb.me/3cr4Wqqkv' },
    });
  });

  it('image: media fields, caption as text, url when present', () => {
    const message = onlyMessage('image.json');
    expect(message.text).toBe('This is the damaged box');
    expect(message.media).toEqual({
      id: '1003383421387256',
      mimeType: 'image/jpeg',
      sha256: 'q3Zk0bC1m8hY2v3fJ6k7sQ9uX1Zr5aT8wE4yP0oL2nM=',
      caption: 'This is the damaged box',
      filename: null,
      voice: false,
      animated: false,
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1767000060&hash=ATu',
    });
    expect(message.content).toEqual({ v: 1, type: 'image', media: message.media });
  });

  it('video: caption, and the forwarded flags from context', () => {
    const message = onlyMessage('video_forwarded.json');
    expect(message).toMatchObject({
      type: 'video',
      text: 'Look at this!',
      forwarded: true,
      frequentlyForwarded: true,
      replyToWamid: null,
      media: { id: '1184729933450021', mimeType: 'video/mp4', caption: 'Look at this!' },
    });
  });

  it('audio: a voice note has the voice flag and no text', () => {
    const message = onlyMessage('audio_voice.json');
    expect(message.text).toBeNull();
    expect(message.media).toMatchObject({ id: '1427706728491184', mimeType: 'audio/ogg; codecs=opus', voice: true, animated: false });
  });

  it('document: the filename is the text when there is no caption, the caption otherwise', () => {
    const message = onlyMessage('document.json');
    expect(message.text).toBe('invoice-2026-0193.pdf');
    expect(message.media).toMatchObject({ filename: 'invoice-2026-0193.pdf', mimeType: 'application/pdf', caption: null });

    const withCaption = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: MARIA.waId,
            id: 'wamid.D2',
            timestamp: '1767000000',
            type: 'document',
            document: { id: 'm1', filename: 'a.pdf', caption: 'Signed contract' },
          },
        ],
      }),
    );
    expect(withCaption.messages[0]!.text).toBe('Signed contract');
  });

  it('sticker: the animated flag', () => {
    const message = onlyMessage('sticker_animated.json');
    expect(message.text).toBeNull();
    expect(message.media).toMatchObject({ id: '1067458922301194', mimeType: 'image/webp', animated: true, voice: false });
  });

  it('location: name and address joined; neither gives no text', () => {
    const batch = normalizeFixture('location.json');
    expect(batch.messages.map((m) => m.text)).toEqual(['Tokyo Tower — 4-2-8 Shibakoen, Minato City, Tokyo', null]);
    expect(batch.messages[0]!.content).toEqual({
      v: 1,
      type: 'location',
      latitude: 35.6586,
      longitude: 139.7454,
      name: 'Tokyo Tower',
      address: '4-2-8 Shibakoen, Minato City, Tokyo',
      url: null,
    });
    const addressOnly = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: AIKO.waId,
            id: 'wamid.L3',
            timestamp: '1767000000',
            type: 'location',
            location: { latitude: 1, longitude: 2, address: 'Shibuya Crossing' },
          },
        ],
      }),
    );
    expect(addressOnly.messages[0]!.text).toBe('Shibuya Crossing');
  });

  it('contacts: the names of the shared contact cards', () => {
    expect(onlyMessage('contacts_shared.json').text).toBe('Anna Schmidt, Jonas Weber');
  });

  it('interactive button_reply: the chosen title, the reply target', () => {
    expect(onlyMessage('interactive_button_reply.json')).toMatchObject({
      type: 'interactive',
      subtype: 'button_reply',
      text: '✅ Confirm',
      replyToWamid: 'wamid.FX-OUT-0100',
    });
  });

  it('interactive list_reply: the chosen title', () => {
    expect(onlyMessage('interactive_list_reply.json')).toMatchObject({ subtype: 'list_reply', text: '🍕 Pizza' });
  });

  it('interactive nfm_reply (a completed Flow): the body, or the name without one', () => {
    const message = onlyMessage('interactive_nfm_reply.json');
    expect(message).toMatchObject({ subtype: 'nfm_reply', text: 'Sent', replyToWamid: 'wamid.FX-OUT-0102' });
    expect(message.raw).toMatchObject({ interactive: { nfm_reply: { response_json: expect.stringContaining('booking-7781') } } });
    expect(message.content).toMatchObject({
      type: 'interactive',
      kind: 'nfm_reply',
      flow: {
        name: 'flow',
        body: 'Sent',
        fields: [
          { label: 'date', value: '2026-12-03' },
          { label: 'time', value: '15:00' },
        ],
      },
    });

    const nameOnly = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: TOM.waId,
            id: 'wamid.N2',
            timestamp: '1767000000',
            type: 'interactive',
            interactive: { type: 'nfm_reply', nfm_reply: { name: 'address_message', response_json: '{}' } },
          },
        ],
      }),
    );
    expect(nameOnly.messages[0]!.text).toBe('address_message');
  });

  it('interactive of a kind never seen: kept with its subtype and a best-effort text', () => {
    const batch = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: TOM.waId,
            id: 'wamid.I9',
            timestamp: '1767000000',
            type: 'interactive',
            interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept', title: 'Allow calls' } },
          },
        ],
      }),
    );
    expect(batch.messages[0]).toMatchObject({ type: 'interactive', subtype: 'call_permission_reply', text: 'Allow calls' });
  });

  it('button (template quick reply): the button text', () => {
    expect(onlyMessage('button_quick_reply.json')).toMatchObject({
      type: 'button',
      subtype: null,
      text: 'Stop promotions',
      replyToWamid: 'wamid.FX-OUT-TEMPLATE-0001',
    });
  });

  it('reaction: the emoji, aimed at the reacted message', () => {
    expect(onlyMessage('reaction.json')).toMatchObject({ type: 'reaction', subtype: null, text: '👍', targetWamid: 'wamid.FX-OUT-0103' });
  });

  it('reaction without an emoji is a removal', () => {
    expect(onlyMessage('reaction_removed.json')).toMatchObject({
      type: 'reaction',
      subtype: 'removed',
      text: null,
      targetWamid: 'wamid.FX-OUT-0103',
    });
    const emptyEmoji = normalizeWebhook(
      messagesBody({
        messages: [
          { from: AIKO.waId, id: 'wamid.R3', timestamp: '1767000000', type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '' } },
        ],
      }),
    );
    expect(emptyEmoji.messages[0]).toMatchObject({ subtype: 'removed', text: null, targetWamid: 'wamid.T' });
  });

  it('order: a short summary with the item count and the customer note', () => {
    expect(onlyMessage('order.json').text).toBe('Order: 3 items — Please deliver after 5pm');
    expect(onlyMessage('order.json').content).toMatchObject({ type: 'order', itemCount: 3, totals: [{ currency: 'EUR', amount: 128.9 }] });
    const single = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: MARIA.waId,
            id: 'wamid.O2',
            timestamp: '1767000000',
            type: 'order',
            order: { catalog_id: 'c', product_items: [{ product_retailer_id: 'x', quantity: '1' }] },
          },
        ],
      }),
    );
    expect(single.messages[0]!.text).toBe('Order: 1 item');
  });

  it('system: the body, and system.type as subtype', () => {
    expect(onlyMessage('system_user_changed_number.json')).toMatchObject({
      type: 'system',
      subtype: 'user_changed_number',
      text: 'User Tom Becker changed from 4915112345678 to 4917612345678',
      customer: { waId: TOM.waId, userId: null },
    });
    expect(onlyMessage('system_user_changed_user_id.json')).toMatchObject({
      type: 'system',
      subtype: 'user_changed_user_id',
      customer: { waId: null, userId: 'US.13491208655302741918' },
    });
  });

  it('unsupported: what was really sent as subtype, and the errors', () => {
    const message = onlyMessage('unsupported.json');
    expect(message).toMatchObject({ type: 'unsupported', subtype: 'poll_creation', text: null });
    expect(message.content).toEqual({ v: 1, type: 'unsupported', sentType: 'poll_creation', errors: message.errors });
    expect(message.errors).toEqual([
      { code: 131051, title: 'Message type unknown', message: 'Message type unknown', details: 'Message type is currently not supported.' },
    ]);
  });

  it('edit: the original as target, the new text, the edited type as subtype', () => {
    expect(onlyMessage('edit.json')).toMatchObject({
      type: 'edit',
      subtype: 'text',
      text: 'Hola! ¿Tienen envío a Guadalajara?',
      targetWamid: 'wamid.FX-TEXT-0001',
      media: null,
      content: {
        v: 1,
        type: 'edit',
        targetWamid: 'wamid.FX-TEXT-0001',
        message: { v: 1, type: 'text', body: 'Hola! ¿Tienen envío a Guadalajara?' },
      },
    });
    const captionEdit = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: MARIA.waId,
            id: 'wamid.E2',
            timestamp: '1767000000',
            type: 'edit',
            edit: { original_message_id: 'wamid.IMG', message: { image: { id: 'm', caption: 'New caption' } } },
          },
        ],
      }),
    );
    expect(captionEdit.messages[0]).toMatchObject({ subtype: 'image', text: 'New caption', targetWamid: 'wamid.IMG' });
    expect(captionEdit.messages[0]!.content).toMatchObject({ message: { type: 'image', media: { id: 'm', caption: 'New caption' } } });
  });

  it('revoke: the original as target, no text', () => {
    expect(onlyMessage('revoke.json')).toMatchObject({ type: 'revoke', text: null, targetWamid: 'wamid.FX-IMAGE-0001' });
  });

  it('request_welcome: kept, with nothing to show', () => {
    expect(onlyMessage('request_welcome.json')).toMatchObject({ type: 'request_welcome', subtype: null, text: null, customer: AIKO });
  });

  it('a type never seen before: kept verbatim with a best-effort text', () => {
    expect(onlyMessage('unknown_type.json')).toMatchObject({
      type: 'poll',
      text: 'Lunch on Friday?',
      errors: [],
      content: { v: 1, type: 'unknown', metaType: 'poll', text: 'Lunch on Friday?' },
    });
    const noBody = normalizeWebhook(
      messagesBody({ messages: [{ from: TOM.waId, id: 'wamid.U2', timestamp: '1767000000', type: 'hologram', hologram: { frames: 12 } }] }),
    );
    expect(noBody.messages[0]).toMatchObject({ type: 'hologram', text: null });
    expect(noBody.accountEvents).toEqual([]);
  });

  it('a message with no type is kept as "unknown"', () => {
    const batch = normalizeWebhook(messagesBody({ messages: [{ from: TOM.waId, id: 'wamid.NT', timestamp: '1767000000' }] }));
    expect(batch.messages[0]).toMatchObject({ wamid: 'wamid.NT', type: 'unknown', text: null });
  });

  it('a group message belongs to the group; its sender is still sighted', () => {
    const batch = normalizeFixture('group_message.json');
    expect(batch.messages[0]).toMatchObject({ customer: { waId: GROUP_ID, userId: null }, text: 'Morning team!' });
    expect(batch.contacts).toEqual([
      { ...TOM, name: 'Tom Becker', username: null },
      { waId: GROUP_ID, userId: null, name: null, username: null },
    ]);
  });

  it('message-level errors always come through', () => {
    const batch = normalizeWebhook(
      messagesBody({
        messages: [
          {
            from: TOM.waId,
            id: 'wamid.ERR',
            timestamp: '1767000000',
            type: 'image',
            image: { id: 'm' },
            errors: [{ code: '131052', title: 'Media download error', error_data: { details: 'expired' } }, 'plain text error'],
          },
        ],
      }),
    );
    expect(batch.messages[0]!.errors).toEqual([
      { code: 131052, title: 'Media download error', message: null, details: 'expired' },
      { code: null, title: null, message: 'plain text error', details: null },
    ]);
  });
});

describe('timestamps', () => {
  it('accepts epoch seconds as numbers too', () => {
    const batch = normalizeWebhook(
      messagesBody({ messages: [{ from: TOM.waId, id: 'wamid.TS', timestamp: 1767000000, type: 'text', text: { body: 'x' } }] }),
    );
    expect(batch.messages[0]!.timestamp).toEqual(at(1767000000));
  });

  it('falls back to the time the body was received when the timestamp is missing or unusable', () => {
    const batch = normalizeFixture('mixed_invalid_items.json');
    expect(batch.messages.find((m) => m.wamid === 'wamid.FX-MIXED-0002')!.timestamp).toEqual(RECEIVED_AT);
    for (const timestamp of [undefined, '', 'soon', -5, 0, 1e300, null, {}]) {
      const one = normalizeWebhook(messagesBody({ messages: [{ from: TOM.waId, id: 'wamid.T', timestamp, type: 'text' }] }), RECEIVED_AT);
      expect(one.messages[0]!.timestamp).toEqual(RECEIVED_AT);
    }
  });

  it('gives every item its own Date object', () => {
    const batch = normalizeWebhook(
      messagesBody({
        messages: [
          { from: TOM.waId, id: 'wamid.1', type: 'text' },
          { from: TOM.waId, id: 'wamid.2', type: 'text' },
        ],
      }),
      RECEIVED_AT,
    );
    expect(batch.messages[0]!.timestamp).not.toBe(batch.messages[1]!.timestamp);
    expect(batch.messages[0]!.timestamp).not.toBe(RECEIVED_AT);
  });
});

describe('message echoes (sent from the WhatsApp Business app)', () => {
  it('are outbound, and their customer is the recipient', () => {
    const batch = normalizeFixture('smb_message_echoes.json');
    expect(batch.accountEvents).toEqual([]);
    expect(batch.messages.map((m) => [m.wamid, m.direction, m.type, m.text, m.customer])).toEqual([
      ['wamid.FX-ECHO-0001', 'outbound', 'text', 'Sí, enviamos a Monterrey en 2 días.', MARIA],
      ['wamid.FX-ECHO-0002', 'outbound', 'image', 'Our shipping zones', { waId: MARIA.waId, userId: null }],
      ['wamid.FX-ECHO-0003', 'outbound', 'edit', 'Sí, enviamos a Monterrey en 1 día.', { waId: MARIA.waId, userId: null }],
    ]);
    expect(batch.messages[2]!.targetWamid).toBe('wamid.FX-ECHO-0001');
    expect(batch.messages[1]!.media).toMatchObject({ id: '1375940025318823', caption: 'Our shipping zones' });
    expect(batch.contacts).toEqual([{ ...MARIA, name: null, username: null }]);
  });

  it('without a recipient are invalid items', () => {
    const batch = normalizeWebhook(
      messagesBody({ message_echoes: [{ from: '15550783881', id: 'wamid.E', type: 'text' }] }, 'smb_message_echoes'),
    );
    expect(batch.messages).toEqual([]);
    expect(invalidReasons(batch)).toEqual(['message_without_customer']);
  });
});

describe('history (the WhatsApp Business app chat history, shared at onboarding)', () => {
  const historyBody = (chunks: unknown) => messagesBody({ history: chunks }, 'history');
  const historyEvents = (batch: NormalizedBatch) => batch.accountEvents.filter((e) => e.field === 'history');

  it('becomes messages marked as history in the thread of each customer, and the chunk an event', () => {
    const batch = normalizeFixture('history.json');
    expect(batch.messages).toHaveLength(1);
    expect(batch.messages[0]).toMatchObject({
      wamid: 'wamid.FX-HISTORY-0001',
      phoneNumberId: PHONE_A,
      direction: 'inbound',
      customer: { waId: TOM.waId, userId: null },
      text: 'Old message',
      timestamp: at(1766000000),
      // The business read it in the app: that is no delivery status of a message it received.
      history: { status: null },
    });
    expect(batch.accountEvents).toEqual<AccountEvent[]>([
      {
        wabaId: WABA_A,
        phoneNumberId: PHONE_A,
        field: 'history',
        eventType: 'progress_55',
        timestamp: at(1767100000),
        payload: { phase: 0, chunkOrder: 1, progress: 55, threads: 1, messages: 1 },
      },
    ]);
  });

  it("tells the business's own messages by `to` or by a sender other than the customer, with how far they got", () => {
    const customer = '4915112345678';
    const batch = normalizeWebhook(
      historyBody([
        {
          metadata: { phase: '1', chunk_order: '2', progress: '100' },
          threads: [
            {
              id: customer,
              messages: [
                {
                  from: '15550783881',
                  to: customer,
                  id: 'wamid.H1',
                  timestamp: '1766000001',
                  type: 'text',
                  text: { body: 'a' },
                  history_context: { status: 'DELIVERED' },
                },
                {
                  from: '15550783881',
                  id: 'wamid.H2',
                  timestamp: '1766000002',
                  type: 'text',
                  text: { body: 'b' },
                  history_context: { status: 'ERROR' },
                },
                {
                  from: '15550783881',
                  id: 'wamid.H3',
                  timestamp: '1766000003',
                  type: 'text',
                  text: { body: 'c' },
                  history_context: { status: 'PENDING' },
                },
                { from: customer, id: 'wamid.H4', timestamp: '1766000004', type: 'image', image: { mime_type: 'image/jpeg' } },
              ],
            },
          ],
        },
      ]),
    );
    expect(batch.messages.map((m) => [m.wamid, m.direction, m.history?.status, m.customer.waId])).toEqual([
      ['wamid.H1', 'outbound', 'delivered', customer],
      ['wamid.H2', 'outbound', 'failed', customer],
      ['wamid.H3', 'outbound', null, customer],
      ['wamid.H4', 'inbound', null, customer],
    ]);
    // Media shared without its id (Meta sends the ids of recent media in later chunks): no file to fetch yet.
    expect(batch.messages[3]!.media?.id ?? null).toBeNull();
    expect(historyEvents(batch).map((e) => [e.eventType, e.payload])).toEqual([
      ['progress_100', { phase: 1, chunkOrder: 2, progress: 100, threads: 1, messages: 4 }],
    ]);
  });

  it('keeps a refusal to share (a chunk of errors) as a value-level error', () => {
    const error = { code: 2593109, title: 'History sync is turned off by the business' };
    const batch = normalizeWebhook(historyBody([{ metadata: { phase: 0, chunk_order: 1, progress: 100 }, errors: [error] }]));
    expect(batch.messages).toEqual([]);
    expect(batch.accountEvents.map((e) => [e.field, e.eventType])).toEqual([
      ['errors', '2593109'],
      ['history', 'progress_100'],
    ]);
  });

  it('turns unreadable chunks, threads and messages into invalid items without losing their neighbours', () => {
    const good = { from: '4915112345678', id: 'wamid.OK', timestamp: '1766000000', type: 'text', text: { body: 'kept' } };
    const batch = normalizeWebhook(
      historyBody([
        'not a chunk',
        { threads: 'not a list' },
        { threads: [{ messages: [good] }, 7, { id: '4915112345678', messages: [{ id: '' }, good] }] },
      ]),
    );
    expect(batch.messages.map((m) => m.wamid)).toEqual(['wamid.OK']);
    expect(invalidReasons(batch)).toEqual([
      'history_chunk_not_object',
      'threads_not_array',
      'thread_without_id',
      'thread_not_object',
      'message_without_id',
    ]);
    expect(normalizeWebhook(historyBody({ not: 'a list' })).accountEvents.map((e) => e.eventType)).toEqual(['history_not_array']);
  });
});

describe('statuses', () => {
  it('sent: recipient with BSUID, pricing and conversation kept', () => {
    const batch = normalizeFixture('status_sent.json');
    expect(batch.statuses).toEqual([
      {
        wamid: 'wamid.FX-OUT-0200',
        phoneNumberId: PHONE_A,
        customer: AIKO,
        status: 'sent',
        timestamp: at(1767000400),
        errors: [],
        pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
        conversation: { id: 'f5fdae3920125a39a1e6a23e5f877c16', expiration_timestamp: '1767086800', origin: { type: 'utility' } },
        callbackData: null,
        raw: expect.objectContaining({ id: 'wamid.FX-OUT-0200', recipient_user_id: AIKO.userId }),
      },
    ]);
  });

  it('keeps what the sender asked to get back (biz_opaque_callback_data): the outbox finds its message by it', () => {
    const body = messagesPayload({
      statuses: [status('wamid.CB-1', 'delivered', 1767000500, '4915112345678', { biz_opaque_callback_data: 'ticks:42' })],
    });
    expect(normalizeWebhook(body).statuses[0]).toMatchObject({ wamid: 'wamid.CB-1', callbackData: 'ticks:42' });
    const odd = messagesPayload({
      statuses: [status('wamid.CB-2', 'sent', 1767000500, '4915112345678', { biz_opaque_callback_data: { id: 42 } })],
    });
    expect(normalizeWebhook(odd).statuses[0]).toMatchObject({ wamid: 'wamid.CB-2', callbackData: null });
  });

  it('read without pricing or conversation: both null', () => {
    expect(normalizeFixture('status_read.json').statuses[0]).toMatchObject({
      status: 'read',
      pricing: null,
      conversation: null,
      timestamp: at(1767000460),
    });
  });

  it('failed: every error with code, title, message and details', () => {
    const [status] = normalizeFixture('status_failed.json').statuses;
    expect(status).toMatchObject({ status: 'failed', customer: { waId: MARIA.waId, userId: null } });
    expect(status!.errors).toEqual([
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    ]);
  });

  it('group: the group id is the customer', () => {
    const batch = normalizeFixture('status_group.json');
    expect(batch.statuses[0]).toMatchObject({
      wamid: 'wamid.FX-OUT-GROUP-0001',
      status: 'delivered',
      customer: { waId: GROUP_ID, userId: null },
    });
  });

  it('lowercases the status and keeps ones we do not know', () => {
    const batch = normalizeWebhook(
      messagesBody({
        statuses: [
          { id: 'wamid.A', status: 'DELIVERED', recipient_id: TOM.waId },
          { id: 'wamid.B', status: 'deleted', recipient_id: TOM.waId },
        ],
      }),
    );
    expect(batch.statuses.map((s) => s.status)).toEqual(['delivered', 'deleted']);
  });

  it('keeps every status Meta documents, played included, and values it may add later', () => {
    // Meta's status reference: sent, delivered, read, failed, and played (a voice message was played).
    // deleted and warning come from older APIs; frobnicated stands for whatever comes next.
    const values = ['sent', 'delivered', 'read', 'played', 'failed', 'deleted', 'warning', 'frobnicated'];
    const batch = normalizeWebhook(
      messagesBody({
        statuses: values.map((status, i) => ({ id: `wamid.V${i}`, status, timestamp: String(1767000000 + i), recipient_id: TOM.waId })),
      }),
    );
    expect(batch.statuses.map((s) => s.status)).toEqual(values);
    expect(batch.accountEvents).toEqual([]);
    const [played] = normalizeWebhook(
      messagesBody({
        statuses: [{ id: 'wamid.VOICE', status: 'PLAYED', timestamp: '1767000030', recipient_id: TOM.waId, recipient_user_id: TOM.userId }],
      }),
    ).statuses;
    expect(played).toMatchObject({ wamid: 'wamid.VOICE', status: 'played', customer: TOM, timestamp: at(1767000030) });
  });

  it('ranks played above read and below failed; other values do not move a message', () => {
    expect(DELIVERY_ORDER).toEqual(['sent', 'delivered', 'read', 'played', 'failed']);
    expect(deliveryRank('played')).toBeGreaterThan(deliveryRank('read'));
    expect(deliveryRank('failed')).toBeGreaterThan(deliveryRank('played'));
    for (const other of ['deleted', 'warning', 'frobnicated', 'received', 'pending', '']) expect(deliveryRank(other)).toBe(0);
  });

  it('keeps a status that names no recipient: its wamid is enough to apply it', () => {
    const batch = normalizeWebhook(messagesBody({ statuses: [{ id: 'wamid.A', status: 'read', timestamp: '1767000000' }] }));
    expect(batch.statuses[0]).toMatchObject({ wamid: 'wamid.A', customer: { waId: null, userId: null } });
    expect(batch.contacts).toEqual([]);
  });
});

describe('value-level errors', () => {
  it('become AccountEvents in field "errors", typed by code', () => {
    const batch = normalizeFixture('value_errors.json');
    expect(batch.accountEvents).toEqual<AccountEvent[]>([
      {
        wabaId: WABA_A,
        phoneNumberId: PHONE_A,
        field: 'errors',
        eventType: '131000',
        timestamp: null,
        payload: {
          field: 'messages',
          error: {
            code: 131000,
            title: 'Something went wrong',
            message: 'Something went wrong',
            error_data: { details: 'Unknown error while processing the message' },
          },
        },
      },
    ]);
  });
});

describe('account events (every other field)', () => {
  const entryTime = at(1767100000);
  it.each([
    ['message_template_status_update.json', 'message_template_status_update', 'REJECTED', null],
    ['account_update.json', 'account_update', 'ACCOUNT_VIOLATION', null],
    ['phone_number_quality_update.json', 'phone_number_quality_update', 'UPGRADE', null],
    ['phone_number_name_update.json', 'phone_number_name_update', 'APPROVED', null],
    ['template_category_update.json', 'template_category_update', 'MARKETING', null],
    ['message_template_quality_update.json', 'message_template_quality_update', 'YELLOW', null],
    ['business_capability_update.json', 'business_capability_update', null, null],
    ['account_alerts.json', 'account_alerts', 'INCREASED_CAPABILITIES_ELIGIBILITY', null],
    ['security.json', 'security', 'PIN_CHANGED', null],
    ['user_preferences.json', 'user_preferences', 'stop', PHONE_A],
    ['smb_app_state_sync.json', 'smb_app_state_sync', 'add', PHONE_A],
    ['calls.json', 'calls', 'connect', PHONE_A],
    ['unknown_field.json', 'some_future_field', 'SOMETHING_NEW', null],
  ])('%s → field %s, event %s', (name, field, eventType, phoneNumberId) => {
    const body = fixture(name) as { entry: Array<{ changes: Array<{ value: unknown }> }> };
    const batch = normalizeWebhook(body, RECEIVED_AT);
    expect(batch.messages).toEqual([]);
    expect(batch.statuses).toEqual([]);
    expect(batch.accountEvents).toEqual<AccountEvent[]>([
      { wabaId: WABA_A, phoneNumberId, field, eventType, timestamp: entryTime, payload: body.entry[0]!.changes[0]!.value },
    ]);
  });

  it('take value.timestamp over entry.time, and register the number of their metadata', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_A,
          time: 1767100000,
          changes: [
            { field: 'security', value: { event: 'PIN_RESET_REQUEST', timestamp: '1767100555', metadata: { phone_number_id: PHONE_A } } },
          ],
        },
      ],
    };
    const batch = normalizeWebhook(body);
    expect(batch.accountEvents[0]!.timestamp).toEqual(at(1767100555));
    expect(batch.businessNumbers).toEqual([{ phoneNumberId: PHONE_A, displayPhoneNumber: null, wabaId: WABA_A }]);
  });

  it('sight the customers named by user_preferences and calls', () => {
    expect(normalizeFixture('user_preferences.json').contacts).toEqual([{ ...MARIA, name: 'Maria Lopez', username: null }]);
    expect(normalizeFixture('calls.json').contacts).toEqual([{ ...TOM, name: 'Tom Becker', username: null }]);
  });

  it('keep a value that is not an object as the payload', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [{ id: WABA_A, changes: [{ field: 'account_update', value: 'odd' }, { field: 'security' }] }],
    };
    expect(normalizeWebhook(body).accountEvents).toEqual([
      { wabaId: WABA_A, phoneNumberId: null, field: 'account_update', eventType: null, timestamp: null, payload: 'odd' },
      { wabaId: WABA_A, phoneNumberId: null, field: 'security', eventType: null, timestamp: null, payload: null },
    ]);
  });
});

describe('invalid items', () => {
  it('are isolated from the good items beside them', () => {
    const batch = normalizeFixture('mixed_invalid_items.json');
    expect(batch.messages.map((m) => m.text)).toEqual(['good one', 'good two']);
    expect(batch.statuses.map((s) => s.wamid)).toEqual(['wamid.FX-OUT-0401']);
    expect(invalidReasons(batch)).toEqual([
      'contact_without_id',
      'message_without_id',
      'message_not_object',
      'message_not_object',
      'status_without_status',
      'status_without_id',
    ]);
    const noId = batch.accountEvents.find((e) => e.eventType === 'message_without_id')!;
    expect(noId).toEqual({
      wabaId: WABA_A,
      phoneNumberId: PHONE_A,
      field: 'invalid_item',
      eventType: 'message_without_id',
      timestamp: null,
      payload: { field: 'messages', item: { from: MARIA.waId, timestamp: '1767000701', type: 'text', text: { body: 'no id' } } },
    });
    const notObjects = batch.accountEvents.filter((e) => e.eventType === 'message_not_object').map((e) => e.payload);
    expect(notObjects).toEqual([
      { field: 'messages', item: null },
      { field: 'messages', item: 'not a message' },
    ]);
  });

  it('include messages of a value without a phone number id', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_A,
          changes: [
            {
              field: 'messages',
              value: { messages: [{ id: 'wamid.X', from: TOM.waId, type: 'text' }], statuses: [{ id: 'wamid.Y', status: 'read' }] },
            },
          ],
        },
      ],
    };
    const batch = normalizeWebhook(body);
    expect(invalidReasons(batch)).toEqual(['message_without_phone_number_id', 'status_without_phone_number_id']);
  });

  it('include structural problems, tagged with the entry time when there is one', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        null,
        { id: WABA_A, time: 1767100000, changes: 5 },
        {
          id: WABA_A,
          changes: [
            null,
            { field: 'messages', value: 7 },
            { field: 'messages', value: { metadata: { phone_number_id: PHONE_A }, messages: { id: 'wamid.X' }, statuses: 'x' } },
          ],
        },
      ],
    };
    const batch = normalizeWebhook(body);
    expect(batch.accountEvents.map((e) => [e.eventType, e.wabaId, e.timestamp])).toEqual([
      ['entry_not_object', null, null],
      ['entry_without_changes', WABA_A, at(1767100000)],
      ['change_not_object', WABA_A, null],
      ['value_not_object', WABA_A, null],
      ['messages_not_array', WABA_A, null],
      ['statuses_not_array', WABA_A, null],
    ]);
    expect(batch.accountEvents[4]!.payload).toEqual({ field: 'messages', item: { id: 'wamid.X' } });
  });
});

describe('hostile input never throws', () => {
  const hostileBodies: unknown[] = [
    null,
    undefined,
    [],
    'whatsapp_business_account',
    0,
    Number.NaN,
    true,
    { object: 'whatsapp_business_account', entry: [null] },
    { object: 'whatsapp_business_account', entry: [5, 'x', [], true] },
    { object: 'whatsapp_business_account', entry: [{ changes: 5 }] },
    {
      object: 'whatsapp_business_account',
      entry: [{ id: { nested: true }, time: 'yesterday', changes: [5, [], 'x', null, { field: 5, value: [] }] }],
    },
    {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: 5, messages: [{}], contacts: 3 } }] }],
    },
    {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: {} }, statuses: [[], {}, { id: [] }] } }] }],
    },
    {
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 1 },
                messages: [{ id: 1, from: 2, type: 3, timestamp: [], context: 'x', text: 5, image: [], errors: {} }],
              },
            },
          ],
        },
      ],
    },
    {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'constructor', value: { event: 5 } }, { field: '__proto__', value: null }, { field: 'toString' }] }],
    },
    messagesBody({
      messages: [
        { id: 'wamid.P', from: TOM.waId, type: '__proto__' },
        { id: 'wamid.C', from: TOM.waId, type: 'constructor' },
        { id: 'wamid.H', from: TOM.waId, type: 'hasOwnProperty', hasOwnProperty: 'gotcha' },
      ],
    }),
    messagesBody({
      messages: [
        {
          id: 'wamid.E',
          from: TOM.waId,
          type: 'edit',
          edit: { original_message_id: 5, message: { type: 'edit', edit: { message: { type: 'edit' } } } },
        },
      ],
    }),
    messagesBody({
      messages: [
        { id: 'wamid.O', from: TOM.waId, type: 'order', order: { product_items: [null, { quantity: -3 }, { quantity: 'lots' }, 7] } },
      ],
    }),
    messagesBody({
      messages: [{ id: 'wamid.X', from: TOM.waId, type: 'contacts', contacts: [null, 5, { name: 'not an object' }, { name: {} }] }],
    }),
    messagesBody({
      messages: [{ id: 'wamid.I', from: TOM.waId, type: 'interactive', interactive: { type: 'list_reply', list_reply: null } }],
    }),
    messagesBody({ statuses: [{ id: 'wamid.S', status: 5, errors: [null, 5, { code: {} }], pricing: [], conversation: 'c' }] }),
    messagesBody({ errors: [null, 'x', { code: { deep: 1 } }] }),
  ];

  it.each(hostileBodies.map((body, i) => [i, body] as const))('body #%i', (_i, body) => {
    let batch: NormalizedBatch | undefined;
    expect(() => {
      batch = normalizeWebhook(body, RECEIVED_AT);
    }).not.toThrow();
    expect(Object.keys(batch!).sort()).toEqual(['accountEvents', 'businessNumbers', 'contacts', 'messages', 'statuses']);
    for (const message of batch!.messages) {
      expect(typeof message.wamid).toBe('string');
      expect(typeof message.type).toBe('string');
      expect(Number.isNaN(message.timestamp.getTime())).toBe(false);
    }
  });

  it('does not reach Object.prototype through type names', () => {
    const batch = normalizeWebhook(hostileBodies[15], RECEIVED_AT);
    expect(batch.messages.map((m) => [m.type, m.text])).toEqual([
      ['__proto__', null],
      ['constructor', null],
      ['hasOwnProperty', 'gotcha'],
    ]);
    expect(({} as Record<string, unknown>).gotcha).toBeUndefined();
  });

  it('survives a message nested deeper than the call stack', () => {
    const depth = 100_000;
    const body = JSON.parse(
      `{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"p"},"messages":[{"id":"wamid.DEEP","from":"1","type":"text","text":{"body":"deep"},"junk":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}}]}}]}]}`,
    ) as unknown;
    const batch = normalizeWebhook(body, RECEIVED_AT);
    expect(batch.messages.map((m) => [m.wamid, m.text])).toEqual([['wamid.DEEP', 'deep']]);
  });

  it('survives random mutations of real bodies', () => {
    let seed = 20261201;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const junk: unknown[] = [null, 0, -1, 1e308, '', 'x', '\u0000', '\ud800', true, [], {}, [null], { id: 5 }, '__proto__'];
    const mutate = (v: unknown): unknown => {
      if (random() < 0.08) return junk[Math.floor(random() * junk.length)];
      if (Array.isArray(v)) return v.map(mutate);
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, child]) => [random() < 0.03 ? 'renamed' : k, mutate(child)]));
      }
      return v;
    };
    const bodies = fs.readdirSync(FIXTURES).map((name) => fixture(name));
    for (let i = 0; i < 3000; i++) {
      const body = mutate(bodies[i % bodies.length]);
      const batch = normalizeWebhook(body, RECEIVED_AT);
      for (const message of batch.messages) expect(Number.isNaN(message.timestamp.getTime())).toBe(false);
      for (const sighting of batch.contacts) expect(sighting.waId !== null || sighting.userId !== null).toBe(true);
    }
  });

  it('reads a huge batch in full', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({
      from: TOM.waId,
      id: `wamid.BIG-${i}`,
      timestamp: '1767000000',
      type: 'text',
      text: { body: `m${i}` },
    }));
    const batch = normalizeWebhook(messagesBody({ contacts: [{ wa_id: TOM.waId, profile: { name: 'Tom' } }], messages }), RECEIVED_AT);
    expect(batch.messages).toHaveLength(20_000);
    expect(batch.messages[19_999]!.text).toBe('m19999');
    expect(batch.contacts).toHaveLength(1);
  });
});

describe('sanitizing for Postgres', () => {
  const FFFD = '\ufffd';
  const poisoned = JSON.parse(`{
    "object": "whatsapp_business_account",
    "entry": [{ "id": "${WABA_A}", "changes": [
      { "field": "messages", "value": {
        "metadata": { "phone_number_id": "${PHONE_A}", "display_phone_number": "1555\\u0000" },
        "contacts": [{ "wa_id": "${TOM.waId}", "profile": { "name": "Tom\\ud800 B\\u0000" } }],
        "messages": [{ "from": "${TOM.waId}", "id": "wamid.NUL\\u0000", "timestamp": "1767000000", "type": "text",
          "text": { "body": "hi\\u0000 there \\udc00 👍" }, "weird\\ud800key": "v\\u0000" }],
        "statuses": [{ "id": "wamid.S", "status": "failed", "recipient_id": "${TOM.waId}",
          "errors": [{ "code": 1, "title": "t\\u0000", "error_data": { "details": "d\\ud800" } }] }]
      } },
      { "field": "account_update", "value": { "event": "EV\\u0000", "info": "\\udfff" } }
    ] }]
  }`) as unknown;

  it('replaces NUL and lone surrogates in every text, id and raw payload', () => {
    const batch = normalizeWebhook(poisoned, RECEIVED_AT);
    const message = batch.messages[0]!;
    expect(message.wamid).toBe(`wamid.NUL${FFFD}`);
    expect(message.text).toBe(`hi${FFFD} there ${FFFD} 👍`);
    expect(message.raw).toMatchObject({ [`weird${FFFD}key`]: `v${FFFD}`, text: { body: `hi${FFFD} there ${FFFD} 👍` } });
    expect(batch.contacts[0]!.name).toBe(`Tom${FFFD} B${FFFD}`);
    expect(batch.businessNumbers[0]!.displayPhoneNumber).toBe(`1555${FFFD}`);
    expect(batch.statuses[0]!.errors[0]).toEqual({ code: 1, title: `t${FFFD}`, message: null, details: `d${FFFD}` });
    expect(batch.accountEvents[0]).toMatchObject({ eventType: `EV${FFFD}`, payload: { event: `EV${FFFD}`, info: FFFD } });
    expect(JSON.stringify(batch)).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  });

  it('sanitizes invalid items too', () => {
    const batch = normalizeWebhook(messagesBody({ messages: [JSON.parse('{"from":"1","text":{"body":"\\u0000"}}')] }));
    expect(batch.accountEvents[0]!.payload).toEqual({ field: 'messages', item: { from: '1', text: { body: FFFD } } });
  });
});

describe('the sample bodies in shared/payloads', () => {
  const names = fs.existsSync(SHARED_PAYLOADS) ? fs.readdirSync(SHARED_PAYLOADS).filter((n) => n.endsWith('.json')) : [];

  it.skipIf(names.length === 0).each(names)('%s normalizes with no invalid item', (name) => {
    const body = JSON.parse(fs.readFileSync(path.join(SHARED_PAYLOADS, name), 'utf8')) as unknown;
    const batch = normalizeWebhook(body, RECEIVED_AT);
    expect(invalidReasons(batch)).toEqual([]);
    expect(batch.messages.length + batch.statuses.length + batch.accountEvents.length).toBeGreaterThan(0);
    for (const message of batch.messages) expect(message.timestamp).not.toEqual(RECEIVED_AT);
  });

  it.skipIf(!names.includes('batch_two_messages.json'))('batch_two_messages.json yields both messages and both names', () => {
    const body = JSON.parse(fs.readFileSync(path.join(SHARED_PAYLOADS, 'batch_two_messages.json'), 'utf8')) as unknown;
    const batch = normalizeWebhook(body);
    expect(batch.messages.map((m) => [m.customer.waId, m.text])).toEqual([
      ['5215512345678', 'Gracias!'],
      ['4915112345678', 'Danke, bis bald'],
    ]);
    expect(batch.contacts.map((c) => c.name)).toEqual(['Maria Lopez', 'Tom Becker']);
  });
});
