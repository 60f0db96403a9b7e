// Typing "/" in the composer: where the search starts, what it finds, and the text once a reply is
// chosen. PURE, client-safe.

/** A "/" search being typed: where its "/" is in the text, and what follows it up to the caret. */
export interface SlashQuery {
  start: number;
  query: string;
}

/**
 * The "/" search the caret is in, if any: a "/" at the start of the text or after a space or line
 * break, followed by no space up to the caret. A "/" inside a word (a URL, "and/or") starts none.
 */
export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!match) return null;
  const query = match[2]!;
  return { start: caret - query.length - 1, query };
}

interface Searchable {
  shortcut: string;
  body: string;
}

/**
 * The replies that match `query` (ignoring case): those whose shortcut starts with it first, then those
 * whose shortcut contains it, then those whose body does; in the given order within each.
 */
export function matchCannedReplies<R extends Searchable>(replies: readonly R[], query: string): R[] {
  const q = query.toLocaleLowerCase();
  if (q === '') return [...replies];
  const rank = (reply: R): number => {
    const shortcut = reply.shortcut.toLocaleLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q)) return 1;
    return reply.body.toLocaleLowerCase().includes(q) ? 2 : 3;
  };
  return replies
    .map((reply) => ({ reply, rank: rank(reply) }))
    .filter((r) => r.rank < 3)
    .sort((a, b) => a.rank - b.rank)
    .map((r) => r.reply);
}

/** The text with the "/query" replaced by `insert`, and where the caret goes: just after it. */
export function replaceSlashQuery(text: string, search: SlashQuery, insert: string): { text: string; caret: number } {
  const end = search.start + 1 + search.query.length;
  return { text: text.slice(0, search.start) + insert + text.slice(end), caret: search.start + insert.length };
}
