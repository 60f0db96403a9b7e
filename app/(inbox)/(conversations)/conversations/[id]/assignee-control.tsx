'use client';
import { ChevronDown, UserRound, UserRoundCheck, UserRoundX } from 'lucide-react';
import { useId, useRef, useState } from 'react';
import { AssigneeBadge } from '@/app/_components/assignee-badge';
import { CONVERSATION_COUNTS, CONVERSATIONS } from '@/app/_components/api/keys';
import { postConversationAssignee, useAgents } from '@/app/_components/api/use-assignment';
import { useInvalidate } from '@/app/_components/api/use-invalidate';
import { Button } from '@/app/_components/ui/button';
import { useDismiss } from '@/app/_components/ui/use-dismiss';
import { useViewer } from '@/app/_components/viewer';
import type { GetConversationResponse } from '@/lib/contracts/inbox';

// The thread header's assignee: who has the conversation, and a menu to give it to someone (the team,
// with who is online), take it ("Assign to me") or hand it back ("Unassign"). What the server answers
// replaces the header at once; the list and its views refetch, other browsers hear of it through the
// change stream.

export function AssigneeControl({
  conversation,
  onChanged,
}: {
  conversation: GetConversationResponse;
  onChanged: (conversation: GetConversationResponse) => void;
}) {
  const viewer = useViewer();
  const invalidate = useInvalidate();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const agents = useAgents({ enabled: open });
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useDismiss(open, root, () => setOpen(false), button);
  const { assignee } = conversation;

  async function assign(assigneeId: string | null) {
    setBusy(true);
    setError(null);
    try {
      onChanged(await postConversationAssignee(conversation.id, assigneeId));
      setOpen(false);
      void invalidate(CONVERSATIONS);
      void invalidate(CONVERSATION_COUNTS);
    } catch (err) {
      setError(`Could not assign: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  }

  const item =
    'flex w-full items-center gap-2 rounded px-2 py-1.5 text-left hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none disabled:opacity-60';
  return (
    <div ref={root} className="relative flex flex-col items-end">
      <Button
        ref={button}
        size="xs"
        data-testid="assignee-control"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={assignee ? `Assigned to ${assignee.name}: change` : 'Unassigned: assign'}
        onClick={() => {
          setError(null);
          setOpen(!open);
        }}
        className="inline-flex max-w-48 items-center gap-1"
      >
        {assignee ? <AssigneeBadge person={assignee} /> : <UserRound className="size-3.5" aria-hidden="true" />}
        <span className="truncate">{assignee ? assignee.name : 'Unassigned'}</span>
        <ChevronDown className="size-3.5 shrink-0" aria-hidden="true" />
      </Button>
      {open && (
        <div
          id={menuId}
          role="group"
          aria-label="Assign to"
          className="absolute top-full right-0 z-30 mt-1 max-h-80 w-64 overflow-y-auto rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg"
        >
          {viewer.id !== '' && assignee?.id !== viewer.id && (
            <button type="button" disabled={busy} onClick={() => assign(viewer.id)} className={`${item} font-medium`}>
              <UserRoundCheck className="size-4 text-emerald-700" aria-hidden="true" />
              Assign to me
            </button>
          )}
          {assignee && (
            <button type="button" disabled={busy} onClick={() => assign(null)} className={item}>
              <UserRoundX className="size-4 text-slate-500" aria-hidden="true" />
              Unassign
            </button>
          )}
          <p className="mt-1 border-t border-slate-100 px-2 pt-1.5 pb-1 text-[11px] font-medium tracking-wide text-slate-500 uppercase">
            Team
          </p>
          {!agents.data && !agents.error && <p className="px-2 py-1.5 text-xs text-slate-500">Loading…</p>}
          {agents.error && <p className="px-2 py-1.5 text-xs text-red-700">Could not load the team.</p>}
          {agents.data?.agents.map((agent) => (
            <button
              key={agent.id}
              type="button"
              disabled={busy || agent.id === assignee?.id}
              aria-current={agent.id === assignee?.id ? 'true' : undefined}
              onClick={() => assign(agent.id)}
              className={item}
            >
              <span
                role="img"
                aria-label={agent.online ? 'Online' : 'Offline'}
                className={`size-2 shrink-0 rounded-full ${agent.online ? 'bg-emerald-500' : 'bg-slate-300'}`}
              />
              <span className="min-w-0 flex-1 truncate">{agent.name}</span>
              {agent.availability === 'away' && <span className="text-[11px] text-slate-500">Away</span>}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p role="alert" className="mt-1 max-w-xs text-right text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
