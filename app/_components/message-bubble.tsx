import { Forward } from 'lucide-react';
import { memo } from 'react';
import { useMessage } from '@/app/_components/api/use-inbox';
import { DeliveryTicks } from '@/app/_components/delivery-ticks';
import { PreviewLine } from '@/app/_components/icon';
import { MessageActions, SendProblem } from '@/app/_components/message-actions';
import { LinkifiedText, MessageBody } from '@/app/_components/message-types';
import {
  previewOfMessage,
  type Referral,
  type ThreadMessageItem,
  type ThreadReaction,
  type ThreadReactionNotice,
} from '@/lib/inbox/message-view';
import { formatDateTime, formatTime } from '@/lib/inbox/format-time';

// One thread item: the bubble around a message (forwarded, ad referral, quote, time, ticks, reactions);
// what the message says is drawn by its kind's renderer (app/_components/message-types). Everything
// from WhatsApp is untrusted: it reaches the DOM only as React text children, and as an href only
// through linkify's checked http(s) links.

export interface MessageBubbleProps {
  item: ThreadMessageItem | ThreadReactionNotice;
}

export { LinkifiedText };

/**
 * Drawn again only when its message, quote or reactions changed: the thread rebuilds every item whenever
 * anything on the page changes (a message that came, someone typing), and redrawing fifty bubbles each
 * time is most of the time a new message takes to show.
 */
export const MessageBubble = memo(MessageBubbleItem, (before, after) => sameItem(before.item, after.item));

function sameItem(a: MessageBubbleProps['item'], b: MessageBubbleProps['item']): boolean {
  if (a.message !== b.message) return false;
  if (a.kind === 'reaction-notice' || b.kind === 'reaction-notice') {
    return a.kind === 'reaction-notice' && b.kind === 'reaction-notice' && a.emoji === b.emoji;
  }
  return (
    a.quoted === b.quoted &&
    a.quotedMissingId === b.quotedMissingId &&
    a.reactions.length === b.reactions.length &&
    a.reactions.every((r, i) => r.emoji === b.reactions[i]?.emoji && r.direction === b.reactions[i]?.direction)
  );
}

function MessageBubbleItem({ item }: MessageBubbleProps) {
  if (item.kind === 'reaction-notice') return <ReactionNotice item={item} />;
  const { message, view } = item;

  // Notices from WhatsApp itself sit in the middle of the thread.
  if (view.kind === 'system' || view.kind === 'request_welcome') {
    return (
      <div data-testid="message" data-wamid={message.id} data-direction={message.direction} className="my-1 flex justify-center">
        <p className="max-w-[85%] rounded-lg bg-amber-50 px-3 py-1 text-center text-xs text-slate-600 shadow-sm">
          <MessageBody view={view} outbound={message.direction === 'outbound'} from="" />
          <span className="ml-2 text-[11px] text-slate-400">{formatTime(message.timestamp)}</span>
        </p>
      </div>
    );
  }

  const outbound = message.direction === 'outbound';
  return (
    <div
      data-testid="message"
      data-wamid={message.id}
      data-direction={message.direction}
      data-kind={view.kind}
      className={`group flex items-start gap-1 ${outbound ? 'flex-row-reverse justify-start' : 'justify-start'}`}
    >
      <div className={`flex max-w-[85%] flex-col sm:max-w-[70%] ${outbound ? 'items-end' : 'items-start'}`}>
        <div
          className={`relative min-w-[5rem] rounded-lg px-2.5 pt-1.5 pb-1 text-sm text-slate-900 shadow-sm ${
            outbound ? 'rounded-tr-none bg-[#d9fdd3]' : 'rounded-tl-none bg-white'
          }`}
        >
          {view.forwarded && view.kind !== 'deleted' && (
            <p className="mb-0.5 flex items-center gap-1 text-xs text-slate-500 italic">
              <Forward className="size-3.5 shrink-0" aria-hidden="true" />
              {view.frequentlyForwarded ? 'Forwarded many times' : 'Forwarded'}
            </p>
          )}
          {view.referral && view.kind !== 'deleted' && <ReferralBox referral={view.referral} />}
          {(item.quoted || item.quotedMissingId) && view.kind !== 'deleted' && <QuotedBlock item={item} />}
          <MessageBody
            view={view}
            outbound={outbound}
            from={outbound ? 'you' : (message.contact.name ?? message.contact.waId ?? 'the customer')}
          />
          <footer className="mt-0.5 flex items-center justify-end gap-1 text-[11px] leading-none text-slate-500">
            {outbound && message.sentBy && (
              <span data-testid="sent-by" className="mr-1 max-w-40 truncate" title={`Written by ${message.sentBy.name}`}>
                {message.sentBy.name}
              </span>
            )}
            {view.editedAt && view.kind !== 'deleted' && <span title={formatDateTime(view.editedAt)}>Edited</span>}
            <time dateTime={message.timestamp} title={formatDateTime(message.timestamp)}>
              {formatTime(message.timestamp)}
            </time>
            {outbound && <DeliveryTicks status={message.status} errors={message.errors} />}
          </footer>
        </div>
        {item.reactions.length > 0 && <Reactions reactions={item.reactions} />}
        {outbound && <SendProblem message={message} />}
      </div>
      <MessageActions item={item} />
    </div>
  );
}

