import { rewritesTarget } from '@/lib/whatsapp/message-types';

// WhatsApp's 24-hour customer service window. It opens, or starts again, when the customer sends a message
// (by Meta's timestamp of that message, not our arrival time); our own messages never extend it. While it
// is open anything may be sent; when closed, only an approved template (Meta answers 131047 otherwise).
// Sources: shared/meta/send-side.md §1.7 (Meta: "When a WhatsApp user messages you … a 24-hour timer starts").

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a stored message opens the window: anything the customer sent, but not WhatsApp's own system
 * notices (a number change) nor an edit or a revoke of an earlier message. Migration 0008 spells the same
 * rule in SQL for conversations stored before it.
 */
export function opensServiceWindow(m: { direction: string; type: string }): boolean {
  return m.direction === 'inbound' && m.type !== 'system' && !rewritesTarget(m.type);
}

export interface ServiceWindow {
  open: boolean;
  /** When it closes (open) or closed (closed); null when the customer never wrote. */
  closesAt: Date | null;
}

export function serviceWindow(lastInboundAt: Date | null, now: Date = new Date()): ServiceWindow {
  if (lastInboundAt === null) return { open: false, closesAt: null };
  const closesAt = new Date(lastInboundAt.getTime() + SERVICE_WINDOW_MS);
  return { open: closesAt.getTime() > now.getTime(), closesAt };
}
