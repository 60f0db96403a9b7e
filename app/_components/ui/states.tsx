import type { ReactNode } from 'react';

// What a list or panel shows before it has rows: loading, a failed load, nothing to show.

/** "Loading users…", or "Could not load users: <why>" as an alert; nothing once loaded. */
export function LoadState({
  isLoading,
  error,
  what,
  className = 'px-4 py-4',
}: {
  isLoading: boolean;
  error: unknown;
  what: string;
  className?: string;
}) {
  if (error)
    return (
      <p role="alert" className={`${className} text-sm text-red-700`}>
        Could not load {what}: {error instanceof Error ? error.message : String(error)}
      </p>
    );
  if (isLoading) return <p className={`${className} text-sm text-slate-500`}>Loading {what}…</p>;
  return null;
}

export function EmptyState({ children, className = 'px-4 py-6' }: { children: ReactNode; className?: string }) {
  return <p className={`${className} text-sm text-slate-500`}>{children}</p>;
}

/** A small spinning ring beside a "…ing" text; decorative, the text says what is happening. */
export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="inline-block h-3 w-3 shrink-0 animate-spin rounded-full border-2 border-slate-300 border-t-slate-600"
    />
  );
}
