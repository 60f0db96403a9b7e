import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { sessionUser } from '@/lib/auth/access';
import { getApp } from '@/lib/app';
import { safeNextPath } from '@/lib/auth/next-path';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · Ticks' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNextPath((await searchParams).next);
  const { auth } = await getApp();
  if (await sessionUser(auth, await headers())) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">Sign in to Ticks</h1>
        <p className="mt-1 text-sm text-slate-500">Your team&apos;s WhatsApp inbox.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
