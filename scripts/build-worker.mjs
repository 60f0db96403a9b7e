// Bundles the processor's worker thread (lib/whatsapp/processor-worker.ts) into dist/, for `npm run build`
// and `npm run dev`. Packages stay external: Node loads them from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/whatsapp/processor-worker.ts'],
  outfile: 'dist/processor-worker.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
