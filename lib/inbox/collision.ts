import type { ApiMessage } from '@/lib/contracts/inbox';

// Two answers to one customer (issue 13 §6): before the agent sends, the messages someone else sent in
// the conversation since this agent opened it (or last sent or was warned), which Send shows first. PURE.

/** What the agent had in front of them at a moment: the messages by id, and the newest one's time (server clock). */
export interface SeenMessages {
  ids: ReadonlySet<string>;
  newestAt: number | null;
}

export function seenMessagesOf(messages: readonly ApiMessage[]): SeenMessages {
  let newestAt: number | null = null;
  for (const m of messages) {
    const at = Date.parse(m.timestamp);
    if (!Number.isNaN(at) && (newestAt === null || at > newestAt)) newestAt = at;
  }
  return { ids: new Set(messages.map((m) => m.id)), newestAt };
}

/**
 * Messages written here by someone other than `myUserId` (another agent, or an integration's API key)
 * that the agent had not seen, newer than everything they had: older pages loaded later are not news.
 * Reactions answer nobody and do not count.
 */
export function collidingMessages(messages: readonly ApiMessage[], seen: SeenMessages, myUserId: string): ApiMessage[] {
  return messages.filter(
    (m) =>
      m.direction === 'outbound' &&
      m.sentBy !== null &&
      m.sentBy.id !== myUserId &&
      m.type !== 'reaction' &&
      !seen.ids.has(m.id) &&
      (seen.newestAt === null || Date.parse(m.timestamp) >= seen.newestAt),
  );
}
