import pino from 'pino';

// Structured JSON logs on stdout. Never log secrets or message bodies at info level.
export const log = pino({
  level: 'info', // set from env at start-up (lib/app.ts)
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof log;

/**
 * An error as it may appear in logs: the innermost cause's message (and SQLSTATE or driver code).
 * Drizzle wraps driver errors in "Failed query: <sql> params: ...", and those params can hold
 * message content, which must not reach logs.
 */
export function describeError(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? `${e.message} (${code})` : e.message;
}
