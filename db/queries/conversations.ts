import { and, eq, exists, ilike, inArray, isNull, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { alias, union } from 'drizzle-orm/pg-core';
import { cursorTimestamp, queryRows, type Executor } from '../client';
import { businessNumbers, contacts, conversations, messages, users, type ConversationRow } from '../schema';
import { assigneeCondition, type AssigneeFilter } from './assignment';
import { fewCarryLabel, hasLabel, labelsOfConversation } from './labels';

// The inbox list: newest activity first (`last_message_at desc nulls last, id desc`), read with keyset
// pagination along conversations_activity_idx (or conversations_number_activity_idx for one number, and
// conversations_status_activity_idx / conversations_number_status_activity_idx for one status), so any
// page costs the same however deep it is; a label few conversations carry is read from its side instead
// (see hasLabel). A search (q) first picks the page's matches through the trigram indexes or the activity
// index, whichever the term makes cheaper (see searchHits).

export interface ConversationListKey {
  /** cursorTimestamp of last_message_at; null for conversations without a message yet (they come last). */
  lastMessageAt: string | null;
  id: number;
}

export interface ConversationListOptions {
  limit: number;
  /** Only rows after this one in list order. */
  after?: ConversationListKey;
  /**
   * Case-insensitive substring of the contact's name, wa_id or user_id, or of any message text (only once
   * the term has three letters or digits in a row: see searchesMessageText).
   */
  q?: string;
  phoneNumberId?: string;
  /** One status only (a tab of the inbox); absent: every status. */
  status?: ConversationRow['status'];
  /** Only conversations carrying this label. */
  labelId?: number;
  /** Only one user's conversations, or the unassigned ones (the Mine and Unassigned views). */
  assignee?: AssigneeFilter;
  /**
   * Read the label's conversations from its side rather than walk the activity index (see hasLabel);
   * listConversations decides by how many carry it.
   */
  fromLabelSide?: boolean;
}

/**
 * `desc nulls last`, as drizzle-kit writes every `.desc()` index column. A plain `desc` means NULLS FIRST,
 * and PostgreSQL then cannot read the index in order (even for NOT NULL columns): it sorts instead.
 */
export const descNullsLast = (column: AnyColumn) => sql`${column} desc nulls last`;

/** Patterns for LIKE: `%`, `_` and the escape character itself match literally. */
export const likeContains = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const lastMessage = alias(messages, 'last_message');
const assignee = alias(users, 'assignee');

/** The business-number, status and label filters (the search, when there is one, comes on top). */
function listFilter(options: ConversationListOptions): SQL | undefined {
  return and(
    options.phoneNumberId === undefined ? undefined : eq(conversations.phoneNumberId, options.phoneNumberId),
    options.status === undefined ? undefined : eq(conversations.status, options.status),
    options.labelId === undefined ? undefined : hasLabel(options.labelId, options.fromLabelSide === true),
    options.assignee === undefined ? undefined : assigneeCondition(options.assignee),
  );
}

/**
 * Whether a search looks at message text: only with three letters or digits in a row. ILIKE '%q%' is served
 * by the trigram indexes (pg_trgm) only when q has a trigram; without one PostgreSQL reads every message,
 * the largest table by far. Shorter terms ("jo", "5") search contacts only, which are one row per customer.
 */
export function searchesMessageText(q: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(q);
}

/**
 * What `q` matches: the contact (name, wa_id, BSUID), or any message's text (null: not searched). Both are
 * ILIKE '%q%', which the trigram indexes serve.
 */
function searchConditions(q: string): { contact: SQL; message: SQL | null } {
  return { contact: contactMatches(q), message: searchesMessageText(q) ? ilike(messages.text, likeContains(q)) : null };
}

/** A contact whose name, wa_id or BSUID contains `q` (also the error log's recipient search). */
export function contactMatches(q: string): SQL {
  const pattern = likeContains(q);
  const contact: SQL[] = [ilike(contacts.name, pattern), ilike(contacts.waId, pattern), ilike(contacts.userId, pattern)];
  // wa_id is digits only: "+52 1 55-1234" should still find 521551234...
  const digits = q.replace(/[\s()+.-]/g, '');
  if (digits !== q && /^\d+$/.test(digits)) contact.push(ilike(contacts.waId, likeContains(digits)));
  return or(...contact)!;
}

/**
 * The ids of the first `limit` conversations in list order that match `q` within `where`.
 * One OR over contacts and messages leaves PostgreSQL a single plan: walk the list testing every
 * conversation (fast when most match; half a second at 100k conversations when few do). As two ordered,
 * limited halves, each is planned on its own estimate for the term: a common one walks the activity index
 * and stops after `limit` hits, a rare one collects its few matches from the trigram index and sorts them.
 * This relies on each search being planned with its term (drizzle sends unnamed statements: never
 * `.prepare()` this query, or PostgreSQL may settle on one generic plan for every term).
 */
function searchHits(db: Executor, where: SQL | undefined, q: string, limit: number) {
  const match = searchConditions(q);
  const key = { id: conversations.id, lastMessageAt: conversations.lastMessageAt };
  const byContact = db
    .select(key)
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(where, match.contact))
    .orderBy(descNullsLast(conversations.lastMessageAt), descNullsLast(conversations.id))
    .limit(limit);
  if (match.message === null) {
    const hits = byContact.as('hits');
    return db.select({ id: hits.id }).from(hits);
  }
  const byMessage = db
    .select(key)
    .from(conversations)
    .where(
      and(
        where,
        exists(
          db
            .select({ one: sql`1` })
            .from(messages)
            .where(and(eq(messages.conversationId, conversations.id), match.message)),
        ),
      ),
    )
    .orderBy(descNullsLast(conversations.lastMessageAt), descNullsLast(conversations.id))
    .limit(limit);
  const hits = union(byContact, byMessage).as('hits');
  return db.select({ id: hits.id }).from(hits);
}

