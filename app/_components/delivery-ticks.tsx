'use client';

import { useId, useRef, useState } from 'react';
import { useDismiss } from '@/app/_components/ui/use-dismiss';
import { deliveryView, type DeliveryMark, type DeliveryView } from '@/lib/inbox/message-view';
import type { ApiDeliveryError, MessageStatus } from '@/lib/contracts/inbox';

// WhatsApp's delivery marks for an outbound message (which mark: deliveryView). Error texts come from Meta:
// rendered as text only.

export interface DeliveryTicksProps {
  status: MessageStatus;
  errors?: ApiDeliveryError[];
  /** false inside another button (the conversation list): failed is then a plain mark with a title. */
  interactive?: boolean;
  className?: string;
}

const ICON = 'inline-block h-4 w-4 shrink-0';

function ClockIcon() {
  return (
    <svg viewBox="0 0 16 16" className={ICON} fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <circle cx="8" cy="8" r="5.75" />
      <path d="M8 5v3.25l2 1.25" strokeLinecap="round" />
    </svg>
  );
}

function TickIcon({ double }: { double: boolean }) {
  return (
    <svg viewBox="0 0 18 16" className={`${ICON} w-[18px]`} fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden="true">
      <path d="M1.5 8.5l3 3 6.5-7" strokeLinecap="round" strokeLinejoin="round" />
      {double && <path d="M7.5 11.5l.5.5 6.5-7.5" strokeLinecap="round" strokeLinejoin="round" />}
    </svg>
  );
}

/** A played voice message: WhatsApp shows a blue microphone. */
function MicrophoneIcon() {
  return (
    <svg viewBox="0 0 16 16" className={ICON} fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <rect x="5.75" y="1.75" width="4.5" height="8" rx="2.25" fill="currentColor" />
      <path d="M3.5 7.5a4.5 4.5 0 0 0 9 0M8 12v2.25" strokeLinecap="round" />
    </svg>
  );
}

function FailedIcon() {
  return (
    <svg viewBox="0 0 16 16" className={ICON} aria-hidden="true">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M8 4.25v4.5" stroke="white" strokeWidth="1.75" strokeLinecap="round" />
      <circle cx="8" cy="11.25" r="1" fill="white" />
    </svg>
  );
}

/** "Re-engagement message (131047)": the first error, for the hover title. */
export function failureTitle(errors: ApiDeliveryError[] | undefined): string {
  const first = errors?.[0];
  if (!first) return 'Failed';
  const title = first.title ?? first.message ?? 'Failed';
  return first.code !== null ? `${title} (${first.code})` : title;
}

const TONES: Record<DeliveryView['tone'], string> = {
  grey: 'text-slate-400',
  blue: 'text-sky-500',
  red: 'text-red-600',
  amber: 'text-amber-600',
};

function MarkIcon({ mark }: { mark: DeliveryMark }) {
  switch (mark) {
    case 'clock':
      return <ClockIcon />;
    case 'tick':
      return <TickIcon double={false} />;
    case 'double-tick':
      return <TickIcon double />;
    case 'microphone':
      return <MicrophoneIcon />;
    case 'alert':
      return <FailedIcon />;
  }
}

export function DeliveryTicks({ status, errors = [], interactive = true, className = '' }: DeliveryTicksProps) {
  // 'received' (inbound messages have no ticks), or a status this build does not know: no mark.
  const view = deliveryView(status);
  if (!view) return null;
  if (status === 'failed' && interactive) return <FailedButton errors={errors} className={className} />;
  const title = status === 'failed' ? failureTitle(errors) : view.label;
  return (
    <span role="img" aria-label={view.label} title={title} className={`inline-flex ${TONES[view.tone]} ${className}`}>
      <MarkIcon mark={view.mark} />
    </span>
  );
}

function FailedButton({ errors, className }: { errors: ApiDeliveryError[]; className: string }) {
  const [open, setOpen] = useState(false);
  const popoverId = useId();
  const rootRef = useRef<HTMLSpanElement>(null);

  useDismiss(open, rootRef, () => setOpen(false));

  return (
    <span ref={rootRef} className={`relative inline-flex ${className}`}>
      <button
        type="button"
        aria-label="Failed"
        aria-expanded={open}
        aria-controls={popoverId}
        title={failureTitle(errors)}
        onClick={() => setOpen((o) => !o)}
        className="inline-flex rounded-full text-red-600 hover:text-red-700 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-red-600"
      >
        <span role="img" aria-label="Failed" className="inline-flex">
          <FailedIcon />
        </span>
      </button>
      {open && (
        <div
          id={popoverId}
          role="dialog"
          aria-label="Delivery errors"
          className="absolute right-0 bottom-full z-20 mb-1 w-72 max-w-[80vw] rounded-md border border-red-200 bg-white p-3 text-left text-xs text-slate-700 shadow-lg"
        >
          <p className="mb-1 font-semibold text-red-700">Not delivered</p>
          {errors.length === 0 ? (
            <p>WhatsApp gave no error details.</p>
          ) : (
            <ul className="space-y-2">
              {errors.map((error, i) => (
                <li key={i} className="break-words">
                  <p className="font-medium">
                    {error.title ?? 'Error'}
                    {error.code !== null && <span className="ml-1 font-mono text-slate-500">({error.code})</span>}
                  </p>
                  {error.message && error.message !== error.title && <p>{error.message}</p>}
                  {error.details && <p className="text-slate-500">{error.details}</p>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </span>
  );
}
