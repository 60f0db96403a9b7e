import { z } from 'zod';
import { ACCESS_RULES, type AnyApiRoute } from './route';

// The OpenAPI 3.1 document of the HTTP API, generated from the route declarations: their paths,
// access rules and zod schemas (zod's own JSON Schema output, which is 3.1's dialect). PURE.

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Record<number, string> = {
  400: 'Invalid parameters or body: the message names each field.',
  401: 'No session and no API key, or a bad one.',
  403: 'Not allowed for this caller, or a cross-site request.',
  404: 'Not found.',
  503: 'The database is unavailable or took too long. Try again.',
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: ['unauthorized', 'forbidden', 'conflict', 'invalid_request', 'not_found', 'too_many_requests', 'unavailable', 'internal'],
        },
        message: { type: 'string' },
      },
    },
  },
};

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Refinements and transforms have no JSON Schema: they are documented by the shape they check.
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Path or query parameters: one entry per property of the route's object schema. */
function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchemaOf(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...propertySchema }]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(description !== undefined && { description }),
    schema: propertySchema,
  }));
}

function operationOf(route: AnyApiRoute): JsonSchema {
  const { spec } = route;
  const status = String(spec.status ?? 200);
  // 204 No Content has no body to describe.
  const content =
    spec.status === 204
      ? undefined
      : spec.responseType
        ? { [spec.responseType]: { schema: { type: 'string' } } }
        : { 'application/json': { schema: spec.response ? jsonSchemaOf(spec.response, 'output') : {} } };
  const errors = Object.entries(ERROR_STATUSES)
    .filter(([code]) => spec.access !== 'public' || !['401', '403'].includes(code))
    .map(([code, description]) => [
      code,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]);
  return {
    operationId: operationIdOf(spec.method, spec.path),
    summary: spec.summary,
    description: `Access: ${ACCESS_RULES[spec.access]}`,
    'x-access': spec.access,
    security:
      spec.access === 'public'
        ? []
        : spec.access === 'admin' || spec.access === 'session'
          ? [{ session: [] }]
          : [{ session: [] }, { apiKey: [] }],
    parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
    ...(spec.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(spec.body, 'input') } } } }),
    responses: { [status]: { description: 'Success.', ...(content && { content }) }, ...Object.fromEntries(errors) },
  };
}

/** `GET /api/conversations/{id}/messages` → `getConversationsIdMessages`. */
function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split(/[/{}.-]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export function openApiDocument(routes: readonly AnyApiRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.spec.path] ??= {};
    paths[route.spec.path]![route.spec.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ticks API',
      version: '1',
      description:
        'The inbox read API, the error log, analytics, media, live events and administration. Sign in (a session cookie) or send an API key as "Authorization: Bearer <key>". Errors are { "error": { "code", "message" } }.',
    },
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key an admin created, or INBOX_API_KEY.' },
        session: { type: 'apiKey', in: 'cookie', name: 'ticks.session_token', description: 'A signed-in browser.' },
      },
    },
  };
}
