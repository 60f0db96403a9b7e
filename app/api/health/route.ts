import { getApp } from '@/lib/app';
import { log } from '@/lib/log';
import { checkHealth } from '@/lib/observability/health';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET() {
  const app = await getApp();
  return checkHealth(app.database.db, { maxLagSeconds: app.env.HEALTH_MAX_LAG_SECONDS, log });
}
