// How tests and benchmarks launch Debian's Chromium (never a downloaded browser): CHROMIUM_PATH or
// /usr/bin/chromium, headless-friendly flags, and no background networking (this machine's closed network
// refuses it, many connections at a time).

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumLaunchOptions = {
  executablePath: CHROMIUM_PATH,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
