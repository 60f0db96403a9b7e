import { formatDateTime } from '@/lib/inbox/format-time';

/** A full date and time as a <time> element; "unknown time" when there is none. */
export function DateTime({ iso, fallback = 'unknown time' }: { iso: string | null | undefined; fallback?: string }) {
  const text = formatDateTime(iso);
  if (!iso || !text) return <span className="text-slate-400">{fallback}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}
