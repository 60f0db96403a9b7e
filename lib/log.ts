import pino from 'pino';

// Structured JSON logs on stdout. Never log secrets or message bodies at info level.
export const log = pino({
  level: 'info', // set from env at start-up (lib/app.ts)
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof log;
