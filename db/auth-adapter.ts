import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Db } from './client';
import { accounts, rateLimits, sessions, users, verifications } from './schema';

/** better-auth's storage (lib/auth/auth.ts): its tables in schema.ts, read and written through drizzle. */
export function authAdapter(db: Db) {
  return drizzleAdapter(db, {
    provider: 'pg',
    schema: { user: users, session: sessions, account: accounts, verification: verifications, rateLimit: rateLimits },
  });
}
