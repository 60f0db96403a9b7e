import type { PersonRef } from '@/lib/contracts/activity';

// A note's text cut into plain runs and the @mentions in it, so the view can highlight them (as text,
// never as HTML). PURE.

export type NotePart = { kind: 'text'; text: string } | { kind: 'mention'; text: string; person: PersonRef };

export function splitMentions(text: string, mentioned: readonly PersonRef[]): NotePart[] {
  // Longest names first: "@Ana Silva" before "@Ana".
  const people = [...mentioned].filter((p) => p.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  if (people.length === 0) return [{ kind: 'text', text }];
  const lower = text.toLowerCase();
  const parts: NotePart[] = [];
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    const person = text[i] === '@' ? people.find((p) => lower.startsWith(`@${p.name.toLowerCase()}`, i)) : undefined;
    if (!person) {
      i += 1;
      continue;
    }
    if (i > plainFrom) parts.push({ kind: 'text', text: text.slice(plainFrom, i) });
    const end = i + 1 + person.name.length;
    parts.push({ kind: 'mention', text: text.slice(i, end), person });
    i = end;
    plainFrom = end;
  }
  if (plainFrom < text.length) parts.push({ kind: 'text', text: text.slice(plainFrom) });
  return parts;
}
