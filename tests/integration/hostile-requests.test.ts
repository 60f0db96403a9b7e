import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '@/lib/app';
import type { AnyApiRoute } from '@/lib/http/route';
import { API_ROUTES } from '@/lib/http/routes';
import { fileStorage } from '@/lib/media/storage';
import { ChangeHub } from '@/lib/realtime/hub';
import { routeTableApp } from '../helpers/app';
import { ORIGIN } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { signInTeam } from '../helpers/team';

// Odd requests to every route of the table, as an admin (who passes every access rule): ids that are no
// ids in the path and the query (0, -1, 1.5, 20 digits, a NUL, a right-to-left mark, 3,000 characters) and
// bodies that are not what a route takes (broken JSON, an array, null, a string, __proto__, every field
// 5,000 characters long or holding a NUL). Bad input is the caller's mistake: a 4xx naming it, never a
// 5xx. A throwaway version of this, against next start, found the NUL that PostgreSQL's text refuses
// (templates, users).

const ADMIN = { email: 'admin@ticks.test', password: 'admin-password-123' };
const AGENT = { email: 'agent@ticks.test', password: 'agent-password-123', name: 'Agent' };
const API_KEY = 'hostile-requests-key-0123456789';

const ODD_IDS = ['0', '-1', '1.5', '12345678901234567890', 'a\u0000b', '\u202Eevil', 'x'.repeat(3000)];
const ODD_VALUES: unknown[] = ['y'.repeat(5000), 'nul\u0000here', -1, 1e308, { nested: ['x'] }, true];
const ODD_BODIES = ['{"broken": ', '[]', 'null', '"text"', '{"__proto__": {"admin": true}}'];

/** The fields of a zod object schema (through a pipe or a refinement), for filling them with odd values. */
function fieldsOf(schema: unknown): string[] {
  const s = schema as { shape?: object; in?: unknown; _zod?: { def?: { in?: unknown; schema?: unknown } } } | undefined;
  if (!s) return [];
  if (s.shape) return Object.keys(s.shape);
  const inner = s.in ?? s._zod?.def?.in ?? s._zod?.def?.schema;
  return inner ? fieldsOf(inner) : [];
}

interface Odd {
  label: string;
  params: Record<string, string>;
  query: string;
  body?: string;
}

/** The odd requests for `route`: odd path ids, odd query values, odd bodies, one at a time. */
function oddRequestsFor(route: AnyApiRoute): Odd[] {
  const names = [...route.spec.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
  const plain = Object.fromEntries(names.map((n) => [n, '1']));
  const odd: Odd[] = [];
  for (const name of names)
    for (const id of ODD_IDS)
      odd.push({ label: `${name}=${JSON.stringify(id.slice(0, 20))}`, params: { ...plain, [name]: id }, query: '' });
  for (const field of fieldsOf(route.spec.query)) {
    for (const id of ODD_IDS)
      odd.push({ label: `?${field}=${JSON.stringify(id.slice(0, 20))}`, params: plain, query: `${field}=${encodeURIComponent(id)}` });
  }
  if (route.spec.method !== 'GET') {
    for (const body of ODD_BODIES) odd.push({ label: `body ${body}`, params: plain, query: '', body });
    const fields = fieldsOf(route.spec.body);
    for (const value of ODD_VALUES) {
      if (fields.length === 0) continue;
      const body = JSON.stringify(Object.fromEntries(fields.map((f) => [f, value])));
      odd.push({ label: `every field ${JSON.stringify(value).slice(0, 20)}`, params: plain, query: '', body });
    }
  }
  return odd;
}

describe.each(dbKinds)('hostile requests on %s', (kind) => {
  let testDb: TestDatabase;
  let hub: ChangeHub;
  let app: App;
  let admin: { cookie: string };
  const uploads = fileStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-hostile-uploads-')));

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const { db } = testDb.database;
    const team = await signInTeam(db, { admin: ADMIN, agent: AGENT, apiKey: API_KEY });
    admin = team.admin;
    hub = await ChangeHub.start(testDb.database);
    app = routeTableApp(db, { db, apiKey: API_KEY, auth: team.auth }, team.env, hub);
  });
  afterAll(async () => {
    await hub?.stop();
    await testDb?.drop();
  });

  /** What the app would hand a route, with the parts these routes need that the bare app above leaves off. */
  const depsOf = (route: AnyApiRoute) => {
    const deps = route.spec.deps(app) as Record<string, unknown>;
    return {
      ...deps,
      storage: uploads,
      retryWaitMs: 0,
      templateSync: { enabled: true, request: async () => [] },
      signals: { enabled: true, typing: async () => 'sent' },
    };
  };

  it.each(API_ROUTES.map((route) => [`${route.spec.method} ${route.spec.path}`, route] as const))(
    '%s: odd ids and bodies get a 4xx or a success, never a 5xx',
    async (_, route) => {
      const failures: string[] = [];
      for (const odd of oddRequestsFor(route)) {
        const url = `${ORIGIN}${route.spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(odd.params[name]!))}${odd.query ? `?${odd.query}` : ''}`;
        const req = new Request(url, {
          method: route.spec.method,
          headers: {
            host: 'ticks.test',
            cookie: admin.cookie,
            ...(odd.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(route.spec.method === 'GET' ? {} : { origin: ORIGIN }),
          },
          body: odd.body,
        });
        const res = await route(req, depsOf(route), odd.params);
        const isStream =
          res.headers.get('content-type')?.startsWith('text/event-stream') || res.headers.get('content-type')?.includes('ndjson');
        if (isStream) await res.body?.cancel();
        if (res.status >= 500) failures.push(`${odd.label} → ${res.status} ${isStream ? '' : (await res.text()).slice(0, 200)}`);
        else if (res.status >= 400) {
          // A refusal says what it is, in the error envelope every route answers with.
          const body = (await res.json().catch(() => null)) as { error?: { code?: unknown } } | null;
          if (typeof body?.error?.code !== 'string') failures.push(`${odd.label} → ${res.status} without an error code`);
        } else if (!isStream) await res.body?.cancel();
      }
      expect(failures).toEqual([]);
    },
  );
});
