// `npm run simulate [-- --url http://localhost:3000] [--secret S] [--delay ms] [--rounds n]`
//
// Posts a realistic morning of WhatsApp traffic to a running Ticks, signed like Meta signs it, one body
// at a time so the live inbox visibly fills up. Every run mints fresh wamids and current timestamps.

import { parseArgs } from 'node:util';
import nextEnv from '@next/env';
import { postWebhook } from '../tools/meta-envelopes';
import { buildScenario, type SimulatedBody } from '../tools/simulated-traffic';

const USAGE = `Usage: npm run simulate [-- options]

Posts a scenario of signed WhatsApp webhook bodies (every message type, statuses in and out of
order, failures, a template and an account update) to a running Ticks server.

Options:
  --url URL        Server to post to (default: SIMULATE_URL, else http://localhost:\${PORT:-3000}).
                   "/api/webhook" is added unless the URL already ends with it.
  --secret S       App secret to sign with (default: the first of WHATSAPP_APP_SECRET).
  --delay MS       Pause between bodies, so the inbox fills up visibly (default: 150; 0 = as fast as possible).
  --rounds N       Post the scenario N times, each round with fresh ids (default: 1).
  -h, --help       Show this help.

.env and .env.local are read like Next reads them.`;

class UsageError extends Error {}

interface Options {
  endpoint: string;
  secret: string;
  delayMs: number;
  rounds: number;
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      secret: { type: 'string' },
      delay: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) return 'help';

  nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

  const base = values.url ?? process.env.SIMULATE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--url: not a URL: ${base}`);
  }
  if (!url.pathname.replace(/\/+$/, '').endsWith('/api/webhook')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/webhook`;
  }

  const secret = (values.secret ?? process.env.WHATSAPP_APP_SECRET ?? '').split(',')[0]!.trim();
  if (!secret) {
    throw new UsageError('No app secret: pass --secret or set WHATSAPP_APP_SECRET (in .env or the environment).');
  }
  return {
    endpoint: url.toString(),
    secret,
    delayMs: nonNegativeInt('--delay', values.delay, 150),
    rounds: Math.max(1, nonNegativeInt('--rounds', values.rounds, 1)),
  };
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name}: expected a whole number ≥ 0, got "${raw}"`);
  return n;
}

/** A failure that ends the run with a message of its own (server not reachable, wrong secret). */
class FatalError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function post(endpoint: string, secret: string, item: SimulatedBody): Promise<number> {
  try {
    const res = await postWebhook(endpoint, item.body, secret, { signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const code = (cause as { code?: unknown }).code;
    const why = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
    if (err instanceof Error && err.name === 'TimeoutError') {
      throw new FatalError(`The server at ${endpoint} did not answer within 15 s.`, 2);
    }
    throw new FatalError(
      `Cannot reach ${endpoint} (${why}). Is Ticks running? Start it with \`npm run dev\` or \`npm start\`, or pass --url.`,
      2,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`simulate: ${err.message}\n\n${USAGE}`);
      return 64;
    }
    throw err;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const { endpoint, secret, delayMs, rounds } = options;
  console.log(`Posting to ${endpoint} (${rounds} round${rounds === 1 ? '' : 's'}, ${delayMs} ms apart)\n`);

  const byStatus = new Map<number, number>();
  const totals = { bodies: 0, messages: 0, statuses: 0, accountEvents: 0, accepted: 0 };
  const started = performance.now();

  for (let round = 1; round <= rounds; round++) {
    const scenario = buildScenario();
    const width = String(scenario.length).length;
    if (rounds > 1) console.log(`Round ${round}/${rounds}`);
    for (const [i, item] of scenario.entries()) {
      const status = await post(endpoint, secret, item);
      if (status === 401) {
        throw new FatalError(
          `The server answered 401 to a signed body: the signing secret is wrong. It must be (one of) the server's WHATSAPP_APP_SECRET; pass --secret or fix WHATSAPP_APP_SECRET here.`,
          3,
        );
      }
      if (status === 404 && totals.bodies === 0) {
        throw new FatalError(`${endpoint} answered 404: is this a Ticks server? (--url should point at its origin)`, 2);
      }
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      totals.bodies++;
      if (status === 200) {
        totals.accepted++;
        totals.messages += item.messages.length;
        totals.statuses += item.statuses.length;
        if (item.accountField) totals.accountEvents++;
      }
      const mark = status === 200 ? '✓' : '✗';
      console.log(`${String(i + 1).padStart(width)}/${scenario.length} ${mark} ${status}  ${item.kind.padEnd(7)}  ${item.label}`);
      if (delayMs > 0) await sleep(delayMs);
    }
  }

  const seconds = (performance.now() - started) / 1000;
  const codes = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  console.log(
    `\n${totals.accepted}/${totals.bodies} bodies accepted in ${seconds.toFixed(1)} s (${codes}): ` +
      `${totals.messages} messages, ${totals.statuses} statuses, ${totals.accountEvents} account events.`,
  );
  const origin = new URL(endpoint).origin;
  console.log(`Check the inbox: curl -H "authorization: Bearer $INBOX_API_KEY" ${origin}/api/conversations`);
  if (totals.accepted !== totals.bodies) {
    console.error('Some bodies were not accepted (503: the server could not store them; 400/413: see the server log).');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof FatalError) {
      console.error(`\nsimulate: ${err.message}`);
      process.exit(err.exitCode);
    }
    console.error(err);
    process.exit(1);
  },
);
