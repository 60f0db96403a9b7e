'use client';
import { useCallback, useState } from 'react';

// One line of feedback after an action: green when it worked, red with the reason when not.

export interface NoticeMessage {
  kind: 'success' | 'error';
  text: string;
}

export function useNotice(): [NoticeMessage | null, (notice: NoticeMessage | null) => void] {
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  return [notice, useCallback((n: NoticeMessage | null) => setNotice(n), [])];
}

export function Notice({ notice }: { notice: NoticeMessage | null }) {
  if (!notice) return <div aria-live="polite" />;
  return (
    <div
      aria-live="polite"
      role={notice.kind === 'error' ? 'alert' : 'status'}
      className={`rounded-md px-3 py-2 text-sm ${notice.kind === 'error' ? 'bg-red-50 text-red-700' : 'bg-emerald-50 text-emerald-800'}`}
    >
      {notice.text}
    </div>
  );
}
