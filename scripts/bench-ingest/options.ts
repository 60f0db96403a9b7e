// The command line of `npm run bench:ingest`.

import { parseArgs } from 'node:util';
import { intOption, UsageError } from '../cli-options';

export const USAGE = `Usage: npm run bench:ingest [-- options]

Builds Ticks, starts it on a fresh PostgreSQL database, and measures the webhook: GET handshake
rate (Next's floor), POST acknowledgements, end-to-end normalization, and lost messages.

Options:
  --requests N       Signed POST bodies in the measured phase (default 20000).
  --connections C    Requests in flight (default 64).
  --port P           Port for the server (default 3150).
  --runs R           Repeat on fresh databases and print medians (default 1).
  --handshake-seconds S   Length of the GET phase (default 10).
  --skip-build       Reuse the existing .next build instead of running \`npm run build\`.
  -h, --help         Show this help.

Environment:
  BENCH_DATABASE_URL  Admin connection used to create and drop the bench databases
                      (default postgres://postgres@127.0.0.1:5432/test).
  BENCH_SERVER_NODE_ARGS  Node flags for the server, for diagnosis
                      (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").`;

export interface Options {
  requests: number;
  connections: number;
  port: number;
  runs: number;
  handshakeSeconds: number;
  skipBuild: boolean;
  adminUrl: string;
}

export function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      connections: { type: 'string' },
      port: { type: 'string' },
      runs: { type: 'string' },
      'handshake-seconds': { type: 'string' },
      'skip-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const options: Options = {
    requests: intOption('requests', values.requests, 20_000, 1, 10_000_000),
    connections: intOption('connections', values.connections, 64, 1, 10_000),
    port: intOption('port', values.port, 3150, 1, 65_535),
    runs: intOption('runs', values.runs, 1, 1, 99),
    handshakeSeconds: intOption('handshake-seconds', values['handshake-seconds'], 10, 1, 600),
    skipBuild: values['skip-build'] === true,
    adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
  if (options.connections > options.requests) throw new UsageError('--connections cannot be larger than --requests');
  return options;
}