/**
 * The keyset conditions that together select everything after `after`, each an index range scan.
 * Rows with a time come before rows without one, and a row comparison never matches a NULL:
 * after a timed row we read the rest of the timed rows, then the untimed ones.
 */
function keysetRanges(after: ConversationListKey | undefined): (SQL | undefined)[] {
  if (!after) return [undefined];
  if (after.lastMessageAt === null) return [and(isNull(conversations.lastMessageAt), lt(conversations.id, after.id))];
  return [
    sql`(${conversations.lastMessageAt}, ${conversations.id}) < (${after.lastMessageAt}::timestamptz, ${after.id})`,
    isNull(conversations.lastMessageAt),
  ];
}

/** One stretch of the list: `range` is one of keysetRanges. */
function selectListPage(db: Executor, options: ConversationListOptions, range: SQL | undefined, limit: number) {
  const where = and(listFilter(options), range);
  return (
    db
      .select({
        id: conversations.id,
        contactId: conversations.contactId,
        phoneNumberId: conversations.phoneNumberId,
        displayPhoneNumber: businessNumbers.displayPhoneNumber,
        contact: { waId: contacts.waId, userId: contacts.userId, name: contacts.name },
        lastMessage: {
          id: lastMessage.id,
          wamid: lastMessage.wamid,
          clientId: lastMessage.clientId,
          type: lastMessage.type,
          text: lastMessage.text,
          direction: lastMessage.direction,
          status: lastMessage.status,
          sentAt: lastMessage.sentAt,
        },
        lastMessageAt: conversations.lastMessageAt,
        lastInboundAt: conversations.lastInboundAt,
        unreadCount: conversations.unreadCount,
        status: conversations.status,
        snoozedUntil: conversations.snoozedUntil,
        labels: labelsOfConversation(conversations.id),
        assignee: { id: assignee.id, name: assignee.name },
        sortAt: cursorTimestamp<string | null>(conversations.lastMessageAt),
      })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoin(businessNumbers, eq(businessNumbers.phoneNumberId, conversations.phoneNumberId))
      .leftJoin(lastMessage, eq(lastMessage.id, conversations.lastMessageId))
      .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
      .where(options.q ? inArray(conversations.id, searchHits(db, where, options.q, limit)) : where)
      // Spelled exactly like the indexes, so the planner walks them instead of sorting.
      .orderBy(descNullsLast(conversations.lastMessageAt), descNullsLast(conversations.id))
      .limit(limit)
  );
}

