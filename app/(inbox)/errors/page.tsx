import { requireUser } from '@/lib/auth/session';
import { ErrorLog } from './error-log';

export const metadata = { title: 'Errors · Ticks' };

export default async function ErrorsPage() {
  const user = await requireUser();
  return <ErrorLog isAdmin={user.role === 'admin'} />;
}
