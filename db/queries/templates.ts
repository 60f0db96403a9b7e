import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { messageTemplates, type MessageTemplateRow } from '../schema';

// Message templates as synced from Meta (lib/templates/), and the bookkeeping of each account's sync.

/**
 * The stored template a send names: by account, name and language (Meta keeps one template per name and
 * language in an account; its id differs per language). Null when the sync has not seen it.
 */
export async function findTemplate(
  db: Executor,
  { wabaId, name, language }: { wabaId: string; name: string; language: string },
): Promise<MessageTemplateRow | null> {
  const [row] = await db
    .select()
    .from(messageTemplates)
    .where(and(eq(messageTemplates.wabaId, wabaId), eq(messageTemplates.name, name), eq(messageTemplates.language, language)))
    // Meta could delete and recreate a template under a new id between two syncs: the newest copy wins.
    .orderBy(desc(messageTemplates.syncedAt))
    .limit(1);
  return row ?? null;
}
