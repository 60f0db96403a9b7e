import { describe, expect, it } from 'vitest';
import { matchCannedReplies, replaceSlashQuery, slashQueryAt } from '@/lib/inbox/canned-reply-search';
import { type CannedReplyContext, fillCannedReply } from '@/lib/inbox/canned-reply-variables';

// Canned replies in the composer: the variables filled in when one is chosen, and the "/" search.

const CONTEXT: CannedReplyContext = {
  contact: { name: 'María José', waId: '34600111222' },
  agentName: 'Ana',
  businessNumber: '+1 555-0100',
};

describe('fillCannedReply', () => {
  it('fills in every known variable, wherever and however often it appears', () => {
    expect(
      fillCannedReply(
        'Hi {{contact.name}}, this is {{agent.name}} at {{business.number}}. We have {{contact.phone}}; bye {{contact.name}}!',
        CONTEXT,
      ),
    ).toBe('Hi María José, this is Ana at +1 555-0100. We have +34600111222; bye María José!');
  });

  it('shows the business number with its "+", as the thread header does', () => {
    expect(fillCannedReply('{{business.number}}', { ...CONTEXT, businessNumber: '15550783881' })).toBe('+15550783881');
    expect(fillCannedReply('{{business.number}}', { ...CONTEXT, businessNumber: '+1 555-078-3881' })).toBe('+1 555-078-3881');
  });

  it('allows spaces inside the braces and ignores case', () => {
    expect(fillCannedReply('{{ contact.name }} / {{Agent.Name}}', CONTEXT)).toBe('María José / Ana');
  });

  it('greets a contact without a name by their number', () => {
    expect(fillCannedReply('Hi {{contact.name}}', { ...CONTEXT, contact: { name: null, waId: '447700900123' } })).toBe('Hi +447700900123');
    expect(fillCannedReply('Hi {{contact.name}}', { ...CONTEXT, contact: { name: '  ', waId: '447700900123' } })).toBe('Hi +447700900123');
  });

  it('leaves unknown variables, and known ones without a value, as written', () => {
    expect(fillCannedReply('{{order.id}} {{contact}} {{1}} {contact.name} {{contact.name', CONTEXT)).toBe(
      '{{order.id}} {{contact}} {{1}} {contact.name} {{contact.name',
    );
    const unknown: CannedReplyContext = { contact: { name: null, waId: null }, agentName: null, businessNumber: null };
    expect(fillCannedReply('{{contact.name}} {{contact.phone}} {{agent.name}} {{business.number}}', unknown)).toBe(
      '{{contact.name}} {{contact.phone}} {{agent.name}} {{business.number}}',
    );
  });

  it('inserts values as they are: a value that looks like a variable or a replacement pattern is not expanded again', () => {
    const tricky: CannedReplyContext = { ...CONTEXT, contact: { name: '{{agent.name}} $& $1', waId: '1' } };
    expect(fillCannedReply('Hi {{contact.name}}', tricky)).toBe('Hi {{agent.name}} $& $1');
  });

  it('leaves a body without variables alone', () => {
    expect(fillCannedReply('Thanks!\nSee you.', CONTEXT)).toBe('Thanks!\nSee you.');
  });
});

describe('the "/" search', () => {
  it('starts at the beginning of the text or after a space or line break', () => {
    expect(slashQueryAt('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQueryAt('/thx', 4)).toEqual({ start: 0, query: 'thx' });
    expect(slashQueryAt('Hello /gree', 11)).toEqual({ start: 6, query: 'gree' });
    expect(slashQueryAt('Hello\n/gree', 11)).toEqual({ start: 6, query: 'gree' });
  });

  it('does not start inside a word or once a space follows', () => {
    expect(slashQueryAt('and/or', 6)).toBeNull();
    expect(slashQueryAt('https://example.com', 19)).toBeNull();
    expect(slashQueryAt('/thx then', 9)).toBeNull();
    expect(slashQueryAt('no slash', 8)).toBeNull();
  });

  it('reads up to the caret only', () => {
    expect(slashQueryAt('/greeting more', 5)).toEqual({ start: 0, query: 'gree' });
  });

  const replies = [
    { shortcut: 'bye', body: 'Goodbye and thanks' },
    { shortcut: 'greeting', body: 'Hello!' },
    { shortcut: 'thanks', body: 'Thank you' },
    { shortcut: 'no-thanks', body: 'No' },
  ];

  it('finds shortcuts that start with the query first, then shortcuts and bodies that contain it, ignoring case', () => {
    expect(matchCannedReplies(replies, 'THANK').map((r) => r.shortcut)).toEqual(['thanks', 'no-thanks', 'bye']);
    expect(matchCannedReplies(replies, 'hello').map((r) => r.shortcut)).toEqual(['greeting']);
    expect(matchCannedReplies(replies, 'zzz')).toEqual([]);
    expect(matchCannedReplies(replies, '')).toEqual(replies);
  });

  it('replaces the "/query" with the reply and puts the caret after it', () => {
    const text = 'Hi /gre and more';
    const search = slashQueryAt(text, 7)!;
    expect(replaceSlashQuery(text, search, 'Hello María')).toEqual({ text: 'Hi Hello María and more', caret: 14 });
  });
});
