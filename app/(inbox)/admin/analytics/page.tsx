import { requireAdmin } from '@/lib/auth/session';
import { AnalyticsDashboard } from './analytics-dashboard';

export const metadata = { title: 'Analytics · Ticks' };

export default async function AnalyticsPage() {
  await requireAdmin();
  return <AnalyticsDashboard />;
}
