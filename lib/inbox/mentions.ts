import type { PersonRef } from '@/lib/contracts/activity';

// Who a note mentions: the people the composer picked (by id), and anyone whose exact "@Name" is in the
// text, whatever its case, so API callers can mention by name. Pure: the team comes in as a list.

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `text` has "@name" not running on into a longer word ("@Ana" is not in "@Anabel"). */
export function mentionsName(text: string, name: string): boolean {
  if (name.trim() === '') return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** The people mentioned, in the team's order, each once: picked by id or named in the text. */
export function resolveMentions(text: string, pickedIds: readonly string[], team: readonly PersonRef[]): PersonRef[] {
  const picked = new Set(pickedIds);
  return team.filter((p) => picked.has(p.id) || mentionsName(text, p.name)).map((p) => ({ id: p.id, name: p.name }));
}
