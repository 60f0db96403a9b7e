'use client';
import Link from 'next/link';
import { History } from 'lucide-react';
import { useViewer } from '@/app/_components/viewer';

/** Admins read a conversation's whole trail on its own page. */
export function ActivityLink({ conversationId }: { conversationId: string }) {
  if (useViewer().role !== 'admin') return null;
  return (
    <Link
      href={`/conversations/${encodeURIComponent(conversationId)}/activity`}
      className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
    >
      <History className="size-4" aria-hidden="true" />
      Activity
    </Link>
  );
}
