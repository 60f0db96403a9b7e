'use client';
import { LiveUpdatesContext, useLiveUpdatesSource } from './use-live-updates';

/** One /api/events stream for every signed-in page, and the banner that says when it is down. */
export function LiveUpdates({ children }: { children: React.ReactNode }) {
  const live = useLiveUpdatesSource();
  return (
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
  );
}
