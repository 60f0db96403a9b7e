import type { Db } from '@/db/client';
import type { HealthReport } from '@/lib/contracts/observability';
import { getProcessingBacklog } from '@/db/queries/webhook-events';
import { describeError, type Logger } from '@/lib/log';
import { withinDeadline } from './database-deadline';

// GET /api/health, for load balancers and uptime checks: 200 when the database answers and processing
// keeps up, 503 otherwise. No session (a load balancer has none), so it says nothing private: counts only.

export type { HealthReport };

export async function checkHealth(db: Db, options: { maxLagSeconds: number; log: Logger }): Promise<Response> {
  const started = performance.now();
  let report: HealthReport;
  try {
    const backlog = await withinDeadline(getProcessingBacklog(db));
    const latencyMs = +(performance.now() - started).toFixed(1);
    report = {
      status: backlog.lagSeconds > options.maxLagSeconds ? 'lagging' : 'ok',
      database: { reachable: true, latencyMs },
      processing: { ...backlog, lagSeconds: +backlog.lagSeconds.toFixed(3), maxLagSeconds: options.maxLagSeconds },
      checkedAt: new Date().toISOString(),
    };
  } catch (err) {
    report = {
      status: 'down',
      database: { reachable: false, latencyMs: null, error: 'database unreachable' },
      processing: null,
      checkedAt: new Date().toISOString(),
    };
    options.log.warn({ err: describeError(err) }, 'health check: database unreachable');
  }
  if (report.status === 'lagging') options.log.warn({ lagSeconds: report.processing?.lagSeconds }, 'health check: processing is behind');
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
