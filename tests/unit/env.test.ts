import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { EXAMPLE_SECRETS, EnvError, parseEnv } from '@/lib/env';

const base = { WHATSAPP_APP_SECRET: 'secret-one-1234', WHATSAPP_VERIFY_TOKEN: 'token' };

describe('configuration', () => {
  it('fills defaults for everything optional', () => {
    const env = parseEnv(base);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.INBOX_API_KEY).toBeUndefined();
    expect(env).toMatchObject({
      WHATSAPP_APP_SECRET: ['secret-one-1234'],
      DATA_DIR: './.data',
      WEBHOOK_MAX_BODY_BYTES: 4 * 1024 * 1024,
      WEBHOOK_DB_TIMEOUT_MS: 5000,
      LOG_LEVEL: 'info',
    });
  });

  it('reads several app secrets for a rotation, ignoring spaces and empty items', () => {
    expect(parseEnv({ ...base, WHATSAPP_APP_SECRET: ' old-secret-1 , new-secret-2 ,' }).WHATSAPP_APP_SECRET).toEqual([
      'old-secret-1',
      'new-secret-2',
    ]);
  });

  it.each([
    [{ WHATSAPP_APP_SECRET: undefined }, /WHATSAPP_APP_SECRET: is required/],
    [{ WHATSAPP_APP_SECRET: ' , ' }, /WHATSAPP_APP_SECRET: at least one secret/],
    [{ WHATSAPP_APP_SECRET: 'short' }, /WHATSAPP_APP_SECRET.*at least 8/],
    [{ WHATSAPP_VERIFY_TOKEN: undefined }, /WHATSAPP_VERIFY_TOKEN: is required/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL: must be a postgres/],
    [{ INBOX_API_KEY: 'too-short' }, /INBOX_API_KEY: must be at least 16/],
    [{ WEBHOOK_MAX_BODY_BYTES: 'lots' }, /WEBHOOK_MAX_BODY_BYTES/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ADMIN_EMAIL: 'admin' }, /ADMIN_EMAIL: must be an email/],
    [{ ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD: must be at least 12/],
    [{ AUTH_SECRET: 'not-long-enough' }, /AUTH_SECRET: must be at least 32/],
    [{ APP_URL: 'inbox.example.com' }, /APP_URL: must be a URL/],
    [{ SIGN_IN_ATTEMPTS_PER_MINUTE: '0' }, /SIGN_IN_ATTEMPTS_PER_MINUTE/],
  ])('refuses %o with a message naming the variable', (override, message) => {
    expect(() => parseEnv({ ...base, ...override })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, ...override })).toThrow(message);
  });

  it('treats an empty variable as unset (a default applies, a required one is missing)', () => {
    const env = parseEnv({ ...base, DATA_DIR: '', SIGN_IN_ATTEMPTS_PER_MINUTE: '', WHATSAPP_GRAPH_URL: '', MEDIA_DIR: '' });
    expect(env).toMatchObject({ DATA_DIR: './.data', SIGN_IN_ATTEMPTS_PER_MINUTE: 10, WHATSAPP_GRAPH_URL: 'https://graph.facebook.com' });
    expect(env.MEDIA_DIR).toBeUndefined();
    expect(() => parseEnv({ ...base, WHATSAPP_VERIFY_TOKEN: '' })).toThrow(/WHATSAPP_VERIFY_TOKEN: is required/);
  });

  it('knows the example secrets exactly as .env.example publishes them', () => {
    const example = fs.readFileSync('.env.example', 'utf8');
    for (const [name, value] of Object.entries(EXAMPLE_SECRETS)) expect(example).toMatch(new RegExp(`^${name}=${value}$`, 'm'));
  });

  it.each(Object.entries(EXAMPLE_SECRETS))('refuses to run in production with the example %s, naming it', (name, value) => {
    const given = { ...base, ADMIN_EMAIL: 'admin@example.com', [name]: value };
    expect(() => parseEnv({ ...given, NODE_ENV: 'production' })).toThrow(new RegExp(`${name}: is the published example value`));
    // Development (`npm run dev`) starts with the example file as it is.
    expect(() => parseEnv({ ...given, NODE_ENV: 'development' })).not.toThrow();
  });

  it('refuses an example app secret in production even beside a real one (a rotation list)', () => {
    const secrets = `real-secret-0123456789,${EXAMPLE_SECRETS.WHATSAPP_APP_SECRET}`;
    expect(() => parseEnv({ ...base, WHATSAPP_APP_SECRET: secrets, NODE_ENV: 'production' })).toThrow(/WHATSAPP_APP_SECRET/);
    expect(parseEnv({ ...base, NODE_ENV: 'production' }).NODE_ENV).toBe('production');
  });

  it('treats an empty DATABASE_URL or INBOX_API_KEY as unset', () => {
    const env = parseEnv({ ...base, DATABASE_URL: '', INBOX_API_KEY: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.INBOX_API_KEY).toBeUndefined();
  });
});
