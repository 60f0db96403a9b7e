// Bundles into dist/, for `npm run build`: the production server (lib/http/production-server.ts, what
// `npm start` runs) and the worker threads (lib/jobs/worker-thread.ts): the processor's
// (lib/whatsapp/processor-worker.ts) and the outbox sender's (lib/outbox/sender-worker.ts). Packages stay
// external: Node loads them from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: {
    'production-server': 'lib/http/production-server.ts',
    'processor-worker': 'lib/whatsapp/processor-worker.ts',
    'sender-worker': 'lib/outbox/sender-worker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
