import { describe, expect, it } from 'vitest';
import { redactCustomer } from '@/lib/privacy/redact';
import { messagesBody, status, textMessage } from '@/tools/meta-envelopes';

// Redacting one customer out of a raw webhook body (lib/privacy/redact.ts): their entries go wherever they
// are listed, everyone else's stay, the envelope is unchanged otherwise.

const ERASED = '4915100000001';
const KEPT = '4915100000002';
const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (r: ReturnType<typeof redactCustomer>) => {
  if (r.kind !== 'redacted') throw new Error(`expected a redaction, got ${r.kind}`);
  return JSON.parse(new TextDecoder().decode(r.body));
};

describe('redactCustomer', () => {
  it('removes the customer’s contacts, messages and statuses and keeps the others’', () => {
    const body = messagesBody({
      contacts: [
        { profile: { name: 'Erin' }, wa_id: ERASED, user_id: 'US.erin' },
        { profile: { name: 'Kim' }, wa_id: KEPT },
      ],
      messages: [textMessage('wamid.E', ERASED, 'secret'), textMessage('wamid.K', KEPT, 'hello')],
      statuses: [status('wamid.O1', 'read', 1767000000, ERASED), status('wamid.O2', 'read', 1767000000, KEPT)],
    });
    const value = parse(redactCustomer(bytes(body), [ERASED, 'US.erin'])).entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ profile: { name: 'Kim' }, wa_id: KEPT }]);
    expect(value.messages.map((m: { id: string }) => m.id)).toEqual(['wamid.K']);
    expect(value.statuses.map((s: { id: string }) => s.id)).toEqual(['wamid.O2']);
    expect(value.metadata).toEqual(JSON.parse(body).entry[0].changes[0].value.metadata);
  });

  it('finds them by BSUID alone, and in a shared contact card of another customer', () => {
    const card = {
      from: KEPT,
      id: 'wamid.C',
      timestamp: '1767000000',
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Erin' }, phones: [{ phone: '+49 151', wa_id: ERASED }] }],
    };
    const body = messagesBody({ messages: [{ ...textMessage('wamid.B', '', 'hi'), from: undefined, from_user_id: 'US.erin' }, card] });
    const value = parse(redactCustomer(bytes(body), [ERASED, 'US.erin'])).entry[0].changes[0].value;
    expect(value.messages).toHaveLength(1);
    expect(value.messages[0].contacts[0].phones).toEqual([]);
  });

  it('leaves a body that does not name them alone, and says when it cannot read one', () => {
    expect(
      redactCustomer(bytes(messagesBody({ messages: [textMessage('wamid.K', KEPT, `mentions ${ERASED} in text`)] })), [ERASED]),
    ).toEqual({
      kind: 'unchanged',
    });
    expect(redactCustomer(bytes('{"entry": ['), [ERASED])).toEqual({ kind: 'unreadable' });
  });
});
