// `npm run dev`: the inbox on the embedded database, with the example configuration when there is none yet.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

if (!fs.existsSync('.env') && !fs.existsSync('.env.local')) {
  fs.copyFileSync('.env.example', '.env');
  console.log('Created .env from .env.example (embedded database under ./.data). Edit it to point at Meta or PostgreSQL.');
}
console.log('Tip: once it is up, run `npm run simulate` in another terminal to fill the inbox with sample webhooks.');
const child = spawn('npx', ['next', 'dev', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: '1' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
