import { requireAdmin } from '@/lib/auth/session';
import { ApiKeysAdmin } from './api-keys-admin';

export const metadata = { title: 'API keys · Ticks' };

export default async function ApiKeysPage() {
  await requireAdmin();
  return <ApiKeysAdmin />;
}
