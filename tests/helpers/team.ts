import { expect } from 'vitest';
import type { Db } from '@/db/client';
import { postUser } from '@/lib/admin/users-api';
import { type Auth, createAuth, ensureFirstAdmin, loadAuthSecret } from '@/lib/auth/auth';
import { type Env, parseEnv } from '@/lib/env';
import { ORIGIN, request, sessionCookie } from './auth';

// A team on a test database: the first admin (made from the environment, as at start-up) and one agent the
// admin adds through the admin API, both signed in through better-auth's real handler.

export interface TeamSpec {
  admin: { email: string; password: string };
  agent: { email: string; password: string; name: string };
  /** INBOX_API_KEY. */
  apiKey: string;
}

export async function signInTeam(
  db: Db,
  team: TeamSpec,
): Promise<{ env: Env; auth: Auth; admin: { cookie: string }; agent: { cookie: string } }> {
  const env = parseEnv({
    WHATSAPP_APP_SECRET: `${team.apiKey}-secret`,
    WHATSAPP_VERIFY_TOKEN: 'v',
    INBOX_API_KEY: team.apiKey,
    ADMIN_EMAIL: team.admin.email,
    ADMIN_PASSWORD: team.admin.password,
    APP_URL: ORIGIN,
  });
  const auth = createAuth(db, env, await loadAuthSecret(db, env));
  await ensureFirstAdmin(auth, db, env);
  const admin = await sessionCookie(auth, team.admin.email, team.admin.password);
  const created = await postUser(
    request('/api/admin/users', admin, { method: 'POST', body: { ...team.agent, role: 'agent' }, origin: ORIGIN }),
    { db, apiKey: team.apiKey, auth },
  );
  expect(created.status).toBe(201);
  const agent = await sessionCookie(auth, team.agent.email, team.agent.password);
  return { env, auth, admin, agent };
}
