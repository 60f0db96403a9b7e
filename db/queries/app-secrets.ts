import { eq } from 'drizzle-orm';
import type { Executor } from '../client';
import { appSecrets } from '../schema';

/**
 * Stores `value` as the secret `name` unless one is stored already, and returns the stored one: every
 * instance racing at first start ends up with the same secret.
 */
export async function keepFirstSecret(db: Executor, name: string, value: string): Promise<string | null> {
  await db.insert(appSecrets).values({ name, value }).onConflictDoNothing();
  const [row] = await db.select({ value: appSecrets.value }).from(appSecrets).where(eq(appSecrets.name, name));
  return row?.value ?? null;
}
