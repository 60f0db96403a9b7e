import { describe, expect, it } from 'vitest';
import type { ApiActivityEntry } from '@/lib/contracts/activity';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { describeActivity, placeActivity } from '@/lib/inbox/activity-lines';
import { buildThread } from '@/lib/inbox/message-view';
import { splitMentions } from '@/lib/inbox/note-text';

// The trail in the thread: the words of each system line, and entries placed between messages by time,
// under the separator of their own day.

const ana = { kind: 'user' as const, id: 'u1', name: 'Ana' };
const entry = (
  id: string,
  at: string,
  action: ApiActivityEntry['action'],
  details: Record<string, unknown> = {},
  body: string | null = null,
): ApiActivityEntry => ({
  id,
  at,
  actor: ana,
  action,
  body,
  details,
});
const message = (id: string, timestamp: string) =>
  ({
    id,
    wamid: `wamid.${id}`,
    conversationId: '1',
    businessPhoneNumberId: '1',
    direction: 'inbound',
    type: 'text',
    subtype: null,
    text: `text ${id}`,
    timestamp,
    contact: { waId: '1', name: 'C', userId: null },
    status: 'received',
    errors: [],
    replyToId: null,
    statusHistory: [],
    content: { type: 'text', body: `text ${id}` },
    placeholder: false,
    clientId: null,
    sentBy: null,
    media: null,
    mediaFile: null,
    targetId: null,
    forwarded: false,
    frequentlyForwarded: false,
    editedAt: null,
    deletedAt: null,
  }) as unknown as ApiMessage;

describe('activity lines', () => {
  it('says what was done, by whom', () => {
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'status', { status: 'resolved' }))).toBe('Resolved by Ana');
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'status', { status: 'open' }))).toBe('Reopened by Ana');
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'assigned', { assignee: { id: 'u2', name: 'Bo' }, previous: null }))).toBe(
      'Ana assigned this to Bo',
    );
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'label_added', { label: { id: '3', name: 'VIP' } }))).toBe(
      'Ana added the label VIP',
    );
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'message_retried', { messageId: '9' }))).toBe('Ana retried a message');
    expect(
      describeActivity(entry('1', '2026-01-01T10:00:00Z', 'status', { status: 'snoozed', snoozedUntil: '2026-01-02T09:00:00Z' })),
    ).toMatch(/^Snoozed by Ana until /);
    expect(describeActivity(entry('1', '2026-01-01T10:00:00Z', 'message_sent', { messageId: '9', type: 'text' }))).toBeNull();
    expect(
      describeActivity({
        ...entry('1', '2026-01-01T10:00:00Z', 'status', { status: 'open' }),
        actor: { kind: 'system', id: null, name: 'Snooze' },
      }),
    ).toBe('The snooze ended: open again');
  });

  it('places entries between messages at their time, under their own day, and leaves out sent messages', () => {
    const now = new Date('2026-01-10T12:00:00');
    const messages = [
      message('m1', new Date('2026-01-05T10:00:00').toISOString()),
      message('m2', new Date('2026-01-07T10:00:00').toISOString()),
    ];
    const items = placeActivity(
      buildThread(messages, now),
      [
        entry('a', new Date('2026-01-05T11:00:00').toISOString(), 'note', { mentions: [] }, 'after m1'),
        entry('b', new Date('2026-01-06T09:00:00').toISOString(), 'status', { status: 'resolved' }),
        entry('c', new Date('2026-01-07T10:00:01').toISOString(), 'message_sent', { messageId: 'x', type: 'text' }),
        entry('d', new Date('2026-01-08T09:00:00').toISOString(), 'status', { status: 'open' }),
      ],
      now,
    );
    const shape = items.map((i) =>
      i.kind === 'day' ? `day ${i.day}` : i.kind === 'activity' ? `entry ${i.entry.id}` : `message ${i.message.id}`,
    );
    expect(shape).toEqual([
      'day 2026-01-05',
      'message m1',
      'entry a',
      'day 2026-01-06',
      'entry b',
      'day 2026-01-07',
      'message m2',
      'day 2026-01-08',
      'entry d',
    ]);
  });

  it('cuts a note into text and its mentions, longest name first, whatever the case', () => {
    const people = [
      { id: '1', name: 'Ana' },
      { id: '2', name: 'Ana Silva' },
    ];
    expect(splitMentions('hi @ana silva and @Ana!', people)).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', text: '@ana silva', person: people[1] },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Ana', person: people[0] },
      { kind: 'text', text: '!' },
    ]);
    expect(splitMentions('<b>@x</b>', [])).toEqual([{ kind: 'text', text: '<b>@x</b>' }]);
  });
});
