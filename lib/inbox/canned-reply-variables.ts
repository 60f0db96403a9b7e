// The variables a canned reply may hold, filled in when the agent picks it in the composer: the text
// lands in the composer for the agent to read and edit before sending. PURE, client-safe.

/** What the composer knows about the conversation and the agent when a reply is picked. */
export interface CannedReplyContext {
  contact: { name: string | null; waId: string | null };
  /** The signed-in agent's name; null while it is not known yet. */
  agentName: string | null;
  /** The business number's display number (as Meta shows it); null when unknown. */
  businessNumber: string | null;
}

export const CANNED_REPLY_VARIABLES = ['contact.name', 'contact.phone', 'agent.name', 'business.number'] as const;
export type CannedReplyVariable = (typeof CANNED_REPLY_VARIABLES)[number];

/** A WhatsApp id is the number's digits: shown with its "+", as the thread header does. */
function phoneOf(waId: string | null): string | null {
  if (!waId) return null;
  return /^\d+$/.test(waId) ? `+${waId}` : waId;
}

function variableValue(variable: string, context: CannedReplyContext): string | null {
  switch (variable) {
    case 'contact.name':
      // A contact without a profile name is greeted by their number rather than by a gap.
      return context.contact.name?.trim() || phoneOf(context.contact.waId);
    case 'contact.phone':
      return phoneOf(context.contact.waId);
    case 'agent.name':
      return context.agentName?.trim() || null;
    case 'business.number': {
      // With its "+", as the thread header shows it (Meta's display number may come without).
      const number = context.businessNumber?.trim().replace(/^\+/, '');
      return number ? `+${number}` : null;
    }
    default:
      return null;
  }
}

/**
 * The body with each `{{variable}}` it knows replaced (spaces inside the braces allowed, case ignored).
 * A variable it does not know, or one with no value here, stays as written: the agent sees it and fills
 * it in by hand, instead of sending a sentence with a hole.
 */
export function fillCannedReply(body: string, context: CannedReplyContext): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (written, name: string) => variableValue(name.toLowerCase(), context) ?? written);
}
