import { describe, expect, it } from 'vitest';
import type { ApiMention, ApiUnreadConversation, GetNotificationsResponse } from '@/lib/contracts/notifications';
import { newNotifications, titleWithCount } from '@/lib/inbox/notifications';

// What the browser notifies of between two looks, and the title's count.

const conversation = (id: string, unreadCount: number, lastInboundAt = `2026-12-03T10:0${unreadCount}:00Z`): ApiUnreadConversation => ({
  id,
  contactName: `Customer ${id}`,
  unreadCount,
  lastInboundAt,
  preview: `Hello from ${id}`,
  assignedToMe: true,
});
const mention = (id: string, conversationId = '9'): ApiMention => ({
  id,
  conversationId,
  contactName: 'Tom',
  byName: 'Ana',
  text: '@Bo look',
  createdAt: '2026-12-03T10:00:00Z',
});
const answer = (conversations: ApiUnreadConversation[], mentions: ApiMention[] = []): GetNotificationsResponse => ({
  count: conversations.reduce((n, c) => n + c.unreadCount, 0) + mentions.length,
  conversations,
  mentions,
});

describe('newNotifications', () => {
  it('notifies of a conversation whose unread count rose or that is new to the list, not of one unchanged', () => {
    const before = answer([conversation('1', 1), conversation('2', 2)]);
    const now = answer([conversation('3', 1), conversation('1', 2), conversation('2', 2)]);
    expect(newNotifications(before, now, null).map((n) => n.conversationId)).toEqual(['3', '1']);
    expect(newNotifications(before, now, null)[0]).toEqual({
      tag: 'conversation-3',
      title: 'Customer 3',
      body: 'Hello from 3',
      conversationId: '3',
    });
  });

  it('notifies again when the customer wrote after the agent read it (same count, a newer message)', () => {
    const before = answer([conversation('1', 1, '2026-12-03T10:00:00Z')]);
    const now = answer([conversation('1', 1, '2026-12-03T10:05:00Z')]);
    expect(newNotifications(before, now, null)).toHaveLength(1);
  });

  it('says nothing of a conversation read meanwhile, or of the one the agent is looking at', () => {
    expect(newNotifications(answer([conversation('1', 3)]), answer([]), null)).toEqual([]);
    expect(newNotifications(answer([]), answer([conversation('1', 1)]), '1')).toEqual([]);
  });

  it('notifies of each new mention once, with the note', () => {
    const before = answer([], [mention('5')]);
    const now = answer([], [mention('6'), mention('5')]);
    expect(newNotifications(before, now, null)).toEqual([
      { tag: 'mention-6', title: 'Ana mentioned you (Tom)', body: '@Bo look', conversationId: '9' },
    ]);
    expect(newNotifications(before, answer([], [mention('7', '4')]), '4')).toEqual([]);
  });
});

describe('titleWithCount', () => {
  it('puts the count in front, replaces an old one, and leaves the bare title at zero', () => {
    expect(titleWithCount('Inbox · Ticks', 3)).toBe('(3) Inbox · Ticks');
    expect(titleWithCount('(3) Inbox · Ticks', 4)).toBe('(4) Inbox · Ticks');
    expect(titleWithCount('(4) Inbox · Ticks', 0)).toBe('Inbox · Ticks');
    expect(titleWithCount('(1234) Ticks', 1235)).toBe('(1235) Ticks');
  });
});
