import { z } from 'zod';
import { badRequest } from './errors';

// Keyset pagination cursors: the last row's sort key as JSON, base64url-encoded. Opaque to callers;
// anything that does not decode to the expected shape is a 400 naming the parameter.

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T>(param: string, value: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(`Invalid ${param}: malformed cursor`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw badRequest(`Invalid ${param}: malformed cursor`);
  return result.data;
}

/** A timestamp in the exact form the queries produce for cursors (microseconds, UTC). */
export const cursorTimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  // A real instant (no February 30th): the database would reject it with a 500 otherwise.
  .refine((s) => {
    const d = new Date(`${s.slice(0, 23)}Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 23) === s.slice(0, 23);
  });

/** A bigint id as a decimal string that a JS number holds exactly. */
export const cursorIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,15}$/)
  .refine((s) => Number.isSafeInteger(Number(s)));

/** A wamid as a cursor's tie-breaker: what the messages table can hold (no NUL, at most 512 characters). */
export const cursorWamidSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => !s.includes('\0'));
