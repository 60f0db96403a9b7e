import { z } from 'zod';

// Media files (app/api/media/**): the bytes of a downloaded file, and an admin's retry of a failed
// download. Client-safe.

/** Why a media download failed for good (or why it is being retried): the read API's failureReason. */
export const MEDIA_FAILURE_REASONS = [
  'expired',
  'unauthorized',
  'checksum_mismatch',
  'too_large',
  'timeout',
  'unavailable',
  /** The file's URL (or a redirect) named a host the token may not go to. */
  'untrusted_host',
] as const;
export type MediaFailureReason = (typeof MEDIA_FAILURE_REASONS)[number];

export const mediaParamsSchema = z.object({ id: z.string().meta({ description: 'The media message’s id or wamid, URL-encoded.' }) });

export const postMediaRetryResponseSchema = z.object({ state: z.literal('pending') });
export type PostMediaRetryResponse = z.infer<typeof postMediaRetryResponseSchema>;
