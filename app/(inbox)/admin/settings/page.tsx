import { requireAdmin } from '@/lib/auth/session';
import { SettingsAdmin } from './settings-admin';

export const metadata = { title: 'Settings · Ticks' };

export default async function SettingsPage() {
  await requireAdmin();
  return <SettingsAdmin />;
}
