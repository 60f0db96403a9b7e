'use client';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { ChangeNotice } from '@/lib/realtime/changes';
import { loginUrl } from '@/app/_components/fetch-json';
import { RefreshCoalescer } from '@/app/_components/refresh-coalescer';

// The inbox's line to /api/events. Each change notice is handed to whoever subscribed (the list,
// the open thread), which refetch what they show. When the stream drops, it reconnects with
// exponential backoff while the page polls instead, and says it is offline.

export type LiveStatus = 'connecting' | 'live' | 'offline';
/** null: refresh everything (after a reconnect some notices may have been missed). */
export type ChangeHandler = (notice: ChangeNotice | null) => void;

export interface LiveUpdates {
  status: LiveStatus;
  subscribe(handler: ChangeHandler): () => void;
}

const MAX_BACKOFF_MS = 30_000;

export function useLiveUpdatesSource(url = '/api/events'): LiveUpdates {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef(new Set<ChangeHandler>());
  const [subscribe] = useState(() => (handler: ChangeHandler) => {
    handlers.current.add(handler);
    return () => void handlers.current.delete(handler);
  });

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let connectedBefore = false;
    let stopped = false;
    const emit = (notice: ChangeNotice | null) => {
      for (const handler of handlers.current) handler(notice);
    };

    const connect = () => {
      if (stopped) return;
      source = new EventSource(url);
      source.addEventListener('ready', () => {
        failures = 0;
        setStatus('live');
        // Whatever happened while we were away: catch up once.
        if (connectedBefore) emit(null);
        connectedBefore = true;
      });
      source.addEventListener('change', (event) => {
        try {
          emit(JSON.parse((event as MessageEvent<string>).data) as ChangeNotice);
        } catch {
          emit(null);
        }
      });
      source.addEventListener('signed-out', () => {
        window.location.assign(loginUrl());
      });
      source.onerror = () => {
        // Take over from EventSource's fixed retry: back off 1 s, 2 s, 4 s … 30 s, with jitter.
        source?.close();
        setStatus('offline');
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures) * (0.75 + Math.random() * 0.5);
        failures += 1;
        retryTimer = setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [url]);

  return { status, subscribe };
}

export const LiveUpdatesContext = createContext<LiveUpdates>({ status: 'connecting', subscribe: () => () => {} });

/** Calls `handler` on every change notice (and with null after a reconnect). */
export function useChanges(handler: ChangeHandler): void {
  const { subscribe } = useContext(LiveUpdatesContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => subscribe((notice) => latest.current(notice)), [subscribe]);
}

/** Whether change notices are coming in: what changes, this page hears of. */
export function useIsLive(): boolean {
  return useContext(LiveUpdatesContext).status === 'live';
}

/** How often to poll instead: never while the stream is live. */
export function usePollInterval(): number {
  return useIsLive() ? 0 : 5000;
}

/** The open thread's refetches in flight: every other refetch of the page starts after them. */
const foreground = new Set<Promise<unknown>>();

export interface CoalescedOptions {
  /**
   * The open thread: what the agent is looking at goes first. A notice reaches every part of the page at
   * once (list, counts, notifications, thread); their requests would share the server with the thread's,
   * and on a loaded server the new message would wait for all of them. Its refetches also come closer
   * together (RefreshCoalescerOptions.foreground).
   */
  foreground?: boolean;
}

/**
 * `refresh` on change notices, coalesced (refresh-coalescer.ts): at most one at a time, the first notice
 * after a quiet spell at once, a burst folded into one more a gap later. Refetches other than the
 * foreground's wait for it.
 */
export function useCoalesced(refresh: () => Promise<unknown>, options: CoalescedOptions = {}): () => void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  const isForeground = options.foreground === true;
  const [coalescer] = useState(
    () =>
      new RefreshCoalescer(
        async (began) => {
          if (isForeground) {
            const refetch = latest.current();
            foreground.add(refetch);
            const done = () => void foreground.delete(refetch);
            refetch.then(done, done);
            return refetch;
          }
          // Every part of the page hears a notice in the same turn: let the thread start its refetch first.
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (foreground.size > 0) await Promise.allSettled([...foreground]);
          began();
          return latest.current();
        },
        { foreground: isForeground },
      ),
  );
  return coalescer.request;
}
