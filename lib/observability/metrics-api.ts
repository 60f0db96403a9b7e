import { authorizeRequest, type AccessDeps } from '@/lib/auth/access';
import { forbidden } from '@/lib/http/errors';
import type { Metrics } from './metrics';

/** GET /api/metrics: for a Prometheus scraper with an API key (Bearer), or an admin's browser. */
export async function getMetrics(req: Request, deps: AccessDeps, metrics: Metrics): Promise<Response> {
  const principal = await authorizeRequest(req, deps, 'inbox');
  if (principal.kind === 'user' && principal.role !== 'admin') throw forbidden('Metrics are for admins and API keys.');
  return new Response(await metrics.render(), {
    headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
  });
}
