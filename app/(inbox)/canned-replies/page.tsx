import { CannedRepliesManager } from '@/app/_components/canned-replies-manager';
import { requireUser } from '@/lib/auth/session';

export const metadata = { title: 'My canned replies · Ticks' };

/** One's own canned replies (the shared ones are listed below them, managed by admins on /admin/canned-replies). */
export default async function MyCannedRepliesPage() {
  await requireUser();
  return (
    <main className="h-full overflow-y-auto bg-slate-50 px-4 py-6 sm:px-8">
      <CannedRepliesManager scope="personal" />
    </main>
  );
}
