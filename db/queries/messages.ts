import { and, asc, eq, inArray, notInArray, or, type Placeholder, sql } from 'drizzle-orm';
import { prebuilt, prebuiltByShape, queryRows, statusRank, type Executor } from '../client';
import { contacts, conversations, messages, statusEvents } from '../schema';
import { cursorTimestamp } from '../client';
import { descNullsLast } from './conversations';

// Messages as the read API shows them. Threads are ordered by Meta's timestamp (sent_at, then our id),
// never by arrival, and read newest-first along messages_thread_idx with keyset pagination.

const messageColumns = {
  id: messages.id,
  wamid: messages.wamid,
  conversationId: messages.conversationId,
  direction: messages.direction,
  type: messages.type,
  subtype: messages.subtype,
  text: messages.text,
  sentAt: messages.sentAt,
  replyToWamid: messages.replyToWamid,
  forwarded: messages.forwarded,
  frequentlyForwarded: messages.frequentlyForwarded,
  media: messages.media,
  targetWamid: messages.targetWamid,
  status: messages.status,
  errors: messages.errors,
  placeholder: messages.placeholder,
  history: messages.history,
  editedAt: messages.editedAt,
  deletedAt: messages.deletedAt,
  content: messages.content,
  clientId: messages.clientId,
  sentByUserId: messages.sentByUserId,
  sentByApiKeyId: messages.sentByApiKeyId,
  sentByName: messages.sentByName,
};

/** Leaves out messages of the `hidden` types (none when it is empty). */
const notOfTypes = (hidden: readonly string[]) => (hidden.length > 0 ? notInArray(messages.type, [...hidden]) : undefined);

type Value<T> = T | Placeholder;

/** `hidden`: types that change other messages rather than being messages (edits, revokes): threads leave them out. */
function selectThreadPage(
  db: Executor,
  conversationId: Value<number>,
  before: { sentAt: Value<string>; id: Value<number> } | undefined,
  limit: Value<number>,
  hidden: readonly string[],
) {
  return (
    db
      .select({ ...messageColumns, sortAt: cursorTimestamp<string>(messages.sentAt) })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          before && sql`(${messages.sentAt}, ${messages.id}) < (${before.sentAt}::timestamptz, ${before.id})`,
          notOfTypes(hidden),
        ),
      )
      // Spelled exactly like messages_thread_idx (see descNullsLast), so the planner walks it instead of sorting.
      .orderBy(descNullsLast(messages.sentAt), descNullsLast(messages.id))
      .limit(limit)
  );
}

export type MessageRecord = Awaited<ReturnType<typeof selectThreadPage>>[number];

/** A thread page's query, built once for each shape: the first page or a later one, which types hidden. */
const threadPage = prebuiltByShape(
  ({ later, hidden }: { later: boolean; hidden: readonly string[] }) => `${later}:${hidden.join(',')}`,
  ({ later, hidden }) =>
    (db: Executor) => {
      const before = later ? { sentAt: sql.placeholder('beforeSentAt'), id: sql.placeholder('beforeId') } : undefined;
      return selectThreadPage(db, sql.placeholder('conversationId'), before, sql.placeholder('limit'), [...hidden]);
    },
);

/** Which message: by our id or by Meta's wamid. */
export type MessageRef = { id: number } | { wamid: string };

/** A message's columns with its conversation's number and customer. */
const messageInConversationColumns = {
  ...messageColumns,
  phoneNumberId: conversations.phoneNumberId,
  contact: { waId: contacts.waId, userId: contacts.userId, name: contacts.name },
};

/** A message with its conversation's number and customer, by `key` (built once: see prebuilt). */
const messageBy = (key: typeof messages.id | typeof messages.wamid | typeof messages.clientId) =>
  prebuilt((db: Executor) =>
    db
      // Only here: the list endpoints leave Meta's raw item out.
      .select({ ...messageInConversationColumns, raw: messages.raw })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(key, sql.placeholder('key'))),
  );
const messageById = messageBy(messages.id);
const messageByWamid = messageBy(messages.wamid);
const messageByClientId = messageBy(messages.clientId);

/** A message with its conversation's number and customer, or null when there is no such message. */
export async function findMessage(db: Executor, ref: MessageRef) {
  const [row] = 'id' in ref ? await messageById(db, { key: ref.id }) : await messageByWamid(db, { key: ref.wamid });
  return row ?? null;
}

/** The message written here with `clientId` (lib/outbox), as findMessage finds it, or null. */
export async function findMessageByClientId(db: Executor, clientId: string) {
  const [row] = await messageByClientId(db, { key: clientId });
  return row ?? null;
}

/**
 * The messages of these conversations among `refs` (the first `limit`, in thread order), each with its
 * conversation's number and customer, leaving out `hidden` types as threads do (what the live stream sends
 * along with a change notice).
 */
export async function findThreadMessages(
  db: Executor,
  refs: MessageRef[],
  options: { conversationIds: number[]; hidden: readonly string[]; limit: number },
) {
  const ids = refs.flatMap((ref) => ('id' in ref ? [ref.id] : []));
  const wamids = refs.flatMap((ref) => ('wamid' in ref ? [ref.wamid] : []));
  if ((ids.length === 0 && wamids.length === 0) || options.conversationIds.length === 0) return [];
  return db
    .select(messageInConversationColumns)
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      and(
        or(ids.length > 0 ? inArray(messages.id, ids) : undefined, wamids.length > 0 ? inArray(messages.wamid, wamids) : undefined),
        inArray(messages.conversationId, options.conversationIds),
        notOfTypes(options.hidden),
      ),
    )
    .orderBy(asc(messages.sentAt), asc(messages.id))
    .limit(options.limit);
}

