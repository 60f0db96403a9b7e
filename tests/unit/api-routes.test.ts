import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '@/lib/http/openapi';
import { API_ROUTES } from '@/lib/http/routes';

// The route table is the whole HTTP API: every route file serves a route of the table and every route
// of the table has its file, so a route cannot skip its access rule (tests/integration/access.test.ts
// calls each one as every kind of caller). The OpenAPI document lists the same routes.

const API_DIR = path.resolve(import.meta.dirname, '../../app/api');
/** Outside the route layer: the webhook verifies raw bytes, and better-auth serves its own endpoints. */
const OUTSIDE = [path.join(API_DIR, 'webhook'), path.join(API_DIR, 'auth')];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function routeFiles(dir: string): string[] {
  if (OUTSIDE.includes(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === 'route.ts' ? [full] : [];
  });
}

/** `app/api/media/[wamid]/retry/route.ts` → `/api/media/{wamid}/retry`. */
const pathOf = (file: string) =>
  `/api/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}');

const served = routeFiles(API_DIR).flatMap((file) => {
  const source = fs.readFileSync(file, 'utf8');
  const exported = [...source.matchAll(/export\s+(?:async\s+)?(?:const|function)\s+(\w+)/g)]
    .map((m) => m[1]!)
    .filter((name) => METHODS.includes(name));
  return exported.map((method) => ({
    name: `${method} ${pathOf(file)}`,
    file: path.relative(API_DIR, file),
    viaRouteLayer: new RegExp(`export const ${method} = serve\\(\\w+\\);`).test(source),
  }));
});
const declared = API_ROUTES.map((route) => `${route.spec.method} ${route.spec.path}`);

describe('the route table', () => {
  it('has every route file’s methods, each served through the route layer', () => {
    expect(served.length).toBeGreaterThan(20);
    for (const route of served) {
      expect(declared, `${route.name} (app/api/${route.file}) is not in lib/http/routes.ts`).toContain(route.name);
      expect(route.viaRouteLayer, `${route.name}: export it as serve(<route>)`).toBe(true);
    }
  });

  it('has no route without its file, and none twice', () => {
    expect(new Set(declared).size).toBe(declared.length);
    expect(served.map((r) => r.name).sort()).toEqual([...declared].sort());
  });

  it('gives every route an access rule and a summary', () => {
    for (const { spec } of API_ROUTES) {
      expect(['public', 'inbox', 'admin', 'admin-or-key', 'session'], spec.path).toContain(spec.access);
      expect(spec.summary.length, spec.path).toBeGreaterThan(10);
    }
  });
});

describe('the OpenAPI document', () => {
  const doc = openApiDocument(API_ROUTES) as {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  };
  interface Operation {
    operationId: string;
    'x-access': string;
    security: Record<string, string[]>[];
    parameters: { name: string; in: string; required: boolean; schema: unknown }[];
    requestBody?: { content: Record<string, { schema: unknown }> };
    responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  }

  it('is OpenAPI 3.1 in shape', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'session']);
    expect(doc.components.schemas.Error).toBeDefined();
    // Serializable as it is served.
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const [p, ops] of Object.entries(doc.paths)) {
      expect(p).toMatch(/^\/api\//);
      for (const op of Object.values(ops)) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const response of Object.values(op.responses)) expect(response.description).toBeTruthy();
        for (const schemes of op.security)
          for (const scheme of Object.keys(schemes)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
      }
    }
  });

  it.each(API_ROUTES.map((route) => [`${route.spec.method} ${route.spec.path}`, route] as const))('lists %s', (_, { spec }) => {
    const op = doc.paths[spec.path]?.[spec.method.toLowerCase()];
    expect(op).toBeDefined();
    expect(op!['x-access']).toBe(spec.access);
    expect(op!.security).toEqual(spec.access === 'public' ? [] : expect.arrayContaining([{ session: [] }]));
    // Every path parameter, required; every query parameter the route parses.
    const pathParams = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect(
      op!.parameters
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort(),
    ).toEqual(pathParams.sort());
    for (const p of op!.parameters.filter((p) => p.in === 'path')) expect(p.required).toBe(true);
    if (spec.query) {
      const shape = (z.toJSONSchema(spec.query, { io: 'input', unrepresentable: 'any' }) as { properties: object }).properties;
      expect(
        op!.parameters
          .filter((p) => p.in === 'query')
          .map((p) => p.name)
          .sort(),
      ).toEqual(Object.keys(shape).sort());
    }
    if (spec.body) expect(op!.requestBody?.content['application/json']?.schema).toBeDefined();
    const success = op!.responses[String(spec.status ?? 200)];
    expect(success).toBeDefined();
    if (spec.response) {
      expect(success!.content?.['application/json']?.schema).toEqual(expect.objectContaining({ type: 'object' }));
    }
    if (spec.responseType) expect(success!.content).toHaveProperty([spec.responseType]);
    // No Content is described without a body.
    if (spec.status === 204) expect(success!.content).toBeUndefined();
    if (spec.access !== 'public') expect(op!.responses).toHaveProperty('401');
  });

  it('describes a message the way the read API sends it', () => {
    const message = doc.paths['/api/messages/{id}']!.get!.responses['200']!.content!['application/json']!.schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(message.required).toEqual(expect.arrayContaining(['id', 'wamid', 'conversationId', 'status', 'statusHistory', 'mediaFile']));
    expect(message.properties.status).toMatchObject({ enum: expect.arrayContaining(['sent', 'delivered', 'read', 'failed']) });
    const list = doc.paths['/api/conversations']!.get!;
    expect(list.parameters.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', required: false });
  });
});

describe('the contracts', () => {
  const dir = path.resolve(import.meta.dirname, '../../lib/contracts');
  it.each(fs.readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s is safe for the browser: no database, no server modules', (file) => {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    for (const target of imports) {
      expect(target, `${file} imports ${target}`).not.toMatch(
        /^(@\/db\/|node:|@\/lib\/app$|@\/lib\/auth\/auth$|@\/lib\/env$|@\/lib\/log$|server-only$)/,
      );
    }
  });
});
