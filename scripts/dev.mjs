// `npm run dev`: the inbox on the embedded database, with the example configuration when there is none yet.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

if (!fs.existsSync('.env') && !fs.existsSync('.env.local')) {
  fs.copyFileSync('.env.example', '.env');
  console.log('Created .env from .env.example (embedded database under ./.data). Edit it to point at Meta or PostgreSQL.');
}
const envText = fs.readFileSync(fs.existsSync('.env') ? '.env' : '.env.local', 'utf8');
const setting = (name) => envText.match(new RegExp(`^${name}=(.*)$`, 'm'))?.[1]?.trim();
const port = process.env.PORT ?? '3000';
if (setting('ADMIN_EMAIL') && setting('ADMIN_PASSWORD')) {
  console.log(`Sign in at http://localhost:${port} as ${setting('ADMIN_EMAIL')} with the ADMIN_PASSWORD from .env.`);
} else {
  console.log('No ADMIN_EMAIL/ADMIN_PASSWORD in .env: add them (see .env.example) to create the first admin, then restart.');
}
console.log('Tip: once it is up, run `npm run simulate` in another terminal to fill the inbox with sample webhooks.');
const child = spawn('npx', ['next', 'dev', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: '1' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
