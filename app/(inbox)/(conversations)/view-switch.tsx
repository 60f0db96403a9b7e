'use client';
import { usePathname, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { CONVERSATION_VIEWS, type ConversationView, type ViewUnreadCounts } from '@/lib/contracts/assignment';

// Mine / Unassigned / All above the list, each with how many of its conversations (in the status tab in
// effect) have unread messages. The view is kept in the URL (?view=), so a link or a reload keeps it.

const LABELS: Record<ConversationView, string> = { mine: 'Mine', unassigned: 'Unassigned', all: 'All' };

/** The list's `assignee` filter for a view. */
export const assigneeParamOf = (view: ConversationView) => (view === 'mine' ? 'me' : view === 'unassigned' ? 'unassigned' : undefined);

const parseView = (raw: string | null): ConversationView | null =>
  (CONVERSATION_VIEWS as readonly string[]).includes(raw ?? '') ? (raw as ConversationView) : null;

/** `?view=…` for links that should keep the view (opening a conversation); '' for All. */
export const viewQuery = (view: ConversationView) => (view === 'all' ? '' : `?view=${view}`);

/**
 * The view: from the URL when it names one, else the last one chosen (a link to a conversation without
 * ?view= keeps the list as it was). Choosing one writes it to the URL.
 */
export function useListView(): [ConversationView, (view: ConversationView) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const fromUrl = parseView(params.get('view'));
  const [view, setView] = useState<ConversationView>(fromUrl ?? 'all');
  useEffect(() => {
    if (fromUrl !== null) setView(fromUrl);
  }, [fromUrl]);
  const choose = (next: ConversationView) => {
    setView(next);
    const query = new URLSearchParams(params.toString());
    if (next === 'all') query.delete('view');
    else query.set('view', next);
    const text = query.toString();
    // The browser's history API: Next keeps useSearchParams in step, without asking the server for the page again.
    window.history.replaceState(null, '', text ? `${pathname}?${text}` : pathname);
  };
  return [view, choose];
}

export function ViewSwitch({
  value,
  onChange,
  unread,
  controls,
}: {
  value: ConversationView;
  onChange: (view: ConversationView) => void;
  /** Undefined until loaded. */
  unread: ViewUnreadCounts | undefined;
  /** The id of what the views filter (the list). */
  controls: string;
}) {
  return (
    <fieldset className="flex gap-1 rounded-lg bg-slate-100 p-0.5">
      <legend className="sr-only">Whose conversations</legend>
      {CONVERSATION_VIEWS.map((view) => {
        const selected = view === value;
        const count = unread?.[view];
        return (
          <button
            key={view}
            type="button"
            data-testid={`view-${view}`}
            aria-pressed={selected}
            aria-controls={controls}
            onClick={() => onChange(view)}
            className={`flex min-w-0 flex-1 items-center justify-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none ${
              selected ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-600 hover:text-slate-900'
            }`}
          >
            <span className="truncate">{LABELS[view]}</span>
            {count !== undefined && count > 0 && (
              <span
                data-testid="view-unread"
                role="img"
                aria-label={`${count} with unread messages`}
                className="shrink-0 rounded-full bg-emerald-500 px-1.5 text-[11px] leading-4 font-semibold text-white"
              >
                {count > 999 ? '999+' : count}
              </span>
            )}
          </button>
        );
      })}
    </fieldset>
  );
}