export type ConversationListRow = Awaited<ReturnType<typeof selectListPage>>[number];

/** The query for one stretch of the list (exported for EXPLAIN checks). */
export function conversationListQuery(db: Executor, options: ConversationListOptions, range = 0) {
  return selectListPage(db, options, keysetRanges(options.after)[range], options.limit);
}

/**
 * Up to `limit` conversations in list order after `options.after`, and whether more follow.
 * The key of the last row is what the next page starts after.
 */
export async function listConversations(
  db: Executor,
  options: ConversationListOptions,
): Promise<{ rows: ConversationListRow[]; hasMore: boolean }> {
  if (options.labelId !== undefined && options.fromLabelSide === undefined)
    options = { ...options, fromLabelSide: await fewCarryLabel(db, options.labelId) };
  const rows: ConversationListRow[] = [];
  for (const range of keysetRanges(options.after)) {
    // One row more than asked tells whether another page exists.
    const wanted = options.limit + 1 - rows.length;
    if (wanted <= 0) break;
    rows.push(...(await selectListPage(db, options, range, wanted)));
  }
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export const listKeyOf = (row: ConversationListRow): ConversationListKey => ({ lastMessageAt: row.sortAt, id: row.id });

/** One conversation as the list shows it (GET /api/conversations/{id}), or null when there is none. */
export async function getConversationRow(db: Executor, id: number): Promise<ConversationListRow | null> {
  const [row] = await selectListPage(db, { limit: 1 }, eq(conversations.id, id), 1);
  return row ?? null;
}

/** A conversation's number and customer (the thread header), or null when there is no such conversation. */
export async function getConversationSummary(db: Executor, id: number) {
  const [row] = await db
    .select({
      id: conversations.id,
      phoneNumberId: conversations.phoneNumberId,
      contact: { waId: contacts.waId, userId: contacts.userId, name: contacts.name },
      lastInboundAt: conversations.lastInboundAt,
      /** The number's WhatsApp Business Account (its templates), once a webhook has named it. */
      wabaId: businessNumbers.wabaId,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(businessNumbers, eq(businessNumbers.phoneNumberId, conversations.phoneNumberId))
    .where(eq(conversations.id, id));
  return row ?? null;
}
export type ConversationSummary = NonNullable<Awaited<ReturnType<typeof getConversationSummary>>>;

/**
 * Sets a conversation's unread count to 0 and, only when it had unread messages, sends `notice` (a NOTIFY
 * on its channel, delivered at commit). `found`: the conversation exists; `changed`: it had unread messages.
 * One statement, so the row is locked only inside the database: as a transaction of three statements it
 * stayed locked while this process's event loop came round to the next one, and under load the
 * processor's batches, bumping the same conversation, waited 260–350 ms for it (seen with log_lock_waits).
 */
export async function markConversationRead(
  db: Executor,
  id: number,
  notice: { channel: string; payload: string },
): Promise<{ found: boolean; changed: boolean }> {
  const [row] = await queryRows<{ found: boolean; changed: boolean }>(
    db,
    sql`with marked as (
          update ${conversations} set unread_count = 0 where id = ${id} and unread_count <> 0 returning id
        ), notified as (
          select pg_notify(${notice.channel}, ${notice.payload}) from marked
        )
        select exists (select 1 from ${conversations} where id = ${id}) as found,
          exists (select 1 from marked) as changed,
          -- Named here, or the database would never run it.
          (select count(*) from notified) as notified`,
  );
  return { found: row?.found === true, changed: row?.changed === true };
}
