import { Forward, Reply } from 'lucide-react';
import type { ReactNode } from 'react';
import { useMessage } from '@/app/_components/api/use-inbox';
import { DeliveryTicks } from '@/app/_components/delivery-ticks';
import { Icon, PreviewLine } from '@/app/_components/icon';
import { MediaAttachment } from '@/app/_components/media-attachment';
import {
  REPLY_LABELS,
  formatMoney,
  previewOfMessage,
  type MessageView,
  type Referral,
  type ThreadMessageItem,
  type ThreadReaction,
  type ThreadReactionNotice,
} from '@/lib/inbox/message-view';
import { formatDateTime, formatTime } from '@/lib/inbox/format-time';
import { linkify } from '@/lib/inbox/linkify';

// One thread item. Everything from WhatsApp is untrusted: it reaches the DOM only as React text
// children, and as an href only through linkify's checked http(s) links.

export interface MessageBubbleProps {
  item: ThreadMessageItem | ThreadReactionNotice;
}

const EXTERNAL_LINK = { target: '_blank', rel: 'noopener noreferrer nofollow' } as const;

export function LinkifiedText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((segment, i) =>
        segment.kind === 'link' ? (
          <a key={i} href={segment.href} {...EXTERNAL_LINK} className="break-all text-sky-700 underline hover:text-sky-900">
            {segment.text}
          </a>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </>
  );
}

