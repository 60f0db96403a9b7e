import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { healthReportSchema } from '@/lib/contracts/observability';
import { defineRoute } from '@/lib/http/route';
import { log, type Logger } from '@/lib/log';
import { checkHealth } from './health';

/** For load balancers and uptime checks: no credentials, and nothing private in the answer. */
export const getHealth = defineRoute(
  {
    method: 'GET',
    path: '/api/health',
    access: 'public',
    summary: 'Whether the database answers and processing keeps up (200), or not (503).',
    deps: (app: App): AccessDeps & { maxLagSeconds: number; log: Logger } => ({
      ...app.access,
      maxLagSeconds: app.env.HEALTH_MAX_LAG_SECONDS,
      log,
    }),
    response: healthReportSchema,
  },
  ({ deps }) => checkHealth(deps.db, { maxLagSeconds: deps.maxLagSeconds, log: deps.log }),
);
