// What the scripts' command lines share: a mistake in an option is a usage error (a message, no stack).

export class UsageError extends Error {}

/** `--name`'s whole-number value in min..max, or `fallback` when it was not given. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name}: expected a whole number in ${min}..${max}, got "${raw}"`);
  return n;
}

/**
 * A script's entry: parse the options (a mistake → the message and the usage, exit 2), --help → the usage,
 * else run `main`; a failure prints `<name> failed: …` (with its cause) and exits 1.
 */
export async function runCli<O>(
  name: string,
  usage: string,
  readOptions: (argv: string[]) => O | 'help',
  main: (options: O) => Promise<void>,
) {
  let options: O | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(usage);
    return;
  }
  try {
    await main(options);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}${cause}`);
    process.exit(1);
  }
}
