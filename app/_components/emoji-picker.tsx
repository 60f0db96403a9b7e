'use client';
import { SmilePlus } from 'lucide-react';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useDismiss } from '@/app/_components/ui/use-dismiss';

// A small emoji picker: a button that opens a grid of common emoji. The emoji are content (text the
// customer receives), not the UI's icons, which come from lucide.

export const COMMON_EMOJI = [
  '👍',
  '❤️',
  '😂',
  '😮',
  '😢',
  '🙏',
  '👏',
  '🎉',
  '😊',
  '😉',
  '😍',
  '🤔',
  '🙌',
  '👌',
  '✅',
  '🔥',
  '😀',
  '😅',
  '🙂',
  '😎',
  '🤝',
  '💯',
  '⭐',
  '📦',
] as const;

export interface EmojiPickerProps {
  /** The opening button's accessible name ("Emoji", "React"). */
  label: string;
  onPick: (emoji: string) => void;
  /** Shown as pressed (a message's current reaction: choosing it again removes it). */
  selected?: string | null;
  /** Opens above (the composer) or below (a message near the top). */
  placement?: 'above' | 'below';
  /** Instead of the default smiley icon. */
  children?: ReactNode;
  buttonClassName?: string;
  disabled?: boolean;
}

export function EmojiPicker({
  label,
  onPick,
  selected = null,
  placement = 'above',
  children,
  buttonClassName,
  disabled,
}: EmojiPickerProps) {
  const [open, setOpen] = useState(false);
  const popoverId = useId();
  const rootRef = useRef<HTMLSpanElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useDismiss(open, rootRef, () => setOpen(false), buttonRef);
  // The first emoji takes the focus, so the grid is reachable from the keyboard at once.
  useEffect(() => {
    if (open) rootRef.current?.querySelector<HTMLButtonElement>('[data-emoji]')?.focus();
  }, [open]);

  const pick = (emoji: string) => {
    setOpen(false);
    buttonRef.current?.focus();
    onPick(emoji);
  };

  return (
    <span ref={rootRef} className="relative inline-flex">
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={open ? popoverId : undefined}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        className={
          buttonClassName ??
          'rounded-full p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none disabled:opacity-50'
        }
      >
        {children ?? <SmilePlus className="size-5" aria-hidden="true" />}
      </button>
      {open && (
        <div
          id={popoverId}
          role="group"
          aria-label={`${label}: choose an emoji`}
          className={`absolute z-30 grid w-64 grid-cols-8 gap-0.5 rounded-lg border border-slate-200 bg-white p-1.5 shadow-lg ${
            placement === 'above' ? 'bottom-full left-0 mb-1' : 'top-full right-0 mt-1'
          }`}
        >
          {COMMON_EMOJI.map((emoji) => (
            <button
              key={emoji}
              type="button"
              data-emoji={emoji}
              aria-label={emoji}
              aria-pressed={selected === null ? undefined : selected === emoji}
              onClick={() => pick(emoji)}
              className={`rounded p-1 text-lg leading-none hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none ${
                selected === emoji ? 'bg-emerald-100' : ''
              }`}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
