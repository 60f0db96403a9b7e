import { eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { uploads, type UploadRow } from '../schema';

// Files agents attach before sending (POST /api/uploads): the bytes are in media storage, this is the
// record a message refers to.

export async function insertUpload(db: Executor, upload: Omit<UploadRow, 'createdAt'>): Promise<void> {
  await db.insert(uploads).values(upload);
}

export async function getUpload(db: Executor, id: string): Promise<UploadRow | null> {
  const [row] = await db.select().from(uploads).where(eq(uploads.id, id));
  return row ?? null;
}
