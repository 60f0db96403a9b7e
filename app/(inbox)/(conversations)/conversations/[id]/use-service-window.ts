'use client';
import { useEffect, useState } from 'react';
import { type ServiceWindowView, serviceWindowView } from '@/lib/inbox/service-window-view';

/** How often the countdown ("Window closes in 3 h 12 min") is redrawn. */
const COUNTDOWN_EVERY_MS = 60_000;

/**
 * The customer's 24-hour window as it stands now: redrawn every minute for the countdown, and at the moment
 * it closes, so the composer and the Reply and React actions give way to templates on time, not up to a
 * minute late.
 */
export function useServiceWindow(closesAtIso: string | null): ServiceWindowView {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const countdown = setInterval(() => setNow(new Date()), COUNTDOWN_EVERY_MS);
    // At most 24 h away: well inside setTimeout's range.
    const left = closesAtIso === null ? Number.NaN : Date.parse(closesAtIso) - Date.now();
    const closing = left > 0 ? setTimeout(() => setNow(new Date()), left + 50) : undefined;
    return () => {
      clearInterval(countdown);
      clearTimeout(closing);
    };
  }, [closesAtIso]);
  return serviceWindowView(closesAtIso, now);
}
