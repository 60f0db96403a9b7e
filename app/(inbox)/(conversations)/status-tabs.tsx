'use client';
import { type KeyboardEvent, useRef } from 'react';
import type { ConversationStatus, GetConversationCountsResponse } from '@/lib/contracts/inbox';

// The list's tabs, one per status with how many conversations it holds. The tabs are one tab stop:
// ←/→ (Home/End) move between them and choose, as WAI-ARIA's tabs pattern has it.

/** In the order an agent works through them. */
export const STATUS_TABS: readonly { status: ConversationStatus; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'pending', label: 'Pending' },
  { status: 'snoozed', label: 'Snoozed' },
  { status: 'resolved', label: 'Resolved' },
];

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** "7", "999", "1.2K": a tab is narrow. */
const shortCount = (n: number) => (n < 1000 ? String(n) : compact.format(n));

export function StatusTabs({
  value,
  onChange,
  counts,
  controls,
}: {
  value: ConversationStatus;
  onChange: (status: ConversationStatus) => void;
  /** Undefined until loaded. */
  counts: GetConversationCountsResponse['counts'] | undefined;
  /** The id of what the tabs filter (the list). */
  controls: string;
}) {
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = STATUS_TABS.findIndex((t) => t.status === value);
    const last = STATUS_TABS.length - 1;
    const next = { ArrowRight: current === last ? 0 : current + 1, ArrowLeft: current === 0 ? last : current - 1, Home: 0, End: last }[
      event.key
    ];
    if (next === undefined) return;
    event.preventDefault();
    onChange(STATUS_TABS[next]!.status);
    tabs.current[next]?.focus();
  }

  return (
    <div role="tablist" aria-label="Conversation status" className="flex gap-1" onKeyDown={onKeyDown}>
      {STATUS_TABS.map((tab, index) => {
        const selected = tab.status === value;
        const count = counts?.[tab.status];
        return (
          <button
            key={tab.status}
            ref={(el) => {
              tabs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`status-tab-${tab.status}`}
            aria-selected={selected}
            aria-controls={controls}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(tab.status)}
            className={`flex min-w-0 flex-1 items-center justify-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none ${
              selected ? 'bg-emerald-50 text-emerald-800' : 'text-slate-600 hover:bg-slate-100'
            }`}
          >
            <span className="truncate">{tab.label}</span>
            {count !== undefined && (
              <span
                data-testid="status-count"
                title={count.toLocaleString()}
                className={`shrink-0 rounded-full px-1.5 text-[11px] leading-4 ${selected ? 'bg-emerald-600 text-white' : 'bg-slate-200 text-slate-700'}`}
              >
                {shortCount(count)}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
