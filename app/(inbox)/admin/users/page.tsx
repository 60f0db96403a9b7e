import { requireAdmin } from '@/lib/auth/session';
import { UsersAdmin } from './users-admin';

export const metadata = { title: 'Users · Ticks' };

export default async function UsersPage() {
  const me = await requireAdmin();
  return <UsersAdmin currentUserId={me.userId} />;
}
