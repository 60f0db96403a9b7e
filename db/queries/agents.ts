import { asc, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { users } from '../schema';
import { ONLINE_WITHIN_SECONDS } from '@/lib/contracts/agents';

// The team as the inbox sees it: active people, whether auto-assignment may count on them, and whether
// a browser of theirs has the inbox open (the presence table's heartbeats).

/** Whether a user has a tab whose heartbeat is recent: online. */
export const isOnline = sql<boolean>`exists (
  select 1 from presence p
  where p.user_id = ${users.id} and p.seen_at > now() - make_interval(secs => ${ONLINE_WITHIN_SECONDS}))`;

/** Their availability, with the role's default filled in: agents available, admins away. */
export const effectiveAvailability = sql<'available' | 'away'>`coalesce(${users.availability},
  case when ${users.role} = 'admin' then 'away' else 'available' end)`;

/** Everyone who can sign in, by name. */
export async function listAgents(db: Executor) {
  return db
    .select({ id: users.id, name: users.name, role: users.role, availability: effectiveAvailability, online: isOnline })
    .from(users)
    .where(sql`${users.banned} is not true`)
    .orderBy(asc(sql`lower(${users.name})`), asc(users.id));
}
