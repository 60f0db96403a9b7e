import { describe, expect, it } from 'vitest';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { collidingMessages, seenMessagesOf } from '@/lib/inbox/collision';

// The collision warning's rule: what someone else sent since the agent last looked, and nothing else.

const ME = 'user-me';
const BO = { id: 'user-bo', name: 'Bo' };
const T0 = Date.parse('2026-12-03T10:00:00Z');

function message(id: string, minute: number, over: Partial<ApiMessage> = {}): ApiMessage {
  return {
    id,
    wamid: null,
    conversationId: '1',
    businessPhoneNumberId: '106540352242922',
    direction: 'outbound',
    type: 'text',
    subtype: null,
    text: `message ${id}`,
    timestamp: new Date(T0 + minute * 60_000).toISOString(),
    contact: { waId: '4915112345678', userId: null, name: 'Tom' },
    status: 'sent',
    errors: [],
    replyToId: null,
    statusHistory: [],
    content: null,
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

const inbound = (id: string, minute: number) => message(id, minute, { direction: 'inbound' });
const byBo = (id: string, minute: number, over: Partial<ApiMessage> = {}) => message(id, minute, { sentBy: BO, ...over });
const byMe = (id: string, minute: number) => message(id, minute, { sentBy: { id: ME, name: 'Me' } });

describe('collidingMessages', () => {
  const opened = [inbound('1', 0), byBo('2', 1)];
  const seen = seenMessagesOf(opened);

  it('names what another agent sent after the agent opened the conversation', () => {
    const now = [...opened, inbound('3', 2), byBo('4', 3)];
    expect(collidingMessages(now, seen, ME).map((m) => m.id)).toEqual(['4']);
  });

  it('is empty when nothing new came from anyone else: the customer writing, or the agent themselves, is no collision', () => {
    expect(collidingMessages(opened, seen, ME)).toEqual([]);
    expect(collidingMessages([...opened, inbound('3', 2), byMe('4', 3)], seen, ME)).toEqual([]);
  });

  it("counts an integration's message (an API key) but not a reaction or a message from WhatsApp without a writer", () => {
    const key = message('5', 4, { sentBy: { id: 'api-key:7', name: 'CRM' } });
    const reaction = byBo('6', 5, { type: 'reaction', text: null });
    const fromPhone = message('7', 6, { sentBy: null });
    expect(collidingMessages([...opened, key, reaction, fromPhone], seen, ME).map((m) => m.id)).toEqual(['5']);
  });

  it('does not count older messages loaded later by scrolling up', () => {
    const older = byBo('0', -10);
    expect(collidingMessages([older, ...opened], seen, ME)).toEqual([]);
  });

  it('after the agent sends (or was warned), only what comes next counts', () => {
    const later = [...opened, byBo('4', 3)];
    expect(collidingMessages(later, seen, ME)).toHaveLength(1);
    const afterSend = seenMessagesOf([...later, byMe('5', 4)]);
    expect(collidingMessages([...later, byMe('5', 4)], afterSend, ME)).toEqual([]);
    expect(collidingMessages([...later, byMe('5', 4), byBo('6', 5)], afterSend, ME).map((m) => m.id)).toEqual(['6']);
  });

  it('counts everything from others when the thread was empty on opening', () => {
    expect(collidingMessages([byBo('1', 0)], seenMessagesOf([]), ME).map((m) => m.id)).toEqual(['1']);
  });
});
