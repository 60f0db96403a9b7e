'use client';
import { SWRConfig } from 'swr';
import { LiveUpdatesContext, useLiveUpdatesSource } from './use-live-updates';

/**
 * Change notices refetch what is on screen only: data of a tab or a thread not shown meanwhile stays in
 * SWR's cache as it was. Coming back to it must fetch it again, and SWR skips that for 2 s after its last
 * fetch by default (dedupingInterval): Resolve, then Resolved, the customer writing again, then back to
 * Open within 2 s showed the Open list without the conversation until the next notice (2 of 12 runs of
 * status.spec.ts's test). Requests still in flight are shared all the same.
 */
const SWR_OPTIONS = { dedupingInterval: 0 };

/** One /api/events stream for every signed-in page, and the banner that says when it is down. */
export function LiveUpdates({ children }: { children: React.ReactNode }) {
  const live = useLiveUpdatesSource();
  return (
    <SWRConfig value={SWR_OPTIONS}>
      <LiveUpdatesContext.Provider value={live}>
        <div className="flex h-full flex-col">
          {live.status === 'offline' && (
            <div role="status" className="shrink-0 bg-amber-100 px-4 py-1.5 text-center text-sm text-amber-900">
              Offline: live updates paused, checking every few seconds. Reconnecting…
            </div>
          )}
          <div className="min-h-0 flex-1">{children}</div>
        </div>
      </LiveUpdatesContext.Provider>
    </SWRConfig>
  );
}
