'use client';
import { Reply, RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { EmojiPicker } from '@/app/_components/emoji-picker';
import { useThreadActions } from '@/app/_components/thread-actions';
import type { ApiMessage } from '@/lib/contracts/inbox';
import type { ThreadMessageItem } from '@/lib/inbox/message-view';
import { explainErrorCode } from '@/lib/whatsapp/error-codes';

// Beside a message of the open thread: Reply and React; under one of ours that did not go out: why, and
// Retry. Only where the thread page provides its actions (useThreadActions).

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Reply and React, for messages WhatsApp knows (they have a wamid) while free-form sending is possible. */
export function MessageActions({ item }: { item: ThreadMessageItem }) {
  const actions = useThreadActions();
  const [error, setError] = useState<string | null>(null);
  const { message, view } = item;
  if (!actions?.canSend || message.wamid === null || message.placeholder || view.kind === 'deleted') return null;
  const ours = item.reactions.find((r) => r.direction === 'outbound')?.emoji ?? null;
  const react = (emoji: string) => {
    setError(null);
    // The same emoji again takes our reaction back (WhatsApp: an empty emoji).
    actions.react(message, emoji === ours ? '' : emoji).catch((err) => setError(errorText(err)));
  };
  return (
    <div data-testid="message-actions" className="flex flex-col">
      <div className="flex items-center gap-0.5 opacity-0 transition-opacity group-hover:opacity-100 focus-within:opacity-100">
        <button
          type="button"
          aria-label="Reply"
          title="Reply"
          onClick={() => actions.reply(message)}
          className="rounded-full p-1.5 text-slate-500 hover:bg-white hover:text-slate-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
        >
          <Reply className="size-4" aria-hidden="true" />
        </button>
        <EmojiPicker
          label="React"
          selected={ours}
          placement="below"
          onPick={react}
          buttonClassName="rounded-full p-1.5 text-slate-500 hover:bg-white hover:text-slate-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
        />
      </div>
      {error && (
        <p role="alert" className="max-w-48 text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** What went wrong with a message of ours (failed: Meta's reason explained; unconfirmed: said plainly), and Retry. */
export function SendProblem({ message }: { message: ApiMessage }) {
  const actions = useThreadActions();
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (message.direction !== 'outbound' || (message.status !== 'failed' && message.status !== 'unconfirmed')) return null;
  const text = message.status === 'unconfirmed' ? UNCONFIRMED_TEXT : failureText(message);
  // Only a message written here can be sent again from here.
  const canRetry = actions !== null && message.clientId !== null;
  const retry = () => {
    if (!actions || retrying) return;
    setRetrying(true);
    setError(null);
    actions
      .retry(message)
      .catch((err) => setError(errorText(err)))
      .finally(() => setRetrying(false));
  };
  return (
    <div
      data-testid="send-problem"
      data-status={message.status}
      className={`mt-1 max-w-full rounded-md border px-2 py-1 text-xs ${
        message.status === 'failed' ? 'border-red-200 bg-red-50 text-red-800' : 'border-amber-200 bg-amber-50 text-amber-900'
      }`}
    >
      <p className="break-words">{text}</p>
      {canRetry && (
        <button
          type="button"
          onClick={retry}
          disabled={retrying}
          className="mt-1 inline-flex items-center gap-1 rounded border border-current/30 bg-white px-2 py-0.5 font-medium hover:bg-white/70 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none disabled:opacity-60"
        >
          <RotateCcw className="size-3.5" aria-hidden="true" />
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      )}
      {error && (
        <p role="alert" className="mt-1 text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

const UNCONFIRMED_TEXT =
  'May not have been sent: WhatsApp did not answer in time, so we cannot tell whether it went out. Retry sends it again (the customer may then get it twice).';

/** Our explanation of Meta's code when we have one, else Meta's own words. */
function failureText(message: ApiMessage): string {
  const first = message.errors[0];
  const explanation = explainErrorCode(first?.code);
  const code = first?.code != null ? ` (${first.code})` : '';
  if (explanation) return `Not sent${code}: ${explanation.summary} ${explanation.action}`;
  const meta = first?.message ?? first?.title ?? first?.details;
  return meta ? `Not sent${code}: ${meta}` : 'Not sent: WhatsApp gave no reason.';
}
