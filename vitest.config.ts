import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    // Playwright's *.spec.ts files are not vitest's.
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // A fresh PGlite takes seconds to initialise; a production build for server tests takes longer.
    hookTimeout: 120_000,
    // Generous: a fresh PGlite or a server restart can take tens of seconds on a busy 2-core machine.
    testTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
