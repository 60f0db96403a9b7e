import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { conversationParamsSchema } from '@/lib/contracts/inbox';
import { notFound } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import { parseConversationId } from '@/lib/inbox/read-api';
import { sendingDisabled } from '@/lib/outbox/outbox-api';
import { ConversationNotFoundError, type CustomerSignals } from './customer-signals';

// POST /api/conversations/{id}/typing: the composer says an agent is typing a reply. 204 whether or not
// the indicator went out this time (at most every 20 s; never outside the 24-hour window).

export interface TypingApiDeps extends AccessDeps {
  signals: Pick<CustomerSignals, 'enabled' | 'typing'>;
}

const typingApiDeps = (app: App): TypingApiDeps => ({ ...app.access, signals: app.customerSignals });

export const postConversationTyping = defineRoute(
  {
    method: 'POST',
    path: '/api/conversations/{id}/typing',
    access: 'inbox',
    summary:
      'Shows the customer the typing indicator on their newest message (at most every 20 s; nothing when the 24-hour window is closed). 204; 409 sending_disabled without an access token.',
    deps: typingApiDeps,
    params: conversationParamsSchema,
    status: 204,
  },
  async ({ deps, params }) => {
    const id = parseConversationId(params.id);
    if (!deps.signals?.enabled) throw sendingDisabled();
    try {
      await deps.signals.typing(id);
    } catch (err) {
      if (err instanceof ConversationNotFoundError) throw notFound('Conversation not found');
      throw err;
    }
    return new Response(null, { status: 204 });
  },
);
