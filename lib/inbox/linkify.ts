// Message text → plain text and safe links. PURE. Only http(s) URLs (and bare www. hosts, given https)
// become links: never javascript:, data: or anything else a message could carry.

export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// http(s) URLs, or bare www. hosts not glued to a word, path or e-mail address before them.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f\u007f]+|(?<![\w@/.:-])www\.[^\s<>"'`\u0000-\u001f\u007f]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Drops trailing punctuation, and closing brackets the URL did not open ("(see https://x.y)").
 * Linear: the brackets are counted once and the counts follow the end as it moves left, so a body of
 * 64 KB of ")" costs one pass, not one count per character.
 */
function trimUrl(candidate: string): string {
  const counts: Record<string, number> = { '(': 0, ')': 0, '[': 0, ']': 0, '{': 0, '}': 0 };
  for (const c of candidate) if (c in counts) counts[c]!++;
  let end = candidate.length;
  while (end > 0) {
    const last = candidate[end - 1]!;
    const opener = CLOSERS[last];
    if (TRAILING_PUNCTUATION.test(last) || (opener !== undefined && counts[last]! > counts[opener]!)) {
      if (opener !== undefined) counts[last]!--;
      end--;
      continue;
    }
    break;
  }
  return candidate.slice(0, end);
}

/** The href for a candidate, or null: only http: and https: with a real host ever come out. */
export function safeHref(candidate: string): string | null {
  const href = /^https?:\/\//i.test(candidate) ? candidate : /^www\./i.test(candidate) ? `https://${candidate}` : null;
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '' || (!url.hostname.includes('.') && url.hostname !== 'localhost')) return null;
  // The scheme in lower case, the rest as written (what the reader sees is what they get).
  return href.replace(/^https?/i, (scheme) => scheme.toLowerCase());
}

/** Text split into plain runs and http(s) links, for rendering as React children. */
export function linkify(text: string): TextSegment[] {
  if (typeof text !== 'string' || text === '') return [];
  const segments: TextSegment[] = [];
  let plainStart = 0;
  const pushText = (end: number) => {
    if (end > plainStart) {
      const prev = segments.at(-1);
      const chunk = text.slice(plainStart, end);
      if (prev?.kind === 'text') prev.text += chunk;
      else segments.push({ kind: 'text', text: chunk });
    }
  };
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href || /^(https?:\/\/|www\.)$/i.test(url)) continue;
    pushText(start);
    segments.push({ kind: 'link', text: url, href });
    plainStart = start + url.length;
  }
  pushText(text.length);
  return segments;
}
