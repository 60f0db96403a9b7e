'use client';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { ApiMessage } from '@/lib/contracts/inbox';

// Messages the thread shows before its pages have them: what this browser just sent (the server's 202
// answer) and what the live stream sent along with a change notice (ChangeNotice.threadMessages). Each
// stays, over the pages' copy of it, until a refetch that started after it came has been answered: the
// pages then have it, as new or newer.

interface Recent {
  message: ApiMessage;
  /** When it came, in the order of this page's own counter. */
  seq: number;
}

export interface LiveMessages {
  /** The pages' messages, each replaced by a newer copy that came since, then the ones they lack. */
  messages: ApiMessage[];
  /** Shows these now. */
  add(messages: ApiMessage[]): void;
  /** Runs a refetch of the pages; once it is answered, what came before it started is theirs to show. */
  settleAfter(refetch: () => Promise<unknown>): Promise<void>;
}

export function useLiveMessages(loaded: ApiMessage[]): LiveMessages {
  const counter = useRef(0);
  const [recent, setRecent] = useState<Recent[]>([]);
  const add = useCallback((messages: ApiMessage[]) => {
    if (messages.length === 0) return;
    const seq = ++counter.current;
    const ids = new Set(messages.map((m) => m.id));
    setRecent((current) => [...current.filter((r) => !ids.has(r.message.id)), ...messages.map((message) => ({ message, seq }))]);
  }, []);
  const settleAfter = useCallback(async (refetch: () => Promise<unknown>) => {
    const upTo = counter.current;
    await refetch();
    setRecent((current) => (current.some((r) => r.seq <= upTo) ? current.filter((r) => r.seq > upTo) : current));
  }, []);
  const messages = useMemo(
    () =>
      withRecent(
        loaded,
        recent.map((r) => r.message),
      ),
    [loaded, recent],
  );
  return { messages, add, settleAfter };
}

/** `loaded` with each message of `recent` in its place (by id), and those it lacks after it, in the order they came. */
export function withRecent(loaded: ApiMessage[], recent: ApiMessage[]): ApiMessage[] {
  if (recent.length === 0) return loaded;
  const byId = new Map(recent.map((m) => [m.id, m]));
  const merged = loaded.map((m) => {
    const newer = byId.get(m.id);
    if (!newer) return m;
    byId.delete(m.id);
    return newer;
  });
  return byId.size === 0 ? merged : [...merged, ...byId.values()];
}
