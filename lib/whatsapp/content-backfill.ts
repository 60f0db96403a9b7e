import type { Executor } from '@/db/client';
import { messagesWithoutContent, setMissingContent } from '@/db/writes/messages';
import { contentOf } from './message-types';

// Migration 0007 gave messages a typed `content` column; rows stored before it get theirs here, from their
// raw item, by the same modules that build it at ingest, so there is one reading of Meta's format, not a
// second one in SQL. Runs at start-up and in `npm run db:migrate`, after the SQL migrations. Idempotent and
// safe beside another instance doing the same (only rows still without content are written).

const BATCH = 1000;

/** Fills in every missing content; returns how many messages got one. */
export async function backfillMessageContent(db: Executor, onProgress?: (done: number) => void): Promise<number> {
  let done = 0;
  let afterId = 0;
  for (;;) {
    const rows = await messagesWithoutContent(db, afterId, BATCH);
    if (rows.length === 0) return done;
    await setMissingContent(
      db,
      rows.map((r) => ({ id: r.id, content: contentOf(r.raw) })),
    );
    done += rows.length;
    afterId = rows.at(-1)!.id;
    onProgress?.(done);
  }
}
