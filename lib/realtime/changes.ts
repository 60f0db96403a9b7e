// What changed, as sent over Postgres NOTIFY (PGlite has the same) for the live UI.
// NOTIFY payloads must stay under 8000 bytes: a large batch sends what fits and says it is partial,
// and listeners then refresh wholesale.

import type { Executor } from '@/db/client';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { notify } from '@/db/queries/notify';

export const CHANGES_CHANNEL = 'ticks_changes';
const MAX_PAYLOAD = 7000;

/**
 * What else a change concerns, for pages that are not about one conversation (the error log, the charts):
 * deliveries (statuses stored), messages (messages stored), account (account or template events),
 * processing (an event failed for good, or was retried), rejections (webhook requests refused),
 * media (a media file was downloaded, or failed to), downloads (media files were queued to download: the
 * downloaders look), outbox (a message was queued for sending), labels
 * (a label made, renamed, recoloured or deleted, or put on or taken off a conversation), agents (someone
 * signed up, was renamed or deactivated, or changed their availability), presence (who views or types where),
 * mentions (an agent was mentioned in a note), canned-replies (a saved reply made, changed or deleted),
 * settings (the inbox settings changed), activity (a conversation's trail grew: its ids say which).
 */
export const TOPICS = [
  'deliveries',
  'messages',
  'account',
  'processing',
  'rejections',
  'media',
  'downloads',
  'outbox',
  'labels',
  'agents',
  'presence',
  'mentions',
  'canned-replies',
  'settings',
  'activity',
] as const;
export type Topic = (typeof TOPICS)[number];

export interface ChangeNotice {
  conversations: number[];
  messages: string[];
  topics: Topic[];
  /** True when the lists were cut short: refresh everything. */
  partial: boolean;
  /**
   * Only on the live stream, never in a NOTIFY: those of `messages` that belong to threads open on this
   * instance, as GET /api/conversations/{id}/messages shows them, so an open thread shows them at once
   * (lib/realtime/hub.ts). Its refetch follows all the same.
   */
  threadMessages?: ApiMessage[];
}

export interface Changes {
  conversationIds: number[];
  /** As the API names them (lib/inbox/message-id.ts). */
  messageIds: string[];
  topics?: Topic[];
}

export function encodeChange(changes: Changes): string {
  const notice: ChangeNotice = {
    conversations: changes.conversationIds,
    messages: changes.messageIds,
    topics: changes.topics ?? [],
    partial: false,
  };
  let payload = JSON.stringify(notice);
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD) return payload;
  notice.partial = true;
  notice.messages = [];
  payload = JSON.stringify(notice);
  while (Buffer.byteLength(payload) > MAX_PAYLOAD && notice.conversations.length > 0) {
    notice.conversations = notice.conversations.slice(0, Math.floor(notice.conversations.length / 2));
    payload = JSON.stringify(notice);
  }
  return payload;
}

/** NOTIFYs the change inside `tx`: delivered when it commits, to every listening instance. */
export async function notifyChanges(tx: Executor, changes: Changes): Promise<void> {
  if (changes.conversationIds.length === 0 && changes.messageIds.length === 0 && !changes.topics?.length) return;
  await notify(tx, CHANGES_CHANNEL, encodeChange(changes));
}

/**
 * Access that ended, so that open event streams of it close at once on every instance: API keys revoked,
 * and users whose sessions were ended (deactivated, signed out by a new password). Sent on the same channel
 * as `{"access":{...}}` and never forwarded to browsers. An instance without this reads it as an empty change.
 */
export interface AccessNotice {
  apiKeys: number[];
  /** Their streams re-check the session: an admin changing their own password keeps theirs. */
  users: string[];
}

/** NOTIFYs that access ended, inside `tx` when given one (delivered once the change commits). */
export async function notifyAccessEnded(tx: Executor, access: Partial<AccessNotice>): Promise<void> {
  const notice: AccessNotice = { apiKeys: access.apiKeys ?? [], users: access.users ?? [] };
  if (notice.apiKeys.length === 0 && notice.users.length === 0) return;
  await notify(tx, CHANGES_CHANNEL, JSON.stringify({ access: notice }));
}

export type Notice = { kind: 'change'; change: ChangeNotice } | { kind: 'access'; access: AccessNotice };

export function decodeNotice(payload: string): Notice | null {
  try {
    const v = JSON.parse(payload) as Partial<ChangeNotice> & { access?: Partial<AccessNotice> };
    if (v.access) {
      const apiKeys = Array.isArray(v.access.apiKeys) ? v.access.apiKeys.filter((id) => Number.isSafeInteger(id)) : [];
      const users = Array.isArray(v.access.users) ? v.access.users.filter((id) => typeof id === 'string') : [];
      return { kind: 'access', access: { apiKeys, users } };
    }
    const topics = (v.topics ?? []).filter((t): t is Topic => (TOPICS as readonly string[]).includes(t));
    return { kind: 'change', change: { conversations: v.conversations ?? [], messages: v.messages ?? [], topics, partial: !!v.partial } };
  } catch {
    return null;
  }
}

/** The change in a payload; null for anything else (unreadable, or an access notice). */
export function decodeChange(payload: string): ChangeNotice | null {
  const notice = decodeNotice(payload);
  return notice?.kind === 'change' ? notice.change : null;
}
