'use client';
import { MessageSquare, StickyNote } from 'lucide-react';
import { type KeyboardEvent, useId, useMemo, useRef, useState } from 'react';
import { conversationActivity } from '@/app/_components/api/keys';
import { postNote } from '@/app/_components/api/use-activity';
import { useAgents } from '@/app/_components/api/use-assignment';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import type { ApiAgent } from '@/lib/contracts/agents';
import { NOTE_MAX_CHARS } from '@/lib/contracts/activity';
import { mentionsName } from '@/lib/inbox/mentions';

// The composer's Note mode: a private note for the team, stored in the trail and never sent to the
// customer, so it works whatever the 24-hour window and whether sending is on. "@" opens the team to
// mention someone; the ids picked go with the note (the server also finds "@Name" typed by hand).

export type ComposerMode = 'reply' | 'note';

/** The Reply | Note switch above the composer. */
export function ComposerModeSwitch({ mode, onChange }: { mode: ComposerMode; onChange: (mode: ComposerMode) => void }) {
  const tab = (value: ComposerMode, label: string, Icon: typeof StickyNote) => (
    <button
      type="button"
      role="tab"
      aria-selected={mode === value}
      // The "n" shortcut (keyboard-shortcuts.tsx) switches to a note.
      data-shortcut={value === 'note' ? 'note' : undefined}
      onClick={() => onChange(value)}
      className={`inline-flex items-center gap-1 rounded-md px-2.5 py-1 text-xs font-medium focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none ${
        mode === value
          ? value === 'note'
            ? 'bg-amber-200 text-amber-950'
            : 'bg-emerald-100 text-emerald-900'
          : 'text-slate-600 hover:bg-slate-200/70'
      }`}
    >
      <Icon className="size-3.5" aria-hidden="true" />
      {label}
    </button>
  );
  return (
    <div role="tablist" aria-label="Composer mode" className="mb-1 flex gap-1">
      {tab('reply', 'Reply', MessageSquare)}
      {tab('note', 'Note', StickyNote)}
    </div>
  );
}

/** The "@query" being typed just before the caret, if any: where it starts and what it says so far. */
function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^@\n]{0,40})$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]! };
}

export function NoteComposer({ conversationId, onModeChange }: { conversationId: string; onModeChange: (mode: ComposerMode) => void }) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [picked, setPicked] = useState<ApiAgent[]>([]);
  const [highlighted, setHighlighted] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const invalidate = useInvalidate();
  const agents = useAgents().data?.agents;
  const listId = useId();

  const mention = mentionQueryAt(text, caret);
  const candidates = useMemo(() => {
    if (!mention || !agents) return [];
    const query = mention.query.toLowerCase();
    return agents.filter((a) => a.name.toLowerCase().startsWith(query) || a.name.toLowerCase().includes(` ${query}`)).slice(0, 8);
  }, [mention, agents]);
  const open = mention !== null && candidates.length > 0 && dismissedAt !== mention.start;

  const choose = (agent: ApiAgent) => {
    if (!mention) return;
    const inserted = `@${agent.name} `;
    const next = text.slice(0, mention.start) + inserted + text.slice(caret);
    const at = mention.start + inserted.length;
    setText(next);
    setCaret(at);
    setPicked((list) => (list.some((a) => a.id === agent.id) ? list : [...list, agent]));
    requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(at, at);
    });
  };

  const submit = async () => {
    if (text.trim() === '' || saving) return;
    setSaving(true);
    setError(null);
    try {
      // Only those still named in the text: a mention deleted while writing is no mention.
      const mentions = picked.filter((a) => mentionsName(text, a.name)).map((a) => a.id);
      await postNote(conversationId, { text, mentions });
      setText('');
      setPicked([]);
      await invalidate(conversationActivity(conversationId));
      textarea.current?.focus();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setHighlighted((i) => (i + step + candidates.length) % candidates.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        choose(candidates[Math.min(highlighted, candidates.length - 1)]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissedAt(mention.start);
        return;
      }
    }
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  };

  return (
    <div data-testid="composer" data-mode="note" className="shrink-0 border-t border-amber-300 bg-amber-50 px-3 py-2">
      <ComposerModeSwitch mode="note" onChange={onModeChange} />
      <p className="mb-1 text-xs text-amber-900">Private note: only your team sees it. Type @ to mention someone.</p>
      <form
        className="relative flex items-end gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {open && (
          <div
            id={listId}
            role="listbox"
            aria-label="Mention someone"
            className="absolute bottom-full left-0 z-30 mb-1 max-h-56 w-64 overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
          >
            {candidates.map((agent, i) => (
              <div
                key={agent.id}
                role="option"
                tabIndex={-1}
                aria-selected={i === highlighted}
                onMouseDown={(event) => {
                  // Before the text box loses focus (and the caret with it).
                  event.preventDefault();
                  choose(agent);
                }}
                onMouseEnter={() => setHighlighted(i)}
                className={`flex cursor-pointer items-center gap-2 px-3 py-1.5 ${i === highlighted ? 'bg-amber-100' : ''}`}
              >
                <span
                  className={`size-2 shrink-0 rounded-full ${agent.online ? 'bg-emerald-500' : 'bg-slate-300'}`}
                  title={agent.online ? 'Online' : 'Offline'}
                  aria-hidden="true"
                />
                <span className="truncate">{agent.name}</span>
                <span className="ml-auto text-xs text-slate-500">{agent.role}</span>
              </div>
            ))}
          </div>
        )}
        <textarea
          ref={textarea}
          aria-label="Note"
          placeholder="Write a note for your team"
          rows={1}
          value={text}
          maxLength={NOTE_MAX_CHARS}
          role="combobox"
          aria-expanded={open}
          aria-controls={open ? listId : undefined}
          aria-autocomplete="list"
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            setHighlighted(0);
            if (error) setError(null);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-lg border border-amber-300 bg-white px-3 py-2 text-sm [field-sizing:content] focus:border-amber-500 focus:ring-2 focus:ring-amber-200 focus:outline-none"
        />
        <button
          type="submit"
          disabled={saving || text.trim() === ''}
          className="inline-flex items-center gap-1 rounded-full bg-amber-500 px-4 py-2 text-sm font-medium text-amber-950 hover:bg-amber-400 focus-visible:ring-2 focus-visible:ring-amber-300 focus-visible:outline-none disabled:opacity-50"
        >
          <StickyNote className="size-4" aria-hidden="true" />
          Add note
        </button>
      </form>
      {error && (
        <p role="alert" data-testid="composer-error" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
