import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './tools/chromium';

// Browser flows against a production build (`next start`) on a fresh database, one server shared
// by every test: tests/e2e/global-setup.ts starts it and signs in one admin and one agent
// (storageState per role, picked with `test.use({ role })` from tests/e2e/helpers.ts).
//
// Playwright never downloads a browser here: it drives Debian's Chromium (`apt-get install chromium`).

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  globalSetup: './tests/e2e/global-setup.ts',
  // Stable or broken: a test that needs a retry to pass is a bug to fix, not to hide.
  retries: 0,
  // Two cores, one server shared by every worker.
  workers: 2,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
});
