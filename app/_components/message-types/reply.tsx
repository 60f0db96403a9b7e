import { Reply } from 'lucide-react';
import { REPLY_LABELS } from '@/lib/inbox/message-view';
import type { RendererProps } from './parts';

/** The customer's answer: an interactive button, list row or Flow, or a template's quick-reply button. */
export function ReplyMessage({ view }: RendererProps<'reply'>) {
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
}
