import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { defineRoute } from '@/lib/http/route';
import type { Metrics } from './metrics';

/** For a Prometheus scraper with an API key (Bearer), or an admin's browser. */
export const getMetrics = defineRoute(
  {
    method: 'GET',
    path: '/api/metrics',
    access: 'admin-or-key',
    summary: 'Prometheus metrics of this instance (text exposition format).',
    deps: (app: App): AccessDeps & { metrics: Metrics } => ({ ...app.access, metrics: app.metrics }),
    responseType: 'text/plain',
  },
  async ({ deps: { metrics } }) =>
    new Response(await metrics.render(), {
      headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
    }),
);
