import { requireAdmin } from '@/lib/auth/session';
import { LabelsAdmin } from './labels-admin';

export const metadata = { title: 'Labels · Ticks' };

export default async function LabelsPage() {
  await requireAdmin();
  return <LabelsAdmin />;
}
