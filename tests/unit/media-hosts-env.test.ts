import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '@/lib/env';
import { DEFAULT_MEDIA_HOSTS } from '@/lib/whatsapp/graph-api';

const base = { WHATSAPP_APP_SECRET: 'app-secret-123456', WHATSAPP_VERIFY_TOKEN: 'verify' };

describe('WHATSAPP_MEDIA_HOSTS', () => {
  it('defaults to Meta’s documented media host (the same list the client falls back to)', () => {
    expect(parseEnv(base).WHATSAPP_MEDIA_HOSTS).toEqual([...DEFAULT_MEDIA_HOSTS]);
  });

  it('reads a comma-separated list of names and *.domain patterns', () => {
    expect(parseEnv({ ...base, WHATSAPP_MEDIA_HOSTS: ' lookaside.fbsbx.com, *.FBCDN.net ,' }).WHATSAPP_MEDIA_HOSTS).toEqual([
      'lookaside.fbsbx.com',
      '*.fbcdn.net',
    ]);
  });

  it('refuses entries that are not host names (a URL, a bare *, a path)', () => {
    for (const value of ['https://lookaside.fbsbx.com', '*', '*.', 'a.com/x', 'a..b', ',']) {
      expect(() => parseEnv({ ...base, WHATSAPP_MEDIA_HOSTS: value }), value).toThrow(EnvError);
    }
  });
});
