import type { Db } from '@/db/client';
import { recordAudit, type AuditEntry } from '@/db/queries/audit';
import {
  deleteAccountEventsMentioning,
  deleteContactRows,
  discardEventBody,
  emptySettledEventBodies,
  type EraseCounts,
  insertErasedWamids,
  linkedEventIds,
  findContact,
  lockUnsettledEventsMentioning,
  replaceEventBody,
  unreferencedStorageKeys,
  wamidsOfContact,
} from '@/db/queries/erase';
import { liftStatementTimeout } from '@/db/client';
import { describeError, type Logger } from '@/lib/log';
import type { MediaStorage } from '@/lib/media/storage';
import { notifyChanges } from '@/lib/realtime/changes';
import { redactCustomer } from './redact';

// Erasing a customer (an admin's right-to-erasure request): one transaction deletes their contact,
// conversations, messages (queued ones too, so the outbox never sends them), status history, media rows,
// notes and trail, read-receipt and typing counters, and account events naming them; it empties the raw
// bodies their messages and statuses came from (as retention does: the hash stays, so a retry from Meta is
// still a duplicate) and rewrites the bodies still waiting to be processed without their entries (another
// customer in the same body keeps theirs). Their wamids are remembered by hash so a late status is dropped.
// The audit records who erased which contact id and how much, never a name, number or text. The files go
// after commit: a file that cannot be removed is logged, never a reason to keep the customer.

export interface EraseDeps {
  db: Db;
  storage: Pick<MediaStorage, 'remove'>;
  log: Logger;
}

export interface EraseReport extends EraseCounts {
  /** Processed raw bodies emptied. */
  rawBodiesEmptied: number;
  /** Unprocessed (or failed) raw bodies rewritten without the customer, or emptied when unreadable. */
  rawBodiesRedacted: number;
  /** Files removed from media storage (a file other messages still use stays). */
  filesRemoved: number;
  /** Files that could not be removed (logged). */
  fileErrors: number;
}

/** Erases contact `contactId`; null when there is no such contact. */
export async function eraseContact(deps: EraseDeps, actor: AuditEntry['actor'], contactId: number): Promise<EraseReport | null> {
  const erased = await deps.db.transaction(async (tx) => {
    // A customer with years of messages is a long statement: an admin's rare action, not a page load.
    await liftStatementTimeout(tx);
    // Unprocessed events first: the processor may hold one of them and be writing into the customer's
    // conversations; waiting for it before locking those (never the other way round) cannot deadlock.
    const seen = await findContact(tx, contactId);
    if (!seen) return null;
    const unsettled = await lockUnsettledEventsMentioning(tx, identitiesOf(seen));
    const contact = await findContact(tx, contactId, true);
    if (!contact) return null;
    const identities = identitiesOf(contact);
    const wamids = await wamidsOfContact(tx, contactId);
    const eventIds = await linkedEventIds(tx, contactId);
    const deleted = await deleteContactRows(tx, contactId);
    await deleteAccountEventsMentioning(tx, identities);
    await insertErasedWamids(tx, wamids);
    const rawBodiesEmptied = await emptySettledEventBodies(tx, eventIds);
    let rawBodiesRedacted = 0;
    for (const event of unsettled) {
      const redaction = redactCustomer(event.body, identities);
      if (redaction.kind === 'unchanged') continue;
      if (redaction.kind === 'redacted') await replaceEventBody(tx, event.id, redaction.body);
      else await discardEventBody(tx, event.id);
      rawBodiesRedacted++;
    }
    const counts = { ...deleted.counts, rawBodiesEmptied, rawBodiesRedacted };
    await recordAudit(tx, {
      actor,
      action: 'contact.erased',
      target: { kind: 'contact', id: String(contactId), name: null },
      details: counts,
    });
    // Open inboxes drop the conversations (they are gone when refetched).
    await notifyChanges(tx, { conversationIds: deleted.conversationIds, messageIds: [], topics: ['messages'] });
    return { counts, storageKeys: deleted.storageKeys };
  });
  if (!erased) return null;
  const files = await removeFiles(deps, erased.storageKeys);
  deps.log.info({ contactId, ...erased.counts, ...files }, 'customer erased');
  return { ...erased.counts, ...files };
}

const identitiesOf = (c: { waId: string | null; userId: string | null }) => [c.waId, c.userId].filter((id): id is string => !!id);

/** Removes the files no other message or upload uses (content-addressed: the same bytes are stored once). */
async function removeFiles(deps: EraseDeps, keys: string[]): Promise<{ filesRemoved: number; fileErrors: number }> {
  let filesRemoved = 0;
  let fileErrors = 0;
  let orphans: string[];
  try {
    orphans = await unreferencedStorageKeys(deps.db, keys);
  } catch (err) {
    deps.log.error({ err: describeError(err), files: keys.length }, 'erased customer: could not check which media files to remove');
    return { filesRemoved, fileErrors: keys.length };
  }
  for (const key of orphans) {
    try {
      await deps.storage.remove(key);
      filesRemoved++;
    } catch (err) {
      fileErrors++;
      deps.log.error({ err: describeError(err), key }, 'erased customer: media file not removed');
    }
  }
  return { filesRemoved, fileErrors };
}
