import { requireAdmin } from '@/lib/auth/session';
import { AuditLog } from './audit-log';

export const metadata = { title: 'Audit · Ticks' };

export default async function AuditPage() {
  await requireAdmin();
  return <AuditLog />;
}
