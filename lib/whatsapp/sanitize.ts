// Postgres `text` and `jsonb` reject U+0000 and lone UTF-16 surrogates, both of which JSON may
// legally carry ("\u0000", "\ud800"). A customer can type them, so every string we store passes
// through here first and each offending code unit becomes U+FFFD.

const REPLACEMENT_CHARACTER = '\ufffd';

// Node ≥ 20 has these natively; the lib target may not know them yet.
interface WellFormedString {
  isWellFormed?: () => boolean;
  toWellFormed?: () => string;
}

const nativeWellFormed =
  typeof (String.prototype as WellFormedString).isWellFormed === 'function' &&
  typeof (String.prototype as WellFormedString).toWellFormed === 'function';

// Fallback only: without the `u` flag a regex sees UTF-16 code units, so a pair is skipped
// and only a lone half matches.
const UNSAFE_CODE_UNIT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_CODE_UNITS = new RegExp(UNSAFE_CODE_UNIT.source, 'g');

function isSafeText(s: string): boolean {
  if (nativeWellFormed) return (s as WellFormedString).isWellFormed!() && !s.includes('\u0000');
  return !UNSAFE_CODE_UNIT.test(s);
}

/** The string with NUL and lone surrogates replaced by U+FFFD; the same string when nothing needs it. */
export function safeText(s: string): string {
  if (isSafeText(s)) return s;
  if (nativeWellFormed) {
    return (s as WellFormedString).toWellFormed!().replaceAll('\u0000', REPLACEMENT_CHARACTER);
  }
  return s.replace(UNSAFE_CODE_UNITS, REPLACEMENT_CHARACTER);
}

type Container = unknown[] | Record<string, unknown>;

/** Arrays and plain objects (what JSON.parse makes); Dates, Maps and the like are left alone. */
function isContainer(v: unknown): v is Container {
  if (Array.isArray(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

// Both walks below use an explicit stack, not recursion: JSON.parse accepts nesting hundreds of
// thousands deep, and a hostile body must not blow the call stack of the code that stores it.
// Nothing Meta documents nests past a dozen levels; deeper values are cut here (JSON.stringify and
// jsonb both recurse) and survive whole in the raw webhook body.
export const MAX_JSON_DEPTH = 64;
export const TOO_DEEP = '[nested too deep; see the raw webhook body]';

function containsUnsafeText(root: Container): boolean {
  const seen = new Set<Container>([root]);
  const pending: Array<[Container, number]> = [[root, 0]];
  let depth = 0;
  const visit = (v: unknown): boolean => {
    if (typeof v === 'string') return !isSafeText(v);
    if (isContainer(v) && !seen.has(v)) {
      if (depth + 1 >= MAX_JSON_DEPTH) return true;
      seen.add(v);
      pending.push([v, depth + 1]);
    }
    return false;
  };
  while (pending.length > 0) {
    const [current, currentDepth] = pending.pop()!;
    depth = currentDepth;
    if (Array.isArray(current)) {
      for (const element of current) if (visit(element)) return true;
    } else {
      for (const key of Object.keys(current)) {
        if (!isSafeText(key) || visit(current[key])) return true;
      }
    }
  }
  return false;
}

function emptyLike(v: Container): Container {
  return Array.isArray(v) ? new Array<unknown>(v.length) : {};
}

function sanitizedCopy(root: Container): Container {
  const copies = new Map<Container, Container>();
  const pending: Array<[Container, Container, number]> = [];
  let depth = -1;
  const copyOf = (v: unknown): unknown => {
    if (typeof v === 'string') return safeText(v);
    if (!isContainer(v)) return v;
    if (depth + 1 >= MAX_JSON_DEPTH) return TOO_DEEP;
    const known = copies.get(v);
    if (known) return known;
    const copy = emptyLike(v);
    copies.set(v, copy);
    pending.push([v, copy, depth + 1]);
    return copy;
  };
  const rootCopy = copyOf(root) as Container;
  while (pending.length > 0) {
    const [source, target, sourceDepth] = pending.pop()!;
    depth = sourceDepth;
    if (Array.isArray(source)) {
      const targetArray = target as unknown[];
      for (let i = 0; i < source.length; i++) targetArray[i] = copyOf(source[i]);
    } else {
      for (const key of Object.keys(source)) {
        // defineProperty, not assignment: a key named "__proto__" must stay a plain key.
        Object.defineProperty(target, safeText(key), {
          value: copyOf(source[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  return rootCopy;
}

/**
 * A JSON value made safe for jsonb: every string and object key goes through safeText, and
 * containers nested deeper than MAX_JSON_DEPTH become TOO_DEEP.
 * Returns the input itself when nothing needs changing (the usual case), a fresh copy otherwise.
 */
export function safeJson(v: unknown): unknown {
  if (typeof v === 'string') return safeText(v);
  if (!isContainer(v) || !containsUnsafeText(v)) return v;
  return sanitizedCopy(v);
}
