import { listNotes } from '@/db/queries/activity';
import { getContactRecord, listConversationRecords } from '@/db/queries/customer-export';
import {
  countMessagesInRange,
  listMessagesInRange,
  listThreadMessages,
  type MessageRecord,
  type RangeKey,
  threadKeyOf,
} from '@/db/queries/messages';
import type { CustomerExport, ExportLine } from '@/lib/contracts/privacy';
import { toApiActivityEntry } from '@/lib/inbox/activity-view';
import { type ReadApiDeps, toApiMessages } from '@/lib/inbox/read-api';
import { describeError, type Logger } from '@/lib/log';

// What Ticks holds of one customer (or of one of their conversations), as one JSON document: the contact,
// each conversation with every message in the read API's shape (status history, media links) and the
// agents' notes. And, for admins, every message of a date range as NDJSON, streamed page by page.

/** Messages read per query: an export walks a thread (or a range) in pages of this many. */
export const EXPORT_PAGE_SIZE = 1000;

/** The export of a contact, or of the one conversation; null when there is none. */
export async function exportCustomer(
  deps: ReadApiDeps,
  of: { contactId: number } | { conversationId: number },
  now = new Date(),
): Promise<CustomerExport | null> {
  const conversations = await listConversationRecords(deps.db, of);
  const contactId = 'contactId' in of ? of.contactId : conversations[0]?.contactId;
  const contact = contactId === undefined ? null : await getContactRecord(deps.db, contactId);
  if (!contact) return null;
  const apiContact = { waId: contact.waId, userId: contact.userId, name: contact.name };
  const notes = await listNotes(
    deps.db,
    conversations.map((c) => c.id),
  );
  const exported: CustomerExport['conversations'] = [];
  for (const c of conversations) {
    const rows = await wholeThread(deps, c.id);
    exported.push({
      id: String(c.id),
      businessPhoneNumberId: c.phoneNumberId,
      displayPhoneNumber: c.displayPhoneNumber,
      status: c.status,
      createdAt: c.createdAt.toISOString(),
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      messages: await toApiMessages(deps, rows, () => ({ phoneNumberId: c.phoneNumberId, contact: apiContact })),
      notes: notes.filter((n) => n.conversationId === c.id).map(toApiActivityEntry),
    });
  }
  return {
    exportedAt: now.toISOString(),
    contact: { ...apiContact, id: String(contact.id), username: contact.username, createdAt: contact.createdAt.toISOString() },
    conversations: exported,
  };
}

/** Every message of a thread, oldest first; edits and revokes too (the thread folds them into their targets). */
async function wholeThread(deps: ReadApiDeps, conversationId: number): Promise<MessageRecord[]> {
  const pages: MessageRecord[][] = [];
  let before: ReturnType<typeof threadKeyOf> | undefined;
  for (;;) {
    const { rows, hasMore } = await listThreadMessages(deps.db, conversationId, { limit: EXPORT_PAGE_SIZE, before, hidden: [] });
    pages.unshift(rows);
    const oldest = rows[0];
    if (!hasMore || !oldest) return pages.flat();
    before = threadKeyOf(oldest);
  }
}

/**
 * Every message with `from <= timestamp < to` as the export begins, as NDJSON: a header line with the
 * total, one line per message in (timestamp, id) order, and an end line with the count written. Each pull
 * reads one page (keyset, never OFFSET), so memory stays flat however long the range, and a slow reader
 * slows the reading.
 */
export function exportRange(
  deps: ReadApiDeps & { log: Logger },
  range: { from: Date; to: Date },
  now = new Date(),
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const lines = (values: ExportLine[]) => encoder.encode(values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  let after: RangeKey | undefined;
  let upToId = 0;
  let written = 0;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!started) {
            started = true;
            // The range as it stands now: a message that arrives while the file streams (its timestamp in
            // the range, as today's are) is not in it, so the end line's count is the header's total.
            const { total, upToId: last } = await countMessagesInRange(deps.db, range);
            upToId = last;
            const header = {
              kind: 'export',
              exportedAt: now.toISOString(),
              from: range.from.toISOString(),
              to: range.to.toISOString(),
              total,
            } as const;
            controller.enqueue(lines([header]));
            return;
          }
          if (done) return;
          const rows = await listMessagesInRange(deps.db, { ...range, upToId, after, limit: EXPORT_PAGE_SIZE });
          const messages = await toApiMessages(deps, rows, (r) => r);
          written += messages.length;
          const last = rows.at(-1);
          if (last) after = { sentAt: last.sortAt, id: last.id };
          const out: ExportLine[] = messages.map((message) => ({ kind: 'message', message }));
          if (rows.length < EXPORT_PAGE_SIZE) {
            done = true;
            out.push({ kind: 'end', count: written });
          }
          if (out.length > 0) controller.enqueue(lines(out));
          if (done) controller.close();
        } catch (err) {
          deps.log.error({ err: describeError(err), written }, 'export stopped');
          controller.error(err);
        }
      },
    },
    // One page at a time: the next is read only once the reader has taken this one.
    { highWaterMark: 1 },
  );
}