export interface ThreadKey {
  /** cursorTimestamp of sent_at. */
  sentAt: string;
  id: number;
}

/** The query for one thread page (exported for EXPLAIN checks). */
export const threadPageQuery = selectThreadPage;

/**
 * The newest `limit` messages of a conversation older than `before`, oldest first, and whether
 * older ones remain (then the first row's key is where the next page starts).
 */
export async function listThreadMessages(
  db: Executor,
  conversationId: number,
  options: { limit: number; before?: ThreadKey; hidden: readonly string[] },
): Promise<{ rows: MessageRecord[]; hasMore: boolean }> {
  const { before } = options;
  const newestFirst = await threadPage({ later: before !== undefined, hidden: options.hidden })(db, {
    conversationId,
    limit: options.limit + 1,
    ...(before && { beforeSentAt: before.sentAt, beforeId: before.id }),
  });
  const hasMore = newestFirst.length > options.limit;
  return { rows: newestFirst.slice(0, options.limit).reverse(), hasMore };
}

export const threadKeyOf = (row: MessageRecord): ThreadKey => ({ sentAt: row.sortAt, id: row.id });

export interface StatusHistoryEntry {
  status: string;
  occurredAt: Date;
}

/**
 * Every status Meta reported for these messages, in one query. Statuses reported with the same
 * timestamp (common: Meta's clock has one-second resolution) are put in delivery order (DELIVERY_ORDER in
 * lib/whatsapp/status.ts), statuses that do not move a message after them.
 */
export async function getStatusHistories(
  db: Executor,
  wamids: string[],
  deliveryOrder: readonly string[],
): Promise<Map<string, StatusHistoryEntry[]>> {
  const histories = new Map<string, StatusHistoryEntry[]>(wamids.map((w) => [w, []]));
  if (wamids.length === 0) return histories;
  const rows = await statusHistoriesQuery(deliveryOrder)(db, { wamids: JSON.stringify([...new Set(wamids)]) });
  for (const r of rows) histories.get(r.wamid)?.push({ status: r.status, occurredAt: r.occurredAt });
  return histories;
}

/**
 * Built once (prebuilt), and one text whatever the number of wamids (they come as one JSON array): a list
 * of parameters would make a prepared statement of each length on every connection.
 */
const statusHistoriesQuery = prebuiltByShape(
  (deliveryOrder: readonly string[]) => deliveryOrder.join(','),
  (deliveryOrder) => (db: Executor) =>
    db
      .select({ wamid: statusEvents.wamid, status: statusEvents.status, occurredAt: statusEvents.occurredAt })
      .from(statusEvents)
      .where(sql`${statusEvents.wamid} = any(array(select jsonb_array_elements_text(${sql.placeholder('wamids')}::jsonb)))`)
      .orderBy(
        asc(statusEvents.wamid),
        asc(statusEvents.occurredAt),
        sql`coalesce(${statusRank(statusEvents.status, deliveryOrder)}, ${deliveryOrder.length + 1})`,
        asc(statusEvents.id),
      ),
);

/** Where a walk of a date range stopped: cursorTimestamp of sent_at, and the id. */
export interface RangeKey {
  sentAt: string;
  id: number;
}

/**
 * Messages of every conversation with `from <= sent_at < to` (Meta's timestamps) and an id up to `upToId`,
 * in (sent_at, id) order, `limit` after `after`, each with its conversation's number and customer: one page
 * of the admin's export, read along messages_sent_at_idx.
 */
export async function listMessagesInRange(db: Executor, range: { from: Date; to: Date; upToId: number; after?: RangeKey; limit: number }) {
  const { after } = range;
  return db
    .select({ ...messageInConversationColumns, sortAt: cursorTimestamp<string>(messages.sentAt) })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      and(
        sql`${messages.sentAt} >= ${range.from.toISOString()}::timestamptz and ${messages.sentAt} < ${range.to.toISOString()}::timestamptz`,
        sql`${messages.id} <= ${range.upToId}`,
        after && sql`(${messages.sentAt}, ${messages.id}) > (${after.sentAt}::timestamptz, ${after.id})`,
      ),
    )
    .orderBy(asc(messages.sentAt), asc(messages.id))
    .limit(range.limit);
}

/**
 * The messages in a date range now: how many (the export's progress), and the highest id among them. Read
 * in one statement, so both come from one snapshot: walked with that id as `upToId`, the range gives
 * these messages, whatever arrives meanwhile (ids only grow; only a write committing in the very moment of
 * this statement, with a lower id, could still slip in).
 */
export async function countMessagesInRange(db: Executor, range: { from: Date; to: Date }): Promise<{ total: number; upToId: number }> {
  const [row] = await queryRows<{ n: string | number; last: string | number | null }>(
    db,
    sql`select count(*) as n, max(id) as last from messages
        where sent_at >= ${range.from.toISOString()}::timestamptz and sent_at < ${range.to.toISOString()}::timestamptz`,
  );
  return { total: Number(row?.n ?? 0), upToId: Number(row?.last ?? 0) };
}
