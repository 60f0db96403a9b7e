'use client';
import { Keyboard, X } from 'lucide-react';
import { usePathname } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSWRConfig } from 'swr';
import { CONVERSATION_COUNTS, CONVERSATIONS, conversationKey } from '@/app/_components/api/keys';
import { postConversationStatus } from '@/app/_components/api/use-inbox';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import { useViewer } from '@/app/_components/viewer';
import { postConversationAssignee } from '@/app/_components/api/use-assignment';
import { SHORTCUTS, type ShortcutAction, shortcutOf } from '@/lib/inbox/shortcuts';

// The inbox's keyboard shortcuts (lib/inbox/shortcuts.ts says which key is what). Mounted once in the
// signed-in layout. What a shortcut acts on is found on the page by data-shortcut attributes (the
// composer's text box, the Snooze button, the Note mode), so each stays where it is drawn.

/** How long a shortcut's outcome ("Resolved", or why it could not) stays on screen. */
const MESSAGE_MS = 4_000;

export function KeyboardShortcuts() {
  const pathname = usePathname();
  const viewer = useViewer();
  // Outside the signed-in layout nobody is "me".
  const me = viewer.id ? viewer : null;
  const invalidate = useInvalidate();
  const { mutate } = useSWRConfig();
  const [helpOpen, setHelpOpen] = useState(false);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const conversationId = /^\/conversations\/([^/]+)/.exec(pathname)?.[1] ?? null;

  const latest = useRef<(action: ShortcutAction) => boolean>(() => false);
  useEffect(() => {
    const say = (text: string, error = false) => setMessage({ text, error });
    const refreshConversation = (id: string) => {
      void mutate(conversationKey(id));
      void invalidate(CONVERSATIONS);
      void invalidate(CONVERSATION_COUNTS);
    };
    latest.current = (action) => {
      switch (action) {
        case 'help':
          setHelpOpen(true);
          return true;
        case 'next':
        case 'previous':
          return moveInList(action === 'next' ? 1 : -1);
        case 'reply':
          return clickOrFocus('reply');
        case 'note':
          return clickOrFocus('note');
        case 'snooze':
          return clickOrFocus('snooze');
        case 'resolve': {
          if (!conversationId) return false;
          const id = decodeURIComponent(conversationId);
          postConversationStatus(id, { status: 'resolved' })
            .then(() => {
              say('Resolved.');
              refreshConversation(id);
            })
            .catch((err: unknown) => say(`Could not resolve: ${errorText(err)}`, true));
          return true;
        }
        case 'assign-to-me': {
          if (!conversationId || !me) return false;
          const id = decodeURIComponent(conversationId);
          postConversationAssignee(id, me.id)
            .then(() => {
              say('Assigned to you.');
              refreshConversation(id);
            })
            .catch((err: unknown) => say(`Could not assign this to you: ${errorText(err)}`, true));
          return true;
        }
      }
    };
  });

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const action = shortcutOf({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        defaultPrevented: event.defaultPrevented,
        isComposing: event.isComposing,
        target: target && {
          tagName: target.tagName,
          isContentEditable: target.isContentEditable,
          type: target.getAttribute('type') ?? undefined,
        },
      });
      // A dialog is open (this help too): its keys are its own.
      if (!action || document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      if (latest.current(action)) event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [message]);

  return (
    <>
      {message && (
        <p
          role={message.error ? 'alert' : 'status'}
          data-testid="shortcut-message"
          className={`fixed bottom-4 left-1/2 z-50 -translate-x-1/2 rounded-md px-4 py-2 text-sm shadow-lg ${
            message.error ? 'bg-red-700 text-white' : 'bg-slate-800 text-white'
          }`}
        >
          {message.text}
        </p>
      )}
      {helpOpen && <ShortcutsHelp onClose={closeHelp} />}
    </>
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The next or previous row of the conversation list, opened; from no open row, the first one. */
function moveInList(step: 1 | -1): boolean {
  const rows = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-testid="conversation"]'));
  if (rows.length === 0) return false;
  const current = rows.findIndex((row) => row.getAttribute('aria-current') === 'true');
  const next = rows[current === -1 ? 0 : Math.max(0, Math.min(rows.length - 1, current + step))];
  if (!next || next === rows[current]) return true;
  next.scrollIntoView({ block: 'nearest' });
  next.click();
  return true;
}

/** The page's control for a shortcut: a text box gets the focus, a button is pressed. */
function clickOrFocus(name: string): boolean {
  const el = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) el.focus();
  else el.click();
  return true;
}

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      previous?.focus();
    };
  }, [onClose]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the backdrop closes on a click; Escape and the button do the same for keyboards
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes it (above)
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4"
      onClick={(event) => event.target === event.currentTarget && onClose()}
    >
      <div role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" className="w-full max-w-sm rounded-lg bg-white p-4 shadow-xl">
        <div className="mb-3 flex items-center justify-between">
          <h2 id="shortcuts-title" className="flex items-center gap-2 font-medium">
            <Keyboard className="size-5 text-slate-500" aria-hidden="true" />
            Keyboard shortcuts
          </h2>
          <button
            ref={closeButton}
            type="button"
            aria-label="Close"
            onClick={onClose}
            className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
          >
            <X className="size-4" aria-hidden="true" />
          </button>
        </div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {SHORTCUTS.map((s) => (
            <div key={s.key} className="contents">
              <dt>
                <kbd className="inline-block min-w-6 rounded border border-slate-300 bg-slate-50 px-1.5 text-center font-mono text-xs">
                  {s.key}
                </kbd>
              </dt>
              <dd className="text-slate-700">{s.label}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-xs text-slate-500">Not while typing in a text box. Esc closes this.</p>
      </div>
    </div>
  );
}
