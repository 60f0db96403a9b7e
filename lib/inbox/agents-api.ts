import { listAgents } from '@/db/queries/agents';
import { roleOf } from '@/lib/auth/roles';
import { getAgentsResponseSchema, type GetAgentsResponse } from '@/lib/contracts/agents';
import { defineRoute } from '@/lib/http/route';
import { readApiDeps } from './read-api';

// GET /api/agents: whom a conversation can be assigned to and whom a note can @mention, for every agent
// (the admin list of users, with emails and roles to change, stays admin-only).

export type { ApiAgent, GetAgentsResponse } from '@/lib/contracts/agents';

export const getAgents = defineRoute(
  {
    method: 'GET',
    path: '/api/agents',
    access: 'inbox',
    summary: 'The active agents and admins: name, role, availability for auto-assignment, and whether they are online.',
    deps: readApiDeps,
    response: getAgentsResponseSchema,
  },
  async ({ deps }): Promise<GetAgentsResponse> => ({
    agents: (await listAgents(deps.db)).map((a) => ({
      id: a.id,
      name: a.name,
      role: roleOf(a.role),
      availability: a.availability === 'away' ? 'away' : 'available',
      online: a.online === true,
    })),
  }),
);
