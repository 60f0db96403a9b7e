import { sql } from 'drizzle-orm';
import { jsonb, type Executor } from '../client';

export interface MediaDownloadJob {
  messageId: number;
  mediaId: string;
  kind: string;
  mimeType: string | null;
  filename: string | null;
}

/** Queues downloads (lib/media/downloader.ts), in the transaction that adds their messages, so none is ever missed. */
export async function enqueueMediaDownloads(tx: Executor, jobs: MediaDownloadJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const rows = jobs
    .map((j) => ({ message_id: j.messageId, media_id: j.mediaId, kind: j.kind, mime_type: j.mimeType, filename: j.filename }))
    .sort((a, b) => a.message_id - b.message_id);
  await tx.execute(sql`
    insert into media_items (message_id, media_id, kind, mime_type, filename)
    select message_id, media_id, kind, mime_type, filename
    from jsonb_to_recordset(${jsonb(rows)}) as x(message_id bigint, media_id text, kind text, mime_type text, filename text)
    on conflict (message_id) do nothing`);
}
