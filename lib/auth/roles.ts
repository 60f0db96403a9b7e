// Who may do what. Agents work the inbox; admins also manage people, API keys and (later) retries.

export const ROLES = ['agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = { agent: 'Agent', admin: 'Admin' };
