'use client';
import { CheckCheck } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { markSigningOut } from '@/app/_components/fetch-json';
import { NotificationsMenu } from '@/app/_components/notifications-menu';
import { authClient } from '@/lib/auth/client';
import { ROLE_LABELS, type Role } from '@/lib/auth/roles';
import { AvailabilityToggle } from './availability-toggle';

interface HeaderUser {
  name: string;
  email: string;
  role: Role;
}

export function AppHeader({ user }: { user: HeaderUser }) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  const links = [
    { href: '/', label: 'Inbox', active: pathname === '/' || pathname.startsWith('/conversations') },
    { href: '/errors', label: 'Errors', active: pathname.startsWith('/errors') },
    { href: '/canned-replies', label: 'Replies', active: pathname.startsWith('/canned-replies') },
    ...(user.role === 'admin'
      ? [
          { href: '/admin/analytics', label: 'Analytics', active: pathname.startsWith('/admin/analytics') },
          { href: '/admin/labels', label: 'Labels', active: pathname.startsWith('/admin/labels') },
          { href: '/admin/canned-replies', label: 'Shared replies', active: pathname.startsWith('/admin/canned-replies') },
          { href: '/admin/users', label: 'Users', active: pathname.startsWith('/admin/users') },
          { href: '/admin/api-keys', label: 'API keys', active: pathname.startsWith('/admin/api-keys') },
          { href: '/admin/settings', label: 'Settings', active: pathname.startsWith('/admin/settings') },
          { href: '/admin/audit', label: 'Audit', active: pathname.startsWith('/admin/audit') },
          { href: '/admin/export', label: 'Export', active: pathname.startsWith('/admin/export') },
        ]
      : []),
  ];

  async function signOut() {
    setSigningOut(true);
    markSigningOut();
    await authClient.signOut().catch(() => {});
    window.location.assign('/login');
  }

  return (
    <header className="flex h-12 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-2 sm:gap-4 sm:px-4">
      <Link href="/" className="flex items-center gap-2 font-semibold text-emerald-700">
        <CheckCheck className="size-5" aria-hidden="true" /> <span className="hidden sm:inline">Ticks</span>
      </Link>
      {/* The links scroll sideways when an admin's dozen do not fit: the name and Sign out never wrap or go. */}
      <nav aria-label="Main" className="flex min-w-0 gap-1 overflow-x-auto text-sm whitespace-nowrap [scrollbar-width:thin]">
        {links.map((link) => (
          <Link
            key={link.href}
            href={link.href}
            aria-current={link.active ? 'page' : undefined}
            className={`rounded px-2 py-1.5 sm:px-3 ${link.active ? 'bg-emerald-50 font-medium text-emerald-800' : 'text-slate-600 hover:bg-slate-100'}`}
          >
            {link.label}
          </Link>
        ))}
      </nav>
      <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
        <AvailabilityToggle role={user.role} />
        <NotificationsMenu />
        <span className="hidden max-w-40 truncate whitespace-nowrap text-slate-600 sm:inline-block" title={`${user.name} · ${user.email}`}>
          {user.name} <span className="text-slate-400">· {ROLE_LABELS[user.role]}</span>
        </span>
        <button
          type="button"
          onClick={signOut}
          disabled={signingOut}
          className="rounded border border-slate-300 px-2 py-1 whitespace-nowrap text-slate-700 hover:bg-slate-50 disabled:opacity-60 sm:px-3"
        >
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </header>
  );
}
