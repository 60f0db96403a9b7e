import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { businessNumbers, contacts, conversations } from '../schema';

// What an export of one customer or one conversation reads besides messages and notes (lib/privacy/export.ts).

export async function getContactRecord(db: Executor, contactId: number) {
  const [row] = await db
    .select({
      id: contacts.id,
      waId: contacts.waId,
      userId: contacts.userId,
      name: contacts.name,
      username: contacts.username,
      createdAt: contacts.createdAt,
    })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  return row ?? null;
}
export type ContactRecord = NonNullable<Awaited<ReturnType<typeof getContactRecord>>>;

/** A contact's conversations (or the one of `conversationId`), oldest first. */
export async function listConversationRecords(db: Executor, of: { contactId: number } | { conversationId: number }) {
  return db
    .select({
      id: conversations.id,
      contactId: conversations.contactId,
      phoneNumberId: conversations.phoneNumberId,
      displayPhoneNumber: businessNumbers.displayPhoneNumber,
      status: conversations.status,
      createdAt: conversations.createdAt,
      lastMessageAt: conversations.lastMessageAt,
    })
    .from(conversations)
    .leftJoin(businessNumbers, eq(businessNumbers.phoneNumberId, conversations.phoneNumberId))
    .where('contactId' in of ? eq(conversations.contactId, of.contactId) : eq(conversations.id, of.conversationId))
    .orderBy(asc(conversations.id));
}
export type ConversationRecord = Awaited<ReturnType<typeof listConversationRecords>>[number];
