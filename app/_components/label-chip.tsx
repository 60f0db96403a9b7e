import { X } from 'lucide-react';
import type { LabelColour } from '@/lib/contracts/labels';

// A label as a chip: its name carries the meaning, its colour only helps the eye. Class names are written
// out per colour (Tailwind keeps only classes it finds in the source).

const CHIP: Record<LabelColour, string> = {
  slate: 'bg-slate-100 text-slate-800 ring-slate-300',
  red: 'bg-red-50 text-red-800 ring-red-200',
  amber: 'bg-amber-50 text-amber-800 ring-amber-200',
  emerald: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  sky: 'bg-sky-50 text-sky-800 ring-sky-200',
  indigo: 'bg-indigo-50 text-indigo-800 ring-indigo-200',
  violet: 'bg-violet-50 text-violet-800 ring-violet-200',
  pink: 'bg-pink-50 text-pink-800 ring-pink-200',
};

const SWATCH: Record<LabelColour, string> = {
  slate: 'bg-slate-500',
  red: 'bg-red-500',
  amber: 'bg-amber-500',
  emerald: 'bg-emerald-500',
  sky: 'bg-sky-500',
  indigo: 'bg-indigo-500',
  violet: 'bg-violet-500',
  pink: 'bg-pink-500',
};

/** The colours' names as people read them. */
export const COLOUR_NAMES: Record<LabelColour, string> = {
  slate: 'Slate',
  red: 'Red',
  amber: 'Amber',
  emerald: 'Emerald',
  sky: 'Sky',
  indigo: 'Indigo',
  violet: 'Violet',
  pink: 'Pink',
};

/** A round dot of the colour (decorative: a name beside it says which). */
export function ColourSwatch({ colour, className = 'size-3' }: { colour: LabelColour; className?: string }) {
  return <span aria-hidden="true" className={`inline-block shrink-0 rounded-full ${SWATCH[colour]} ${className}`} />;
}

export function LabelChip({
  label,
  size = 'sm',
  onRemove,
  removing = false,
}: {
  label: { name: string; colour: LabelColour };
  size?: 'xs' | 'sm';
  /** A remove button ("Remove label <name>") when given. */
  onRemove?: () => void;
  removing?: boolean;
}) {
  const text = size === 'xs' ? 'px-1.5 text-[10px] leading-4' : 'px-2 py-0.5 text-xs';
  return (
    <span
      data-testid="label-chip"
      className={`inline-flex max-w-full items-center gap-1 rounded-full ring-1 ring-inset ${CHIP[label.colour]} ${text}`}
    >
      <span className="truncate">{label.name}</span>
      {onRemove && (
        <button
          type="button"
          onClick={onRemove}
          disabled={removing}
          aria-label={`Remove label ${label.name}`}
          className="-mr-1 rounded-full p-0.5 hover:bg-black/10 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none disabled:opacity-50"
        >
          <X className="size-3" aria-hidden="true" />
        </button>
      )}
    </span>
  );
}
