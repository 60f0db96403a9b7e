import type { z } from 'zod';
import type { App } from '@/lib/app';
import { assertSameOrigin, authorizeRequest, type AccessDeps, type Principal } from '@/lib/auth/access';
import { badRequest, errorResponse, forbidden, jsonResponse, toApiError } from './errors';
import { readJsonBody } from './json-body';
import { queryOf } from './query-params';

// The one route layer: a route states who may call it, what it takes and what it answers where it is
// defined; defineRoute does the rest in one order for every route: same-origin check (mutations),
// authorize, read and parse the body, parse the query and path, run the handler, answer JSON, and map
// every error to its response (errors.ts). The table of these declarations (routes.ts) drives the
// access test and the OpenAPI document.

/**
 * Who may call a route:
 * - `public`: anyone (the health check: counts only, nothing private).
 * - `inbox`: anyone signed in (agent or admin) and any live API key.
 * - `admin`: admins' sessions only; API keys never manage the inbox.
 * - `admin-or-key`: admins' sessions and API keys, not agents (metrics: a scraper has a key).
 * - `session`: anyone signed in, not API keys: what is about the person at the keyboard (presence, their notifications).
 */
export type Access = 'public' | 'inbox' | 'admin' | 'admin-or-key' | 'session';

export const ACCESS_RULES: Record<Access, string> = {
  public: 'Anyone, without credentials.',
  inbox: 'Anyone signed in (agent or admin), or an API key.',
  admin: "An admin's session only (API keys get 403).",
  'admin-or-key': "An admin's session or an API key (agents get 403).",
  session: 'Anyone signed in (agent or admin); API keys get 403.',
};

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<D, A extends Access, P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: Method;
  /** OpenAPI style: `/api/messages/{wamid}`. */
  path: string;
  access: A;
  /** One line for the OpenAPI document. */
  summary: string;
  /** What the handler needs from the running app; tests pass their own instead. */
  deps: (app: App) => D;
  /** Path parameters: strings, as Next decodes them. */
  params?: P;
  query?: Q;
  /** A JSON body (Content-Type: application/json, at most 64 KiB). */
  body?: B;
  /** The message of the 400 for a body that fails `body`, instead of one naming each field. */
  invalidBody?: string;
  /** The success answer, for the OpenAPI document; absent for files and streams. */
  response?: Schema;
  /** Its content type when it is not JSON (the document names it). */
  responseType?: string;
  /** The success status of a JSON answer (200 unless said). */
  status?: number;
  /** Refuse a browser's cross-site request (default: every method but GET). */
  sameOrigin?: boolean;
}

export interface RouteInput<D, A extends Access, P, Q, B> {
  req: Request;
  deps: D;
  principal: A extends 'public' ? null : Principal;
  params: P;
  query: Q;
  body: B;
}

/** A declared route: call it with a request, its deps and path parameters for the whole answer. */
export interface ApiRoute<D = unknown> {
  (req: Request, deps: D, params?: Record<string, string>): Promise<Response>;
  readonly spec: RouteSpec<D, Access, Schema | undefined, Schema | undefined, Schema | undefined>;
}

/** Any declared route, whatever its deps (the table's element type). */
// biome-ignore lint/suspicious/noExplicitAny: a route of any deps; each route keeps its own type where declared
export type AnyApiRoute = ApiRoute<any>;

export function defineRoute<
  D extends AccessDeps,
  A extends Access,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(spec: RouteSpec<D, A, P, Q, B>, handler: (input: RouteInput<D, A, Out<P>, Out<Q>, Out<B>>) => Promise<unknown>): ApiRoute<D> {
  const route = async (req: Request, deps: D, params: Record<string, string> = {}): Promise<Response> => {
    try {
      if (spec.sameOrigin ?? spec.method !== 'GET') assertSameOrigin(req);
      const principal = await authorize(req, deps, spec.access);
      const body = spec.body ? parseBody(spec, await readJsonBody(req)) : undefined;
      const query = spec.query ? spec.query.parse(queryOf(req)) : undefined;
      const parsedParams = spec.params ? spec.params.parse(params) : undefined;
      const result = await handler({
        req,
        deps,
        principal: principal as RouteInput<D, A, unknown, unknown, unknown>['principal'],
        params: parsedParams as Out<P>,
        query: query as Out<Q>,
        body: body as Out<B>,
      });
      return result instanceof Response ? result : jsonResponse(result, { status: spec.status ?? 200 });
    } catch (err) {
      return errorResponse(toApiError(err, req));
    }
  };
  return Object.assign(route, { spec: spec as ApiRoute<D>['spec'] });
}

function parseBody(spec: { body?: Schema; invalidBody?: string }, value: unknown): unknown {
  const parsed = spec.body!.safeParse(value);
  if (parsed.success) return parsed.data;
  if (spec.invalidBody) throw badRequest(spec.invalidBody);
  throw parsed.error;
}

/** The caller, or 401/403 as the route's access rule says; null for public routes. */
export async function authorize(req: Request, deps: AccessDeps, access: Access): Promise<Principal | null> {
  switch (access) {
    case 'public':
      return null;
    case 'inbox':
      return authorizeRequest(req, deps);
    case 'admin':
      return authorizeRequest(req, deps, 'admin');
    case 'admin-or-key': {
      const principal = await authorizeRequest(req, deps);
      if (principal.kind === 'user' && principal.role !== 'admin') throw forbidden('Only admins and API keys can do this.');
      return principal;
    }
    case 'session': {
      const principal = await authorizeRequest(req, deps);
      if (principal.kind === 'api-key') throw forbidden('API keys have no presence or notifications: this is for signed-in people.');
      return principal;
    }
  }
}
