'use client';
import { TriangleAlert } from 'lucide-react';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useViewer } from '@/app/_components/viewer';
import { PreviewLine } from '@/app/_components/icon';
import { Button } from '@/app/_components/ui/button';
import type { ApiMessage } from '@/lib/contracts/inbox';
import { collidingMessages, type SeenMessages, seenMessagesOf } from '@/lib/inbox/collision';
import { previewOfMessage } from '@/lib/inbox/message-view';

// Send warns first when someone else answered meanwhile (lib/inbox/collision.ts has the rule). The thread
// knows the messages and provides the guard; the composer asks it before sending and shows the warning.

export interface CollisionGuard {
  /** What someone else sent, while the warning is up. */
  warning: ApiMessage[] | null;
  /** Whether Send must wait: true puts the warning up. */
  mustWarn(): boolean;
  /** The agent sent, or saw the warning: what is on screen now no longer counts as news. */
  acknowledge(): void;
}

const NO_GUARD: CollisionGuard = { warning: null, mustWarn: () => false, acknowledge: () => {} };
const CollisionContext = createContext<CollisionGuard>(NO_GUARD);

export function useCollisionGuard(): CollisionGuard {
  return useContext(CollisionContext);
}

/** `loaded`: the thread's first page is in, so what it shows is what the agent saw on opening. */
export function CollisionGuardProvider({ messages, loaded, children }: { messages: ApiMessage[]; loaded: boolean; children: ReactNode }) {
  const viewer = useViewer();
  // Outside the signed-in layout nobody is "me".
  const me = viewer.id ? viewer : null;
  const latest = useRef(messages);
  const seen = useRef<SeenMessages | null>(null);
  const [warning, setWarning] = useState<ApiMessage[] | null>(null);
  useEffect(() => {
    latest.current = messages;
    if (loaded && seen.current === null) seen.current = seenMessagesOf(messages);
  }, [messages, loaded]);

  const guard = useMemo<CollisionGuard>(
    () => ({
      warning,
      mustWarn: () => {
        if (!me || !seen.current) return false;
        const colliding = collidingMessages(latest.current, seen.current, me.id);
        if (colliding.length === 0) return false;
        setWarning(colliding);
        return true;
      },
      acknowledge: () => {
        seen.current = seenMessagesOf(latest.current);
        setWarning(null);
      },
    }),
    [warning, me],
  );
  return <CollisionContext.Provider value={guard}>{children}</CollisionContext.Provider>;
}

export function CollisionWarning({
  messages,
  onSendAnyway,
  onCancel,
}: {
  messages: ApiMessage[];
  onSendAnyway: () => void;
  onCancel: () => void;
}) {
  const names = [...new Set(messages.map((m) => m.sentBy?.name ?? 'Someone'))];
  return (
    <div
      role="alertdialog"
      aria-labelledby="collision-warning-title"
      data-testid="collision-warning"
      className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
    >
      <p id="collision-warning-title" className="flex items-center gap-1.5 font-medium">
        <TriangleAlert className="size-4 shrink-0 text-amber-600" aria-hidden="true" />
        {names.join(' and ')} already replied while you were writing:
      </p>
      <ul className="mt-1 space-y-0.5">
        {messages.map((m) => (
          <li key={m.id} className="line-clamp-2 break-words">
            <span className="font-medium">{m.sentBy?.name ?? 'Someone'}:</span> <PreviewLine preview={previewOfMessage(m)} />
          </li>
        ))}
      </ul>
      <div className="mt-2 flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="primary" onClick={onSendAnyway}>
          Send anyway
        </Button>
      </div>
    </div>
  );
}
