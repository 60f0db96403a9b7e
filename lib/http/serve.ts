import 'server-only';
import { getApp } from '@/lib/app';
import { errorResponse, toApiError } from './errors';
import type { ApiRoute } from './route';
import { withTransportSecurity } from './transport-security';

/**
 * A declared route as a Next route handler: the running app supplies its deps (a failed start is a
 * 503 when the database is unreachable, like any other database failure).
 */
export function serve<D>(route: ApiRoute<D>) {
  return async (req: Request, context: { params: Promise<Record<string, string>> }): Promise<Response> => {
    let deps: D;
    try {
      deps = route.spec.deps(await getApp());
    } catch (err) {
      return withTransportSecurity(errorResponse(toApiError(err, req)));
    }
    return withTransportSecurity(await route(req, deps, await context.params));
  };
}
