import { z } from 'zod';

// GET /api/health (public: counts only) and GET /api/metrics (Prometheus text). Client-safe.

export const healthReportSchema = z.object({
  status: z.enum(['ok', 'lagging', 'down']),
  database: z.object({ reachable: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
  processing: z
    .object({ lagSeconds: z.number(), pending: z.number().int(), failed: z.number().int(), maxLagSeconds: z.number() })
    .nullable(),
  checkedAt: z.string(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;
