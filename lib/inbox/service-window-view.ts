import { formatDateTime, parseDate } from './format-time';

// What the composer says about WhatsApp's 24-hour customer service window. The server gives when it
// closes; the page counts down on its own clock, so an open window closes on screen when it should. PURE.

export type ServiceWindowView =
  | { state: 'open'; text: string; closesAt: string }
  | { state: 'closed'; text: string; closedAt: string | null };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "3 h 12 min", "45 min", "less than a minute". */
export function formatTimeLeft(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** The window at `now`, from its closing time (null: the customer never wrote). */
export function serviceWindowView(closesAtIso: string | null, now: Date): ServiceWindowView {
  const closesAt = parseDate(closesAtIso);
  if (!closesAt) {
    return { state: 'closed', closedAt: null, text: 'The customer has not written yet: only a template can start the conversation.' };
  }
  const left = closesAt.getTime() - now.getTime();
  if (left > 0) return { state: 'open', closesAt: closesAt.toISOString(), text: `Window closes in ${formatTimeLeft(left)}` };
  return {
    state: 'closed',
    closedAt: closesAt.toISOString(),
    text: `The 24-hour window closed on ${formatDateTime(closesAt.toISOString())}: only a template can be sent until the customer writes again.`,
  };
}
