import { hasSqlState } from '@/db/client';
import { ZodError } from 'zod';
import { recognisedAcrossBundles } from '@/lib/bundle-identity';
import { describeError, log } from '@/lib/log';

// The one error type of the HTTP API and its one mapping to responses. Every API error body is
// `{ error: { code, message } }`; internals (SQL, stack traces, driver messages) never reach it.

export type ApiErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  /** Sending: the 24-hour customer service window is closed (only templates go out). */
  | 'window_closed'
  /** Sending: no WHATSAPP_ACCESS_TOKEN. */
  | 'sending_disabled'
  | 'invalid_request'
  | 'not_found'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
// Thrown by the app's long-lived parts too (their copy of this module): see lib/bundle-identity.ts.
recognisedAcrossBundles(ApiError, 'ApiError');

export const badRequest = (message: string) => new ApiError(400, 'invalid_request', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** Below this, a JSON answer goes out uncompressed (the threshold Next's gzip applies to bodies of known length). */
const COMPRESS_FROM_BYTES = 1024;

/** A JSON response that no cache keeps: inbox data is private and changes all the time. */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  const text = JSON.stringify(body);
  // Next gzips a route's answer whatever its size (it drops the length that would tell it not to), and a
  // gzip stream for the few hundred bytes of a typical answer costs more CPU than the bytes it saves:
  // 7% of the server's time under bench:send. no-transform is the one word its gzip heeds.
  headers.set('cache-control', Buffer.byteLength(text) < COMPRESS_FROM_BYTES ? 'no-store, no-transform' : 'no-store');
  headers.set('content-type', 'application/json');
  return new Response(text, { ...init, headers });
}

export function errorResponse(error: ApiError): Response {
  const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
  const headers: HeadersInit = error.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
  return jsonResponse(body, { status: error.status, headers });
}

/**
 * Wraps a plain handler the way defineRoute (route.ts) wraps every route: ApiError → its status, a zod
 * error → 400 naming the parameter, the database unreachable or a statement timed out → 503, anything
 * else → 500 (logged, never described to the caller).
 */
export function withApiErrors<A extends unknown[]>(
  handler: (req: Request, ...rest: A) => Promise<Response>,
): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    try {
      return await handler(req, ...rest);
    } catch (err) {
      return errorResponse(toApiError(err, req));
    }
  };
}

export function toApiError(err: unknown, req?: Request): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) {
    const problems = err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'request'}: ${i.message}`);
    return badRequest(`Invalid ${problems.join('; ')}`);
  }
  const route = req ? `${req.method} ${new URL(req.url).pathname}` : undefined;
  if (isStatementTimeout(err)) {
    log.warn({ err: describeError(err), route }, 'database statement timed out');
    return new ApiError(503, 'unavailable', 'The database took too long to answer. Try again, or narrow your search.');
  }
  if (isDatabaseUnavailable(err)) {
    log.error({ err: describeError(err), route }, 'database unavailable');
    return new ApiError(503, 'unavailable', 'The database is unavailable. Try again shortly.');
  }
  if (hasSqlState(err, UNSTORABLE_TEXT_CODES)) {
    // A value the caller sent holds U+0000 (or another character PostgreSQL's text cannot hold): theirs to fix.
    log.warn({ err: describeError(err), route }, 'request refused: a character the database cannot store');
    return badRequest('The request holds a character that cannot be stored (such as U+0000, the NUL character).');
  }
  log.error({ err: describeError(err), route }, 'unhandled error in API route');
  return new ApiError(500, 'internal', 'Internal server error');
}

/** 22021 character_not_in_repertoire (a NUL in text, malformed UTF-8), 22P05 untranslatable_character. */
const UNSTORABLE_TEXT_CODES = ['22021', '22P05'] as const;

// postgres.js connection failures, Node socket errors, and PostgreSQL's "can't serve you now" states.
const UNAVAILABLE_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** PostgreSQL cancelled the statement (57014 query_canceled): DATABASE_STATEMENT_TIMEOUT_MS ran out. */
export function isStatementTimeout(err: unknown): boolean {
  return hasSqlState(err, '57014');
}

/** True when the error (or what it wraps: drizzle puts the driver's error in `cause`) means "no database right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}
