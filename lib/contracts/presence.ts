import { z } from 'zod';
import { ONLINE_WITHIN_SECONDS } from './agents';

// Who has a conversation open and who is typing a reply there (issue 13 §6). Every inbox tab beats with
// POST /api/presence; a tab that stops beating drops out by itself. Client-safe.

/** A tab beats this often, so that it stays counted (ONLINE_WITHIN_SECONDS) with two beats to spare. */
export const PRESENCE_BEAT_MS = 20_000;
/** A viewer counts while their tab's last beat is this recent (the same minute that makes them online). */
export const VIEWING_WITHIN_SECONDS = ONLINE_WITHIN_SECONDS;
/** "Typing a reply" lasts this long after the last keystroke beat; a tab beats at most every TYPING_BEAT_MS while typing. */
export const TYPING_WITHIN_SECONDS = 8;
export const TYPING_BEAT_MS = 3_000;

export const postPresenceBodySchema = z.object({
  clientId: z.uuid().meta({ description: "The tab's own random id (a UUID), the same for all its beats." }),
  conversationId: z
    .string()
    .regex(/^\d{1,18}$/)
    .nullable()
    .meta({ description: 'The conversation the tab shows; null elsewhere in the inbox.' }),
  typing: z.boolean().meta({ description: 'Whether the agent is typing a reply there right now.' }),
});
export type PostPresenceBody = z.infer<typeof postPresenceBodySchema>;

export const postPresenceLeaveBodySchema = z.object({ clientId: z.uuid() });
export type PostPresenceLeaveBody = z.infer<typeof postPresenceLeaveBodySchema>;

export const apiViewerSchema = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  typing: z.boolean().meta({ description: `A tab of theirs typed a reply here in the last ${TYPING_WITHIN_SECONDS} s.` }),
});
export type ApiViewer = z.infer<typeof apiViewerSchema>;

export const getConversationPresenceResponseSchema = z.object({
  viewers: z.array(apiViewerSchema).meta({
    description: `Everyone else with the conversation open (a tab beating in the last ${VIEWING_WITHIN_SECONDS} s), one entry per person, by name.`,
  }),
});
export type GetConversationPresenceResponse = z.infer<typeof getConversationPresenceResponseSchema>;