export function MessageBubble({ item }: MessageBubbleProps) {
  if (item.kind === 'reaction-notice') return <ReactionNotice item={item} />;
  const { message, view } = item;

  // Notices from WhatsApp itself sit in the middle of the thread.
  if (view.kind === 'system' || view.kind === 'request_welcome') {
    return (
      <div data-testid="message" data-wamid={message.id} data-direction={message.direction} className="my-1 flex justify-center">
        <p className="max-w-[85%] rounded-lg bg-amber-50 px-3 py-1 text-center text-xs text-slate-600 shadow-sm">
          {view.kind === 'system' ? view.body : view.label}
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
      className={`flex ${outbound ? 'justify-end' : 'justify-start'}`}
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
          <Content
            view={view}
            outbound={outbound}
            from={outbound ? 'you' : (message.contact.name ?? message.contact.waId ?? 'the customer')}
          />
          <footer className="mt-0.5 flex items-center justify-end gap-1 text-[11px] leading-none text-slate-500">
            {view.editedAt && view.kind !== 'deleted' && <span title={formatDateTime(view.editedAt)}>Edited</span>}
            <time dateTime={message.timestamp} title={formatDateTime(message.timestamp)}>
              {formatTime(message.timestamp)}
            </time>
            {outbound && <DeliveryTicks status={message.status} errors={message.errors} />}
          </footer>
        </div>
        {item.reactions.length > 0 && <Reactions reactions={item.reactions} />}
      </div>
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

function Muted({ children }: { children: ReactNode }) {
  return <p className="text-slate-500 italic">{children}</p>;
}

function Content({ view, outbound, from }: { view: MessageView; outbound: boolean; from: string }) {
  switch (view.kind) {
    case 'text':
      return view.text ? (
        <p className="break-words whitespace-pre-wrap">
          <LinkifiedText text={view.text} />
        </p>
      ) : (
        <Muted>Empty message</Muted>
      );
    case 'media':
      return (
        <div>
          <MediaAttachment view={view} from={from} />
          {view.caption && (
            <p className="mt-1 break-words whitespace-pre-wrap">
              <LinkifiedText text={view.caption} />
            </p>
          )}
        </div>
      );
    case 'location':
      return (
        <div className="flex gap-2">
          <Icon name="location" className="size-6 shrink-0 text-rose-600" />
          <div className="min-w-0">
            <p className="font-medium break-words">{view.name ?? 'Location'}</p>
            {view.address && <p className="text-xs break-words text-slate-600">{view.address}</p>}
            {view.latitude !== null && view.longitude !== null && (
              <p className="font-mono text-[11px] text-slate-500">
                {view.latitude}, {view.longitude}
              </p>
            )}
            {view.mapUrl && (
              <a href={view.mapUrl} {...EXTERNAL_LINK} className="text-xs text-sky-700 underline hover:text-sky-900">
                Open map
              </a>
            )}
          </div>
        </div>
      );
    case 'contacts':
      return (
        <ul className="space-y-1">
          {view.contacts.map((card, i) => (
            <li key={i} className="rounded-md bg-black/5 p-2 text-xs">
              <p className="text-sm font-medium break-words">
                <Icon name="contact" className="mr-1 inline-block size-4 align-[-0.2em] text-slate-500" />
                {card.name}
              </p>
              {card.org && <p className="text-slate-600">{card.org}</p>}
              {card.phones.map((p, j) => (
                <p key={`p${j}`} className="text-slate-700">
                  {p.phone}
                  {p.type && <span className="text-slate-500"> · {p.type.toLowerCase()}</span>}
                </p>
              ))}
              {card.emails.map((e, j) => (
                <p key={`e${j}`} className="break-all text-slate-700">
                  {e.email}
                </p>
              ))}
            </li>
          ))}
        </ul>
      );
    case 'reply':
      return (
        <div>
          <p className="flex items-center gap-1 text-[11px] text-slate-500">
            <Reply className="size-3 shrink-0" aria-hidden="true" />
            {REPLY_LABELS[view.replyKind]}
          </p>
          <p className="font-medium break-words">{view.title}</p>
          {view.description && <p className="text-xs break-words text-slate-600">{view.description}</p>}
          {view.fields.length > 0 && (
            <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-xs">
              {view.fields.map((f, i) => (
                <div key={i} className="contents">
                  <dt className="text-slate-500">{f.label}</dt>
                  <dd className="break-words">{f.value}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      );
    case 'order':
      return (
        <div className="text-xs">
          <p className="mb-1 text-sm font-medium">
            <Icon name="order" className="mr-1 inline-block size-4 align-[-0.2em] text-slate-500" />
            Order
          </p>
          {view.items.length > 0 && (
            <table className="w-full border-collapse">
              <thead>
                <tr className="text-left text-slate-500">
                  <th className="pr-2 font-normal">Item</th>
                  <th className="pr-2 text-right font-normal">Qty</th>
                  <th className="text-right font-normal">Price</th>
                </tr>
              </thead>
              <tbody>
                {view.items.map((line, i) => (
                  <tr key={i} className="border-t border-black/5">
                    <td className="pr-2 break-all">{line.productRetailerId ?? '—'}</td>
                    <td className="pr-2 text-right">{line.quantity ?? '—'}</td>
                    <td className="text-right whitespace-nowrap">
                      {line.itemPrice !== null ? formatMoney(line.itemPrice, line.currency) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
              {view.totals.length > 0 && (
                <tfoot>
                  {view.totals.map((total) => (
                    <tr key={total.currency} className="border-t border-black/10 font-medium">
                      <td className="pr-2" colSpan={2}>
                        Total
                      </td>
                      <td className="text-right whitespace-nowrap">{formatMoney(total.amount, total.currency)}</td>
                    </tr>
                  ))}
                </tfoot>
              )}
            </table>
          )}
          {view.text && (
            <p className="mt-1 text-sm break-words whitespace-pre-wrap">
              <LinkifiedText text={view.text} />
            </p>
          )}
          {view.catalogId && <p className="mt-1 text-[11px] text-slate-400">Catalog {view.catalogId}</p>}
        </div>
      );
    case 'unsupported':
      return (
        <div className="rounded-md border border-dashed border-amber-300 bg-amber-50 px-2 py-1">
          <p className="font-medium text-amber-800">
            <Icon name="unsupported" className="mr-1 inline-block size-4 align-[-0.2em]" />
            Unsupported message
          </p>
          <p className="text-xs text-amber-700">
            Type: <span className="font-mono">{view.type}</span>
          </p>
          {view.errorTitle && <p className="text-xs text-slate-600">{view.errorTitle}</p>}
          {view.text && <p className="mt-1 text-sm break-words whitespace-pre-wrap">{view.text}</p>}
        </div>
      );
    case 'placeholder':
      return <Muted>{outbound ? `${view.label} — content not available` : `${view.label}`}</Muted>;
    case 'deleted':
      return (
        <Muted>
          <Icon name="deleted" className="mr-1 inline-block size-3.5 align-[-0.15em]" />
          {view.label}
        </Muted>
      );
    case 'reaction':
      // Reactions are folded into their targets by buildThread; shown plainly if one gets here.
      return <Muted>{view.emoji ? `Reacted ${view.emoji}` : 'Removed a reaction'}</Muted>;
    case 'system':
      return <p>{view.body}</p>;
    case 'request_welcome':
      return <p>{view.label}</p>;
  }
}
