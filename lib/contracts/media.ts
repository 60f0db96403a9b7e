import { z } from 'zod';

// Media files (app/api/media/**): the bytes of a downloaded file, and an admin's retry of a failed
// download. Client-safe.

export const mediaParamsSchema = z.object({ wamid: z.string().meta({ description: 'The media message’s wamid, URL-encoded.' }) });

export const postMediaRetryResponseSchema = z.object({ state: z.literal('pending') });
export type PostMediaRetryResponse = z.infer<typeof postMediaRetryResponseSchema>;
