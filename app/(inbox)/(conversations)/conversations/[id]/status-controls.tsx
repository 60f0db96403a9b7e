'use client';
import { AlarmClock, CircleCheck, CircleDot, Hourglass, RotateCcw, type LucideIcon } from 'lucide-react';
import { type FormEvent, useId, useRef, useState } from 'react';
import { CONVERSATION_COUNTS, CONVERSATIONS } from '@/app/_components/api/keys';
import { postConversationStatus } from '@/app/_components/api/use-inbox';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import { Button } from '@/app/_components/ui/button';
import { Input } from '@/app/_components/ui/input';
import { useDismiss } from '@/app/_components/ui/use-dismiss';
import type { ConversationStatus, GetConversationResponse, PostConversationStatusBody } from '@/lib/contracts/inbox';
import { formatSnoozeTime, parseDateTimeLocalValue, snoozePresets, snoozeUntilProblem, toDateTimeLocalValue } from '@/lib/inbox/snooze';

// The thread header's status: a badge saying where the conversation stands, and the buttons that move
// it (Resolve, Reopen, Mark pending, Snooze with its presets or a date and time). What the server
// answers replaces the header at once; the list and its counts refetch, and other browsers hear of it
// through the change stream.

const BADGES: Record<ConversationStatus, { label: string; icon: LucideIcon; className: string }> = {
  open: { label: 'Open', icon: CircleDot, className: 'bg-slate-100 text-slate-700' },
  pending: { label: 'Pending', icon: Hourglass, className: 'bg-sky-50 text-sky-800' },
  resolved: { label: 'Resolved', icon: CircleCheck, className: 'bg-emerald-50 text-emerald-800' },
  snoozed: { label: 'Snoozed', icon: AlarmClock, className: 'bg-amber-50 text-amber-800' },
};

