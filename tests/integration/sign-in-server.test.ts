import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PEER_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { ensureBuild, startServer, type RunningServer } from '../../tools/server-harness';

// Sign-in through `next start` itself, as a client talking to it directly: the address the limits
// count is the connection's (Next passes a client's X-Forwarded-For on untouched), and better-auth's
// other endpoints are not there.

beforeAll(() => ensureBuild(), 300_000);
// Whole restarts under load: a busy 2-core machine can take minutes where an idle one takes seconds.
vi.setConfig({ testTimeout: 240_000 });

describe('sign-in under next start, no proxy in front', () => {
  const admin = { email: 'direct-admin@ticks.test', password: 'direct-admin-password-1' };
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-sign-in-'));
    server = await startServer({
      DATA_DIR: dir,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      SIGN_IN_ATTEMPTS_PER_MINUTE: '2',
    });
  }, 90_000);
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (body: Record<string, string>, headers: Record<string, string>, form = false) =>
    fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', origin: server.url, ...headers },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });

  it("counts attempts by the connection's address, whatever X-Forwarded-For or our own header claim", async () => {
    const first = await signIn(admin, { 'x-forwarded-for': '192.0.2.1' });
    expect(first.status).toBe(200);
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');

    expect(
      (await signIn({ ...admin, password: 'not-the-password' }, { 'x-forwarded-for': '192.0.2.2', [PEER_ADDRESS_HEADER]: '192.0.2.99' }))
        .status,
    ).toBe(401);
    // The third attempt from this connection's address in a minute (SIGN_IN_ATTEMPTS_PER_MINUTE=2), form-encoded.
    const third = await signIn(admin, { 'x-forwarded-for': '192.0.2.3, 192.0.2.4' }, true);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    // The session works; better-auth's admin endpoints are not served, even to an admin.
    const session = await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { email: admin.email } });
    for (const endpoint of ['/api/auth/admin/list-users', '/api/auth/admin/set-role', '/api/auth/sign-up/email']) {
      const res = await fetch(`${server.url}${endpoint}`, {
        method: 'POST',
        headers: { cookie, origin: server.url, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'x', role: 'owner' }),
      });
      expect([endpoint, res.status]).toEqual([endpoint, 404]);
    }
  });
});
