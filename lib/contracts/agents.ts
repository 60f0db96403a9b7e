import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';

// GET /api/agents: the team as every agent sees it (whom to assign, whom to @mention, who is online).
// Client-safe.

/** A browser with the inbox open in the last minute counts as online (its tab beats every 20 s). */
export const ONLINE_WITHIN_SECONDS = 60;

export const availabilitySchema = z.enum(['available', 'away']);
export type Availability = z.infer<typeof availabilitySchema>;

export const apiAgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  availability: availabilitySchema.meta({
    description: 'Whether auto-assignment may give them conversations while online (admins are away unless they say so).',
  }),
  online: z.boolean().meta({ description: `A browser of theirs had the inbox open in the last ${ONLINE_WITHIN_SECONDS} s.` }),
});
export type ApiAgent = z.infer<typeof apiAgentSchema>;

export const getAgentsResponseSchema = z.object({ agents: z.array(apiAgentSchema) });
export type GetAgentsResponse = z.infer<typeof getAgentsResponseSchema>;