export function StatusBadge({ status, snoozedUntil }: Pick<GetConversationResponse, 'status' | 'snoozedUntil'>) {
  const badge = BADGES[status];
  const Icon = badge.icon;
  return (
    <span
      data-testid="conversation-status"
      className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${badge.className}`}
    >
      <Icon className="size-3.5" aria-hidden="true" />
      {status === 'snoozed' && snoozedUntil ? (
        <>
          Snoozed until <time dateTime={snoozedUntil}>{formatSnoozeTime(new Date(snoozedUntil))}</time>
        </>
      ) : (
        badge.label
      )}
    </span>
  );
}

export function StatusControls({
  conversation,
  onChanged,
}: {
  conversation: GetConversationResponse;
  /** The conversation as the server answered it. */
  onChanged: (conversation: GetConversationResponse) => void;
}) {
  const invalidate = useInvalidate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const { status } = conversation;

  async function change(body: PostConversationStatusBody): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      onChanged(await postConversationStatus(conversation.id, body));
      // This browser's list and tabs at once; other browsers through the change stream.
      void invalidate(CONVERSATIONS);
      void invalidate(CONVERSATION_COUNTS);
      return true;
    } catch (err) {
      setError(`Could not change the status: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="ml-auto flex flex-col items-end gap-1">
      <div className="flex flex-wrap items-center justify-end gap-1.5">
        <StatusBadge status={status} snoozedUntil={conversation.snoozedUntil} />
        {status === 'open' && (
          <Button size="xs" disabled={busy} onClick={() => change({ status: 'pending' })} className="inline-flex items-center gap-1">
            <Hourglass className="size-3.5" aria-hidden="true" />
            Mark pending
          </Button>
        )}
        {/* Pending too: an agent may take it back before the customer answers. */}
        {status !== 'open' && (
          <Button size="xs" disabled={busy} onClick={() => change({ status: 'open' })} className="inline-flex items-center gap-1">
            <RotateCcw className="size-3.5" aria-hidden="true" />
            Reopen
          </Button>
        )}
        <SnoozeMenu
          open={snoozeOpen}
          onOpenChange={(open) => {
            setSnoozeOpen(open);
            if (open) setError(null);
          }}
          disabled={busy}
          onSnooze={async (until) => {
            if (await change({ status: 'snoozed', snoozedUntil: until.toISOString() })) setSnoozeOpen(false);
          }}
          onProblem={setError}
        />
        {status !== 'resolved' && (
          <Button
            size="xs"
            variant="primary"
            disabled={busy}
            onClick={() => change({ status: 'resolved' })}
            className="inline-flex items-center gap-1"
          >
            <CircleCheck className="size-3.5" aria-hidden="true" />
            Resolve
          </Button>
        )}
      </div>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** Snooze: a small panel of presets, and "Custom…" for a date and time of the agent's choosing. */
function SnoozeMenu({
  open,
  onOpenChange,
  disabled,
  onSnooze,
  onProblem,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  disabled: boolean;
  onSnooze: (until: Date) => Promise<void>;
  /** A custom time that cannot be used, in words. */
  onProblem: (problem: string | null) => void;
}) {
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const [custom, setCustom] = useState(false);
  const [value, setValue] = useState('');
  // The presets are reckoned when the panel opens, so "1 hour" means an hour from the click that opened it.
  const [now, setNow] = useState(() => new Date());

  // Escape or a click elsewhere closes it.
  useDismiss(open, root, () => onOpenChange(false), button);

  function toggle() {
    if (!open) {
      const opened = new Date();
      setNow(opened);
      setCustom(false);
      setValue(toDateTimeLocalValue(new Date(opened.getTime() + 60 * 60_000)));
    }
    onOpenChange(!open);
  }

  async function submitCustom(event: FormEvent) {
    event.preventDefault();
    const until = parseDateTimeLocalValue(value);
    const problem = until === null ? 'must be a date and time' : snoozeUntilProblem(until, new Date());
    if (problem || until === null) return onProblem(`The snooze time ${problem}.`);
    await onSnooze(until);
  }

  return (
    <div ref={root} className="relative flex">
      <Button
        ref={button}
        size="xs"
        disabled={disabled}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        data-shortcut="snooze"
        onClick={toggle}
        className="inline-flex items-center gap-1"
      >
        <AlarmClock className="size-3.5" aria-hidden="true" />
        Snooze
      </Button>
      {open && (
        <div
          id={panelId}
          role="group"
          aria-label="Snooze until"
          className="absolute top-full right-0 z-30 mt-1 w-72 rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg"
        >
          {snoozePresets(now).map((preset) => (
            <button
              key={preset.label}
              type="button"
              disabled={disabled}
              onClick={() => onSnooze(preset.until)}
              className="flex w-full items-baseline justify-between gap-2 rounded px-2 py-1.5 text-left hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none disabled:opacity-60"
            >
              <span className="whitespace-nowrap">{preset.label}</span>
              <span className="text-right text-xs text-slate-500">{formatSnoozeTime(preset.until, now)}</span>
            </button>
          ))}
          {custom ? (
            // Checked here rather than by the browser, to say what is wrong in words.
            <form noValidate onSubmit={submitCustom} className="mt-1 space-y-2 border-t border-slate-100 px-2 pt-2 pb-1">
              <label className="block text-xs font-medium text-slate-700">
                Date and time
                <Input
                  type="datetime-local"
                  fieldSize="xs"
                  value={value}
                  min={toDateTimeLocalValue(now)}
                  onChange={(e) => setValue(e.target.value)}
                  className="mt-1 w-full"
                />
              </label>
              <Button type="submit" size="xs" variant="primary" disabled={disabled} className="w-full">
                Snooze until
              </Button>
            </form>
          ) : (
            <button
              type="button"
              onClick={() => setCustom(true)}
              className="w-full rounded px-2 py-1.5 text-left hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none"
            >
              Custom…
            </button>
          )}
        </div>
      )}
    </div>
  );
}
