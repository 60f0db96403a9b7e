import { isMainThread } from 'node:worker_threads';
import pino from 'pino';

// Structured JSON logs on stdout. Never log secrets or message bodies at info level.
//
// One logger per process (per thread), kept on globalThis: Next bundles instrumentation and each route
// separately, so a module-level logger would exist several times, and LOG_LEVEL set on one copy at
// start-up (lib/app.ts) would not reach the others.

const holder = globalThis as typeof globalThis & { __ticksLog?: pino.Logger };

holder.__ticksLog ??= pino(
  {
    level: 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  // Asynchronous in the main thread: a line per webhook must not block the event loop on a write to a
  // slow pipe while other requests wait (the ack's tail). Lines written meanwhile go out together, and pino
  // flushes what is left when the process exits. Worker threads keep writing synchronously (pino can only
  // flush on exit in the main thread).
  pino.destination({ dest: 1, sync: !isMainThread }),
);

export const log: pino.Logger = holder.__ticksLog;

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
