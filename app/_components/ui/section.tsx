import type { ReactNode } from 'react';

// A page's title block and its white sections with a heading.

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div>
      <h1 className="text-xl font-semibold">{title}</h1>
      {children && <div className="text-sm text-slate-600">{children}</div>}
    </div>
  );
}

export interface SectionProps {
  /** Names the section through its heading (`${id}-heading`). */
  id: string;
  title: ReactNode;
  description?: string;
  /** Buttons on the heading's right. */
  actions?: ReactNode;
  children: ReactNode;
}

export function Section({ id, title, description, actions, children }: SectionProps) {
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-start justify-between gap-2 border-b border-slate-200 px-4 py-3">
        <div>
          <h2 id={`${id}-heading`} className="text-base font-semibold">
            {title}
          </h2>
          {description && <p className="text-sm text-slate-600">{description}</p>}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
