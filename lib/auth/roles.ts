// Who may do what. Agents work the inbox; admins also manage people, API keys and (later) retries.

export const ROLES = ['agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** A stored role as one of ours; anything else (better-auth's own default, a hand edit) counts as agent. */
export const roleOf = (value: unknown): Role => (isRole(value) ? value : 'agent');

export const ROLE_LABELS: Record<Role, string> = { agent: 'Agent', admin: 'Admin' };
