import { z } from 'zod';

// Query parameters the API routes share, checked before they reach SQL: a bad one is a 400 naming it.

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** `limit`: 1..MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when absent. */
export const limitSchema = z
  .string()
  .regex(/^\d+$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  .transform(Number)
  .pipe(z.number().int().min(1, `must be an integer from 1 to ${MAX_PAGE_SIZE}`).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `Page size: 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` });

/** The request's query string as an object, for a zod schema. */
export const queryOf = (req: Request) => Object.fromEntries(new URL(req.url).searchParams);

/** PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database. */
export const hasNul = (s: string) => s.includes('\0');

/** Free text (a search, an id): trimmed, at most `max` characters, no NUL; empty → undefined. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasNul(s), 'must not contain NUL characters')
    .optional()
    .transform((s) => s || undefined);
