import { requireAdmin } from '@/lib/auth/session';

/** Admin pages: agents get the 403 page (app/forbidden.tsx). */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requireAdmin();
  return <main className="h-full overflow-y-auto bg-slate-50 px-4 py-6 sm:px-8">{children}</main>;
}
