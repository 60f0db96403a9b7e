import { describe, expect, it } from 'vitest';
import {
  changeSchema,
  contactItemSchema,
  entrySchema,
  errorItemSchema,
  messageItemSchema,
  messagingValueSchema,
  statusItemSchema,
  webhookBodySchema,
} from '@/lib/whatsapp/payload';

describe('webhookBodySchema (decides 400 versus accept)', () => {
  it('accepts a JSON object with a string object and an array entry', () => {
    expect(webhookBodySchema.safeParse({ object: 'whatsapp_business_account', entry: [] }).success).toBe(true);
    // Any object name is accepted here: other objects are stored raw, not rejected.
    expect(webhookBodySchema.safeParse({ object: 'page', entry: [null, 5, 'x'] }).success).toBe(true);
  });

  it('keeps extra top-level fields', () => {
    const parsed = webhookBodySchema.parse({ object: 'whatsapp_business_account', entry: [], extra: { a: 1 } });
    expect(parsed).toEqual({ object: 'whatsapp_business_account', entry: [], extra: { a: 1 } });
  });

  it.each([
    ['null', null],
    ['an array', [{ object: 'whatsapp_business_account', entry: [] }]],
    ['a string', 'whatsapp_business_account'],
    ['a number', 42],
    ['an empty object', {}],
    ['a missing entry', { object: 'whatsapp_business_account' }],
    ['a non-array entry', { object: 'whatsapp_business_account', entry: {} }],
    ['a null entry', { object: 'whatsapp_business_account', entry: null }],
    ['a non-string object', { object: 1, entry: [] }],
    ['a missing object', { entry: [] }],
  ])('rejects %s', (_label, body) => {
    expect(webhookBodySchema.safeParse(body).success).toBe(false);
  });
});

describe('lenient item schemas', () => {
  it('read a wrong-typed field as absent instead of failing the item', () => {
    const parsed = messageItemSchema.safeParse({
      id: 'wamid.X',
      type: ['text'],
      timestamp: { at: 1 },
      text: 'not an object',
      context: 7,
      errors: 'nope',
      image: { id: 5, caption: false, voice: 'yes' },
    });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({
      id: 'wamid.X',
      type: undefined,
      timestamp: undefined,
      text: undefined,
      context: undefined,
      errors: undefined,
      image: { id: '5', caption: undefined, voice: undefined },
    });
  });

  it('accept ids sent as numbers, as their decimal text', () => {
    const parsed = messageItemSchema.parse({ id: 123, from: 5215512345678, timestamp: 1767000000 });
    expect(parsed.id).toBe('123');
    expect(parsed.from).toBe('5215512345678');
    expect(parsed.timestamp).toBe(1767000000);
  });

  it('drop keys they do not know (the raw item is kept elsewhere)', () => {
    const parsed = messageItemSchema.parse({ id: 'wamid.X', referral: { source_id: '1' }, poll: {} });
    expect(parsed).not.toHaveProperty('referral');
    expect(parsed).not.toHaveProperty('poll');
  });

  it('fail only for items that are not objects', () => {
    for (const notAnObject of [null, undefined, 'x', 5, true, [1, 2]]) {
      expect(messageItemSchema.safeParse(notAnObject).success).toBe(false);
      expect(statusItemSchema.safeParse(notAnObject).success).toBe(false);
      expect(contactItemSchema.safeParse(notAnObject).success).toBe(false);
    }
    expect(messageItemSchema.safeParse({}).success).toBe(true);
  });

  it('keep the pricing and conversation objects of a status untouched', () => {
    const pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
    const conversation = { id: 'c1', origin: { type: 'utility' } };
    const parsed = statusItemSchema.parse({ id: 'wamid.S', status: 'sent', pricing, conversation });
    expect(parsed.pricing).toEqual(pricing);
    expect(parsed.conversation).toEqual(conversation);
    expect(statusItemSchema.parse({ id: 'wamid.S', status: 'read' }).pricing).toBeUndefined();
  });

  it('read the BSUID fields of contacts and statuses', () => {
    expect(contactItemSchema.parse({ user_id: 'US.1', profile: { name: 'Sheena', username: 'sheena.n' } })).toEqual({
      user_id: 'US.1',
      profile: { name: 'Sheena', username: 'sheena.n' },
    });
    expect(statusItemSchema.parse({ recipient_user_id: 'US.2' }).recipient_user_id).toBe('US.2');
    expect(messageItemSchema.parse({ from_user_id: 'US.3', to_user_id: 'US.4' })).toMatchObject({
      from_user_id: 'US.3',
      to_user_id: 'US.4',
    });
  });

  it('read error codes as numbers or strings and details from error_data', () => {
    expect(errorItemSchema.parse({ code: 131047, error_data: { details: 'late' } })).toEqual({
      code: 131047,
      error_data: { details: 'late' },
    });
    expect(errorItemSchema.parse({ code: '131051', title: 7 })).toEqual({ code: '131051', title: '7' });
  });

  it('let the normalizer tell a missing array from a wrong one', () => {
    expect(messagingValueSchema.parse({ messages: {} }).messages).toEqual({});
    expect(messagingValueSchema.parse({}).messages).toBeUndefined();
    expect(entrySchema.parse({ id: 'w', changes: 5 }).changes).toBe(5);
    expect(changeSchema.parse({ field: 'messages' }).value).toBeUndefined();
  });
});
