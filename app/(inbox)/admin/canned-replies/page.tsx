import { CannedRepliesManager } from '@/app/_components/canned-replies-manager';
import { requireAdmin } from '@/lib/auth/session';

export const metadata = { title: 'Canned replies · Ticks' };

export default async function SharedCannedRepliesPage() {
  await requireAdmin();
  return <CannedRepliesManager scope="shared" />;
}
