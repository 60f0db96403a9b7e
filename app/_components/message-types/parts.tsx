import type { ReactNode } from 'react';
import type { MessageView } from '@/lib/inbox/message-view';
import { linkify } from '@/lib/inbox/linkify';

// What the renderers share. Everything from WhatsApp is untrusted: it reaches the DOM only as React
// text children, and as an href only through linkify's checked http(s) links.

export const EXTERNAL_LINK = { target: '_blank', rel: 'noopener noreferrer nofollow' } as const;

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

export function Muted({ children }: { children: ReactNode }) {
  return <p className="text-slate-500 italic">{children}</p>;
}

export type MessageViewKind = MessageView['kind'];

/** What each renderer gets: its own kind of view, the direction, and who sent it (for accessible names). */
export interface RendererProps<Kind extends MessageViewKind> {
  view: Extract<MessageView, { kind: Kind }>;
  outbound: boolean;
  from: string;
}
