import {
  Ban,
  Camera,
  FileText,
  Hand,
  Info,
  LayoutTemplate,
  MapPin,
  Mic,
  Music,
  Pencil,
  Reply,
  ShoppingCart,
  Sticker,
  TriangleAlert,
  UserRound,
  Video,
  type LucideIcon,
} from 'lucide-react';
import type { IconName } from '@/lib/inbox/message-view';

// The one place where the view model's icon names become drawings (lucide's SVGs: no emoji font needed).

const ICONS: Record<IconName, LucideIcon> = {
  image: Camera,
  video: Video,
  audio: Music,
  voice: Mic,
  document: FileText,
  sticker: Sticker,
  location: MapPin,
  contact: UserRound,
  reply: Reply,
  order: ShoppingCart,
  info: Info,
  edit: Pencil,
  unsupported: TriangleAlert,
  deleted: Ban,
  welcome: Hand,
  template: LayoutTemplate,
};

export interface IconProps {
  name: IconName;
  /** Tailwind size and colour classes; 1em square by default, so it follows the text. */
  className?: string;
  /** An accessible name; without one the icon is decorative (hidden from screen readers). */
  label?: string;
}

export function Icon({ name, className = 'inline-block size-[1em] shrink-0 align-[-0.125em]', label }: IconProps) {
  const Drawing = ICONS[name];
  return label ? (
    <Drawing className={className} role="img" aria-label={label} focusable="false" />
  ) : (
    <Drawing className={className} aria-hidden="true" focusable="false" />
  );
}

/** A one-line preview: the icon (decorative, the text says what it is) and the text. */
export function PreviewLine({ preview }: { preview: { icon: IconName | null; text: string } }) {
  return (
    <>
      {preview.icon && (
        <>
          <Icon name={preview.icon} />{' '}
        </>
      )}
      {preview.text}
    </>
  );
}