function ReactionNotice({ item }: { item: ThreadReactionNotice }) {
  const who = item.direction === 'outbound' ? 'You' : 'Customer';
  return (
    <div
      data-testid="reaction-notice"
      data-wamid={item.message.id}
      data-direction={item.direction}
      className={`flex ${item.direction === 'outbound' ? 'justify-end' : 'justify-start'}`}
    >
      <p className="rounded-full bg-white/70 px-3 py-0.5 text-xs text-slate-500 italic shadow-sm">
        {who}: {item.text}
        <span className="ml-2 text-[11px] not-italic text-slate-400">{formatTime(item.message.timestamp)}</span>
      </p>
    </div>
  );
}

function Reactions({ reactions }: { reactions: ThreadReaction[] }) {
  return (
    <ul className="-mt-1 flex gap-1 px-2" aria-label="Reactions">
      {reactions.map((r) => {
        const who = r.direction === 'outbound' ? 'You' : 'Customer';
        return (
          <li
            key={r.direction}
            title={`${who} reacted ${r.emoji}`}
            aria-label={`${who} reacted ${r.emoji}`}
            className="rounded-full border border-slate-200 bg-white px-1.5 text-sm leading-5 shadow-sm"
          >
            {r.emoji}
          </li>
        );
      })}
    </ul>
  );
}

function QuotedBlock({ item }: { item: ThreadMessageItem }) {
  // A reply to an older message than the pages loaded so far: fetch just that one.
  const lookup = useMessage(!item.quoted && item.quotedMissingId ? item.quotedMissingId : null);
  const quoted = item.quoted ?? lookup.data;
  if (!quoted) {
    return (
      <div className="mb-1 rounded border-l-4 border-slate-300 bg-black/5 px-2 py-1 text-xs text-slate-500 italic">
        {lookup.error ? 'Original message not available' : 'Loading the original message…'}
      </div>
    );
  }
  const preview = previewOfMessage(quoted);
  const fromUs = quoted.direction === 'outbound';
  return (
    <div className={`mb-1 rounded border-l-4 bg-black/5 px-2 py-1 text-xs ${fromUs ? 'border-emerald-500' : 'border-sky-500'}`}>
      <p className={`font-medium ${fromUs ? 'text-emerald-700' : 'text-sky-700'}`}>
        {fromUs ? 'You' : (quoted.contact.name ?? 'Customer')}
      </p>
      <p className="line-clamp-2 break-words text-slate-600">
        <PreviewLine preview={preview} />
      </p>
    </div>
  );
}

function ReferralBox({ referral }: { referral: Referral }) {
  return (
    <div className="mb-1 rounded border border-slate-200 bg-slate-50 px-2 py-1 text-xs text-slate-600">
      <p className="font-medium text-slate-700">From ad: {referral.headline ?? 'an ad'}</p>
      {referral.body && <p className="break-words">{referral.body}</p>}
      {(referral.sourceType || referral.sourceUrl) && (
        <p className="break-all text-slate-500">
          {referral.sourceType && <span>Source: {referral.sourceType}</span>}
          {referral.sourceType && referral.sourceUrl && ' · '}
          {referral.sourceUrl && <LinkifiedText text={referral.sourceUrl} />}
        </p>
      )}
    </div>
  );
}
