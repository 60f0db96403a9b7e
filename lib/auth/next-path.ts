/** The sign-in page, coming back to `here` afterwards (the inbox itself, `/`, needs no `next`). */
export function loginPathFor(here: string): string {
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/**
 * Where to go after signing in: a path on this site only. Anything else ("//evil.example",
 * "https://...", "/\\evil") would turn the login page into an open redirect.
 */
export function safeNextPath(value: string | string[] | undefined | null): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\') || /[\u0000-\u001f]/.test(next)) return '/';
  if (next === '/login' || next.startsWith('/login?')) return '/';
  return next;
}
