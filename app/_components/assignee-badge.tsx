import type { PersonRef } from '@/lib/contracts/activity';

// Who a conversation is assigned to, as a small circle of initials; the name is in its title and label
// (the row has little room, and a screen reader still hears it).

/** Up to two initials of a person's name. */
export function personInitials(name: string): string {
  const letters = name
    .trim()
    .split(/\s+/)
    .map((word) => Array.from(word).find((ch) => /\p{L}|\p{N}/u.test(ch)))
    .filter((ch): ch is string => ch !== undefined);
  const initials = letters.length > 1 ? `${letters[0]}${letters.at(-1)}` : (letters[0] ?? '?');
  return initials.toUpperCase();
}

export function AssigneeBadge({ person, size = 'sm' }: { person: PersonRef; size?: 'sm' | 'md' }) {
  return (
    <span
      role="img"
      data-testid="assignee-badge"
      title={`Assigned to ${person.name}`}
      aria-label={`Assigned to ${person.name}`}
      className={`inline-flex shrink-0 items-center justify-center rounded-full bg-indigo-100 font-semibold text-indigo-800 ${
        size === 'sm' ? 'h-5 min-w-5 px-1 text-[10px]' : 'h-6 min-w-6 px-1 text-[11px]'
      }`}
    >
      {personInitials(person.name)}
    </span>
  );
}
