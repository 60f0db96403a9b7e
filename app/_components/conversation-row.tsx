import type { ButtonHTMLAttributes, Ref } from 'react';
import { AssigneeBadge } from '@/app/_components/assignee-badge';
import { DeliveryTicks } from '@/app/_components/delivery-ticks';
import { PreviewLine } from '@/app/_components/icon';
import { formatRelativeTime } from '@/lib/inbox/format-time';
import { previewOf } from '@/lib/inbox/message-view';
import type { ApiContact, ApiConversation } from '@/lib/contracts/inbox';

// One row of the conversation list. Presentational: the list owns selection, focus and keys;
// extra button attributes (tabIndex, onKeyDown, id ...) and a ref pass through to the root.

export interface ConversationRowProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onSelect' | 'children' | 'type'> {
  conversation: ApiConversation;
  selected: boolean;
  showBusinessNumber: boolean;
  /** For the relative time; one shared value keeps the list consistent. */
  now: Date;
  onSelect: (conversationId: string) => void;
  ref?: Ref<HTMLButtonElement>;
}

/** Name, else "+wa_id" for phone numbers, else the id as is (groups, BSUIDs). */
export function contactLabel(contact: ApiContact): string {
  const name = contact.name?.trim();
  if (name) return name;
  if (contact.waId) return /^\d+$/.test(contact.waId) ? `+${contact.waId}` : contact.waId;
  return contact.userId ?? 'Unknown contact';
}

/** A business number as people know it ("+1 555…"), else Meta's phone_number_id. */
export function businessNumberLabel(displayPhoneNumber: string | null | undefined, phoneNumberId: string): string {
  return displayPhoneNumber ? `+${displayPhoneNumber.replace(/^\+/, '')}` : phoneNumberId;
}

/** Up to two initials from the name; '#' when all we have is a number or id. */
export function initialsOf(contact: ApiContact): string {
  const name = contact.name?.trim();
  if (!name) return '#';
  const letters = name
    .split(/\s+/)
    .map((word) => Array.from(word).find((ch) => /\p{L}|\p{N}/u.test(ch)))
    .filter((ch): ch is string => ch !== undefined);
  const initials = letters.length > 1 ? `${letters[0]}${letters.at(-1)}` : (letters[0] ?? Array.from(name)[0] ?? '#');
  return initials.toUpperCase();
}

// Literal class names so Tailwind sees them.
const AVATAR_COLORS = [
  'bg-emerald-600',
  'bg-sky-600',
  'bg-violet-600',
  'bg-amber-600',
  'bg-rose-600',
  'bg-teal-600',
  'bg-indigo-600',
  'bg-fuchsia-600',
];

function avatarColor(key: string): string {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return AVATAR_COLORS[hash % AVATAR_COLORS.length] ?? 'bg-slate-500';
}

export function ConversationRow({
  conversation,
  selected,
  showBusinessNumber,
  now,
  onSelect,
  ref,
  className = '',
  ...rest
}: ConversationRowProps) {
  const { contact, lastMessage, unreadCount } = conversation;
  const label = contactLabel(contact);
  const preview = previewOf(lastMessage);
  const time = formatRelativeTime(conversation.lastMessageAt ?? lastMessage?.timestamp ?? null, now);
  const unread = unreadCount > 0;

  return (
    <button
      {...rest}
      ref={ref}
      type="button"
      data-testid="conversation"
      data-conversation-id={conversation.id}
      aria-current={selected ? 'true' : undefined}
      onClick={(event) => {
        rest.onClick?.(event);
        if (!event.defaultPrevented) onSelect(conversation.id);
      }}
      className={`flex w-full items-center gap-3 border-b border-slate-100 px-3 py-2.5 text-left transition-colors focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-emerald-600 ${
        selected ? 'bg-slate-100' : 'bg-white hover:bg-slate-50'
      } ${className}`}
    >
      <span
        aria-hidden="true"
        className={`flex h-11 w-11 shrink-0 items-center justify-center rounded-full text-sm font-semibold text-white ${avatarColor(contact.waId ?? contact.userId ?? conversation.id)}`}
      >
        {initialsOf(contact)}
      </span>
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="flex items-baseline gap-2">
          <span className={`min-w-0 flex-1 truncate text-sm ${unread ? 'font-semibold text-slate-900' : 'font-medium text-slate-800'}`}>
            {label}
          </span>
          {conversation.assignee && <AssigneeBadge person={conversation.assignee} />}
          {time && (
            <time
              dateTime={conversation.lastMessageAt ?? lastMessage?.timestamp ?? undefined}
              className={`shrink-0 text-xs ${unread ? 'font-medium text-emerald-600' : 'text-slate-500'}`}
            >
              {time}
            </time>
          )}
        </span>
        {showBusinessNumber && (
          <span className="truncate text-[11px] text-slate-400">
            via {businessNumberLabel(conversation.displayPhoneNumber, conversation.businessPhoneNumberId)}
          </span>
        )}
        <span className="mt-0.5 flex items-center gap-1">
          {lastMessage?.direction === 'outbound' && <DeliveryTicks status={lastMessage.status} interactive={false} />}
          <span className={`min-w-0 flex-1 truncate text-xs ${unread ? 'text-slate-700' : 'text-slate-500'}`}>
            <PreviewLine preview={preview} />
          </span>
          {unread && (
            <span
              role="img"
              aria-label={`${unreadCount} unread ${unreadCount === 1 ? 'message' : 'messages'}`}
              className="ml-1 min-w-5 shrink-0 rounded-full bg-emerald-500 px-1.5 text-center text-[11px] leading-5 font-semibold text-white"
            >
              {unreadCount > 99 ? '99+' : unreadCount}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}
