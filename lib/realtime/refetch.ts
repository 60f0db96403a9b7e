import type { ChangeNotice, Topic } from './changes';

// What a change notice makes stale on a page: each refetch is a request to a server that every open page
// shares. An open thread's messages are what the agent waits for, so they refetch only when a message may
// have changed: a read mark, a heartbeat or a label would start a refetch that the next new message then
// waits behind (bench:live saw its refetch start 25–55 ms late). The list and its tab counts skip what
// never changes a conversation row: heartbeats (an agent starting or stopping to type), canned replies,
// the error log's topics, the inbox settings.

/** Notices that change the thread's messages: new ones, their ticks, their files, our sends (lib/realtime/changes.ts). */
const MESSAGE_TOPICS: ReadonlySet<Topic> = new Set<Topic>(['messages', 'deliveries', 'media', 'downloads', 'outbox']);

const PRESENCE: ReadonlySet<Topic> = new Set<Topic>(['presence']);

export interface ThreadRefetch {
  /** The thread's pages of messages. */
  messages: boolean;
  /** Its header (customer, window, labels, assignee) and the notes between the messages. */
  around: boolean;
}

/** null: after a reconnect, when notices may have been missed: everything. */
export function threadRefetchFor(notice: ChangeNotice | null, conversationId: number): ThreadRefetch {
  if (!notice || notice.partial) return { messages: true, around: true };
  if (!notice.conversations.includes(conversationId)) return { messages: false, around: false };
  return {
    messages: notice.topics.some((topic) => MESSAGE_TOPICS.has(topic)),
    // A heartbeat changes who is here (useThreadPresence has it), not the header or the notes.
    around: !onlyAbout(notice, PRESENCE),
  };
}

/** Topics that change no conversation row nor any tab count. */
const NOT_LIST_TOPICS: ReadonlySet<Topic> = new Set<Topic>(['presence', 'canned-replies', 'rejections', 'processing', 'settings']);

/** Whether the conversation list and its tab counts refetch; null: after a reconnect, yes. */
export function listRefetchFor(notice: ChangeNotice | null): boolean {
  return !notice || notice.partial || !onlyAbout(notice, NOT_LIST_TOPICS);
}

/**
 * Whether every topic of the notice is one of `topics`. No topic at all is about something too: a read
 * mark (the unread counts) comes without one.
 */
function onlyAbout(notice: ChangeNotice, topics: ReadonlySet<Topic>): boolean {
  return notice.topics.length > 0 && notice.topics.every((topic) => topics.has(topic));
}
