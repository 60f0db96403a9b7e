'use client';
import { Plus } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useDismiss } from '@/app/_components/ui/use-dismiss';
import { setConversationLabel, useLabels } from '@/app/_components/api/use-inbox';
import { ColourSwatch, LabelChip } from '@/app/_components/label-chip';
import type { GetConversationResponse } from '@/lib/contracts/inbox';

/** With more labels than this, the menu has a search box. */
const SEARCH_FROM = 6;

/**
 * The thread header's labels: a chip each with its remove button, and "Add label" with the labels not on
 * it yet. Each change answers the conversation, shown at once; other browsers hear of it by a change notice.
 */
export function ConversationLabels({
  conversation,
  onChanged,
}: {
  conversation: GetConversationResponse;
  onChanged: (conversation: GetConversationResponse) => void;
}) {
  const labels = useLabels();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  // Opened to pick a label: typing narrows the menu at once.
  useEffect(() => {
    if (open) searchBox.current?.focus();
  }, [open]);

  // Escape or a press outside closes the menu; Escape gives the focus back to its button.
  useDismiss(open, root, () => setOpen(false), toggle);

  async function change(labelId: string, on: boolean) {
    setBusy(labelId);
    setError(null);
    try {
      onChanged(await setConversationLabel(conversation.id, labelId, on));
      if (on) {
        setOpen(false);
        setSearch('');
        toggle.current?.focus();
      }
      // Counts per label changed.
      void labels.mutate();
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(null);
  }

  const carried = new Set(conversation.labels.map((l) => l.id));
  const all = labels.data?.labels ?? [];
  const term = search.trim().toLowerCase();
  const offered = all.filter((l) => !carried.has(l.id) && (term === '' || l.name.toLowerCase().includes(term)));
  const anyToAdd = all.some((l) => !carried.has(l.id));

  return (
    <div ref={root} className="relative flex w-full flex-wrap items-center gap-1.5" aria-label="Labels" role="group">
      {conversation.labels.map((label) => (
        <LabelChip key={label.id} label={label} onRemove={() => change(label.id, false)} removing={busy === label.id} />
      ))}
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((o) => !o)}
        className="inline-flex items-center gap-1 rounded-full border border-dashed border-slate-300 px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
      >
        <Plus className="size-3" aria-hidden="true" /> Add label
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
      {open && (
        <div className="absolute top-full left-0 z-30 mt-1 w-64 rounded-lg border border-slate-200 bg-white p-2 shadow-lg">
          {all.length > SEARCH_FROM && (
            <label className="mb-2 block">
              <span className="sr-only">Search labels</span>
              <input
                type="search"
                ref={searchBox}
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                placeholder="Search labels"
                className="w-full rounded bg-slate-100 px-2 py-1 text-xs focus:bg-white focus:ring-2 focus:ring-emerald-200 focus:outline-none"
              />
            </label>
          )}
          <ul aria-label="Labels to add" className="max-h-60 overflow-y-auto">
            {offered.map((label) => (
              <li key={label.id}>
                <button
                  type="button"
                  onClick={() => change(label.id, true)}
                  disabled={busy !== null}
                  className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none disabled:opacity-60"
                >
                  <ColourSwatch colour={label.colour} />
                  <span className="truncate">{label.name}</span>
                </button>
              </li>
            ))}
          </ul>
          {offered.length === 0 && (
            <p className="px-2 py-1.5 text-xs text-slate-500">
              {labels.isLoading
                ? 'Loading labels…'
                : all.length === 0
                  ? 'No labels yet: an admin creates them under Labels.'
                  : anyToAdd
                    ? `No label matches “${search.trim()}”.`
                    : 'Every label is on this conversation.'}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
