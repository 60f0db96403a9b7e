// What the scripts' command lines share: a mistake in an option is a usage error (a message, no stack).

export class UsageError extends Error {}

/** `--name`'s whole-number value in min..max, or `fallback` when it was not given. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected a whole number in ${min}..${max}, got "${raw}"`);
  return n;
}
