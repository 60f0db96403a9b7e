'use client';
import { useRouter } from 'next/navigation';
import { Download, EllipsisVertical, Trash2, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { CONVERSATION_COUNTS, CONVERSATIONS, contactExportUrl, conversationExportUrl } from '@/app/_components/api/keys';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import { eraseContact, useErasePreview } from '@/app/_components/api/use-privacy';
import { contactLabel } from '@/app/_components/conversation-row';
import { Button } from '@/app/_components/ui/button';
import { useDismiss } from '@/app/_components/ui/use-dismiss';
import { useViewer } from '@/app/_components/viewer';
import type { GetConversationResponse } from '@/lib/contracts/inbox';
import type { EraseCounts } from '@/lib/contracts/privacy';

// The thread header's menu: download the conversation or everything of the customer as JSON, and for
// admins erase the customer, behind a dialog that says what will be deleted and asks to type ERASE.

const CONFIRM_WORD = 'ERASE';

export function ConversationMenu({ conversation }: { conversation: GetConversationResponse }) {
  const [open, setOpen] = useState(false);
  const [erasing, setErasing] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useDismiss(open, root, () => setOpen(false), button);
  const isAdmin = useViewer().role === 'admin';
  const item = 'flex w-full items-center gap-2 px-3 py-1.5 text-left text-sm text-slate-700 hover:bg-slate-100';
  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-label="Conversation actions"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
      >
        <EllipsisVertical className="size-4" aria-hidden="true" />
      </button>
      {open && (
        <div role="menu" className="absolute right-0 z-30 mt-1 w-56 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
          <a role="menuitem" href={conversationExportUrl(conversation.id)} download className={item} onClick={() => setOpen(false)}>
            <Download className="size-4 text-slate-500" aria-hidden="true" />
            Export conversation
          </a>
          <a role="menuitem" href={contactExportUrl(conversation.contactId)} download className={item} onClick={() => setOpen(false)}>
            <Download className="size-4 text-slate-500" aria-hidden="true" />
            Export customer
          </a>
          {isAdmin && (
            <button
              role="menuitem"
              type="button"
              className={`${item} text-red-700`}
              onClick={() => {
                setOpen(false);
                setErasing(true);
              }}
            >
              <Trash2 className="size-4" aria-hidden="true" />
              Erase customer…
            </button>
          )}
        </div>
      )}
      {erasing && <EraseDialog contactId={conversation.contactId} onClose={() => setErasing(false)} />}
    </div>
  );
}

const COUNT_LINES: { key: keyof EraseCounts; one: string; many: string }[] = [
  { key: 'conversations', one: 'conversation', many: 'conversations' },
  { key: 'messages', one: 'message', many: 'messages' },
  { key: 'statusEvents', one: 'delivery status', many: 'delivery statuses' },
  { key: 'mediaFiles', one: 'media file', many: 'media files' },
  { key: 'notes', one: 'note', many: 'notes' },
];

function EraseDialog({ contactId, onClose }: { contactId: string; onClose: () => void }) {
  const preview = useErasePreview(contactId);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const router = useRouter();
  const invalidate = useInvalidate();
  const titleId = useId();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    input.current?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !busy) onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      previous?.focus();
    };
  }, [busy, onClose]);

  async function erase() {
    setBusy(true);
    setError(null);
    try {
      await eraseContact(contactId);
      await Promise.all([invalidate(CONVERSATIONS), invalidate(CONVERSATION_COUNTS)]);
      router.push('/');
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  const data = preview.data;
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl">
        <div className="mb-3 flex items-start justify-between gap-3">
          <h2 id={titleId} className="flex items-center gap-2 font-medium text-red-800">
            <Trash2 className="size-5" aria-hidden="true" />
            Erase {data ? contactLabel(data.contact) : 'customer'}
          </h2>
          <button
            type="button"
            aria-label="Close"
            onClick={onClose}
            disabled={busy}
            className="rounded p-1 text-slate-500 hover:bg-slate-100"
          >
            <X className="size-4" aria-hidden="true" />
          </button>
        </div>
        {preview.error && (
          <p role="alert" className="text-sm text-red-700">
            {preview.error.message}
          </p>
        )}
        {!data && !preview.error && <p className="text-sm text-slate-500">Counting what will be deleted…</p>}
        {data && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (typed === CONFIRM_WORD && !busy) void erase();
            }}
          >
            <p className="text-sm text-slate-700">
              This deletes everything Ticks holds of {data.contact.name ?? 'this customer'}
              {data.contact.waId && <> (+{data.contact.waId})</>}, for good, on every business number:
            </p>
            <ul aria-label="What will be deleted" className="my-3 space-y-0.5 text-sm text-slate-800">
              {COUNT_LINES.map(({ key, one, many }) => (
                <li key={key}>
                  <span className="font-medium tabular-nums">{data.counts[key]}</span> {data.counts[key] === 1 ? one : many}
                </li>
              ))}
              <li>their contact, and their part of stored webhook bodies</li>
            </ul>
            <p className="text-sm text-slate-600">
              Messages still waiting to be sent are never sent. The audit log records that you did this, without any content.
            </p>
            <label className="mt-3 block text-sm text-slate-700">
              Type <span className="font-mono font-semibold">{CONFIRM_WORD}</span> to confirm
              <input
                ref={input}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                autoComplete="off"
                className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm focus:border-red-400 focus:outline-none"
              />
            </label>
            {error && (
              <p role="alert" className="mt-2 text-sm text-red-700">
                {error}
              </p>
            )}
            <div className="mt-4 flex justify-end gap-2">
              <Button onClick={onClose} disabled={busy}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" disabled={typed !== CONFIRM_WORD || busy}>
                {busy ? 'Erasing…' : 'Erase customer'}
              </Button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
