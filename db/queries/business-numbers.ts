import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { businessNumbers, conversations } from '../schema';

/**
 * Our business numbers with how many conversations each holds (the inbox's number filter), by display
 * number. Counted per number along conversations_number_activity_idx (an index-only scan), not by
 * joining and grouping every conversation.
 */
export function listBusinessNumbers(db: Executor) {
  return db
    .select({
      phoneNumberId: businessNumbers.phoneNumberId,
      displayPhoneNumber: businessNumbers.displayPhoneNumber,
      conversationCount: db.$count(conversations, eq(conversations.phoneNumberId, businessNumbers.phoneNumberId)),
    })
    .from(businessNumbers)
    .orderBy(sql`${businessNumbers.displayPhoneNumber} nulls last`, asc(businessNumbers.phoneNumberId));
}
export type BusinessNumberListRow = Awaited<ReturnType<typeof listBusinessNumbers>>[number];
