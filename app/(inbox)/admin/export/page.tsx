import { requireAdmin } from '@/lib/auth/session';
import { ExportAdmin } from './export-admin';

export const metadata = { title: 'Export · Ticks' };

export default async function ExportPage() {
  await requireAdmin();
  return <ExportAdmin />;
}
