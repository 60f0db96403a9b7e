import { getConversationForSignals } from '@/db/queries/customer-signals';
import { countInWindow, deleteStaleCounters } from '@/db/queries/rate-limits';
import type { Db } from '@/db/client';
import { recognisedAcrossBundles } from '@/lib/bundle-identity';
import { describeError, type Logger } from '@/lib/log';
import { serviceWindow } from '@/lib/outbox/service-window';
import type { GraphApiClient } from '@/lib/whatsapp/graph-api';

// What the customer sees of the agent besides messages: blue ticks when an agent opens a conversation with
// unread messages (the newest inbound message marked read, which marks the earlier ones too), and the
// typing indicator while an agent writes a reply. Both are courtesies: Meta is called after the agent's
// request has its answer, never making it wait or fail, and Meta's errors are only logged. Each is
// remembered in rate_limits, shared by every instance: a message is marked read once, and the typing
// indicator is sent at most once per TYPING_INTERVAL_MS per conversation (Meta shows it up to 25 s, or
// until we reply; shared/meta/send-side.md §1.4).

export const TYPING_INTERVAL_MS = 20_000;
/** Meta marks messages read only within 30 days of receipt: a mark older than that cannot be repeated. */
const READ_MARK_KEPT_MS = 30 * 24 * 60 * 60_000;
/** A Meta call of this kind that takes longer is given up (and logged). */
const SIGNAL_TIMEOUT_MS = 10_000;

export type TypingResult = 'sent' | 'throttled' | 'window_closed' | 'no_message';

export class ConversationNotFoundError extends Error {
  constructor() {
    super('Conversation not found');
    this.name = 'ConversationNotFoundError';
  }
}
// Thrown by the app's CustomerSignals, caught by the typing route: lib/bundle-identity.ts.
recognisedAcrossBundles(ConversationNotFoundError, 'ConversationNotFoundError');

export interface CustomerSignalsOptions {
  /** Null without an access token: nothing is sent. */
  graph: GraphApiClient | null;
  /** WHATSAPP_SEND_READ_RECEIPTS. */
  readReceipts: boolean;
  log: Logger;
  typingIntervalMs?: number;
  timeoutMs?: number;
}

export class CustomerSignals {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly options: CustomerSignalsOptions,
  ) {}

  get enabled(): boolean {
    return this.options.graph !== null;
  }

  /**
   * A conversation that had unread messages was just marked read by an agent: mark its newest inbound
   * message read on WhatsApp, once, in the background.
   */
  conversationRead(conversationId: number): void {
    if (!this.enabled || !this.options.readReceipts) return;
    this.track(this.markRead(conversationId));
  }

  /**
   * An agent is typing a reply: show the customer the indicator on their newest message, unless it was
   * shown less than TYPING_INTERVAL_MS ago or the window is closed (typing is only for replies). The call
   * to Meta runs in the background. Throws ConversationNotFoundError.
   */
  async typing(conversationId: number, now = Date.now()): Promise<TypingResult> {
    const conversation = await getConversationForSignals(this.db, conversationId);
    if (!conversation) throw new ConversationNotFoundError();
    if (!serviceWindow(conversation.lastInboundAt, new Date(now)).open) return 'window_closed';
    const message = conversation.newestInbound;
    if (message === null) return 'no_message';
    const interval = this.options.typingIntervalMs ?? TYPING_INTERVAL_MS;
    const { count } = await countInWindow(this.db, `typing:${conversationId}`, now, interval);
    if (count > 1) return 'throttled';
    this.track(
      this.call('typing indicator', conversationId, message.wamid, (graph, signal) =>
        graph.sendTyping(conversation.phoneNumberId, message.wamid, { signal, timeoutMs: this.timeoutMs }),
      ),
    );
    return 'sent';
  }

  /** Resolves when every call to Meta started so far has ended (tests; shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? SIGNAL_TIMEOUT_MS;
  }

  private async markRead(conversationId: number): Promise<void> {
    const conversation = await getConversationForSignals(this.db, conversationId);
    const message = conversation?.newestInbound;
    if (!conversation || !message) return;
    const now = Date.now();
    // Once per message, whichever instance and however often the conversation is opened.
    const { count } = await countInWindow(this.db, `read-receipt:${message.id}`, now, READ_MARK_KEPT_MS);
    if (count > 1) return;
    await this.call('read receipt', conversationId, message.wamid, (graph, signal) =>
      graph.markRead(conversation.phoneNumberId, message.wamid, { signal, timeoutMs: this.timeoutMs }),
    );
    await deleteStaleCounters(this.db, [
      { prefix: 'read-receipt:', before: now - READ_MARK_KEPT_MS },
      { prefix: 'typing:', before: now - 60 * 60_000 },
    ]);
  }

  private async call(
    what: string,
    conversationId: number,
    wamid: string,
    fn: (graph: GraphApiClient, signal?: AbortSignal) => Promise<void>,
  ): Promise<void> {
    try {
      await fn(this.options.graph!);
    } catch (err) {
      this.options.log.warn({ conversationId, wamid, err: describeError(err) }, `${what} not sent`);
    }
  }

  private track(work: Promise<void>): void {
    const running = work
      .catch((err) => this.options.log.warn({ err: describeError(err) }, 'read receipt or typing indicator failed'))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }
}
