// The command line of `npm run bench:send`.

import { parseArgs } from 'node:util';
import { intOption, UsageError } from '../cli-options';

export const USAGE = `Usage: npm run bench:send [-- options]

Builds Ticks (when its sources changed), starts it on a scratch PostgreSQL database with a fake Graph API
in another process, opens a 24-hour window in every conversation with signed webhooks, then posts text
messages through POST /api/conversations/{id}/messages with an API key and measures what Meta receives:
messages/s against the ceiling (numbers × mps), p50/p99 from the API call to Meta's request, the most
requests per number in a second, exactly one request per message, and each conversation's order.

Options:
  --messages N       Messages to send (default 10000).
  --conversations C  Conversations they are spread over, round-robin (default 200).
  --numbers B        Business numbers the conversations belong to (default 4).
  --mps M            WHATSAPP_SEND_MPS, requests per second per number (default 80).
  --delay-ms D       How long the fake Graph API takes to answer a send (default 50).
  --rate R           Posts per second (default: the ceiling, numbers × mps); 0 posts as fast as
                     --concurrency allows, so the outbox works through a backlog.
  --concurrency K    API calls in flight at most (default 32).
  --warm-up W        Messages sent on numbers of their own before measuring (default 3000): a
                     server's first ten seconds of load are JIT warm-up, not its steady pace.
  --runs R           Repeat on fresh databases and print medians (default 1).
  --queued           Diagnosis: no API calls; the messages are queued by SQL while the server is
                     stopped, then it starts and its outbox sends them (the sender alone, from a
                     full queue; API latency is not measured).
  --timeline         Print each run's per-second counts (printed anyway for a run below the goal).
  --skip-build       Use the build in .next as it is.
  -h, --help         Show this help.

Environment:
  BENCH_DATABASE_URL  Admin connection used to create and drop the scratch databases
                      (default postgres://postgres@127.0.0.1:5432/test).`;

export interface Options {
  messages: number;
  conversations: number;
  numbers: number;
  mps: number;
  delayMs: number;
  /** Posts per second; 0: unpaced. */
  rate: number;
  concurrency: number;
  /** Messages sent before measuring, on numbers the measured run does not use. */
  warmUp: number;
  runs: number;
  timeline: boolean;
  /** Queue the messages by SQL instead of posting them (the outbox alone). */
  queued: boolean;
  skipBuild: boolean;
  adminUrl: string;
}

/** What the numbers together may send each second: Meta's throughput per number times the numbers. */
export const ceilingOf = (o: Pick<Options, 'numbers' | 'mps'>) => o.numbers * o.mps;

export function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string' },
      conversations: { type: 'string' },
      numbers: { type: 'string' },
      mps: { type: 'string' },
      'delay-ms': { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      'warm-up': { type: 'string' },
      runs: { type: 'string' },
      timeline: { type: 'boolean' },
      queued: { type: 'boolean' },
      'skip-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const numbers = intOption('numbers', values.numbers, 4, 1, 50);
  const mps = intOption('mps', values.mps, 80, 1, 1000);
  const options: Options = {
    messages: intOption('messages', values.messages, 10_000, 1, 1_000_000),
    conversations: intOption('conversations', values.conversations, 200, 1, 100_000),
    numbers,
    mps,
    delayMs: intOption('delay-ms', values['delay-ms'], 50, 0, 60_000),
    rate: intOption('rate', values.rate, numbers * mps, 0, 100_000),
    concurrency: intOption('concurrency', values.concurrency, 32, 1, 1000),
    warmUp: intOption('warm-up', values['warm-up'], 3000, 1, 1_000_000),
    runs: intOption('runs', values.runs, 1, 1, 20),
    timeline: values.timeline === true,
    queued: values.queued === true,
    skipBuild: values['skip-build'] === true,
    adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
  if (options.conversations < options.numbers) throw new UsageError('--conversations must be at least --numbers (each number needs one)');
  return options;
}
