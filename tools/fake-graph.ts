import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// A local stand-in for the Graph API, a real HTTP server on loopback, for tests, the e2e setup and the
// benchmarks. Media download: lookup by id, then the short-lived file URL, with the ways the real one
// misbehaves (expired URLs, slow or stalled bodies, connections cut midway). The send side: `POST
// /{version}/{phone_number_id}/messages` (sends, read receipts, typing), `POST …/media` (multipart
// upload), `GET /{version}/{waba_id}/message_templates` (paged). Every request is recorded; scripted
// answers (a Meta error, a 5xx, a hang, a slow answer, a reset connection) replace the default answer for
// the requests they match. Another process scripts and reads it over HTTP under /_fake/ (connectFakeGraph).

export interface FakeMedia {
  id: string;
  /** A Buffer, or a factory for a fresh stream each time (large bodies; sent chunked, without Content-Length). */
  body: Buffer | (() => NodeJS.ReadableStream);
  mimeType: string;
  /** Override to lie; default: hex SHA-256 of the body. */
  sha256?: string;
  /** Override to lie; default: the body's length. */
  fileSize?: number;
  behaviour?: 'ok' | 'expired-url' | 'slow' | 'hang' | 'drop-midway';
  /** The file URL's origin in the lookup's answer (another host, to be refused); default: this server's. */
  fileOrigin?: string;
  /** The file URL answers 302 to this (relative to the file URL) instead of the bytes. */
  redirectTo?: string;
}

/** One request as received. */
export interface RecordedRequest {
  method: string;
  /** The raw URL: path and query, still percent-encoded. */
  path: string;
  /** The path alone, still percent-encoded. */
  pathname: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  auth: string | null;
  /** The body, parsed, when it was JSON. */
  json?: unknown;
  /** A multipart body's text fields. */
  fields?: Record<string, string>;
  /** A multipart body's files. */
  files?: Record<string, { filename: string; type: string; bytes: Buffer }>;
  /** Date.now() when the request's head arrived. */
  receivedAt: number;
}

/**
 * How to answer a request instead of the default. `delayMs` makes any answer slow. `accept` is the route's
 * own success (for a send: a fresh wamid, or the one given).
 */
export type FakeAnswer =
  | { kind: 'accept'; wamid?: string; messageStatus?: string; delayMs?: number }
  | {
      kind: 'meta-error';
      status: number;
      code: number;
      /** Default: `(#code) <Meta's title for it>`. */
      message?: string;
      type?: string;
      subcode?: number;
      details?: string;
      fbtraceId?: string;
      delayMs?: number;
    }
  /** Any status with any body (a gateway's HTML page, say). */
  | { kind: 'http'; status: number; body?: string; contentType?: string; delayMs?: number }
  /** Read the request, never answer; the connection closes when the server stops. */
  | { kind: 'hang' }
  /** Read the request, then reset the connection (TCP RST) without answering. */
  | { kind: 'reset'; delayMs?: number }
  /** Answer 200 with half of a body its Content-Length promised, then close the connection. */
  | { kind: 'cut' };

/** Which requests a scripted answer is for: every field given must match. */
export interface RequestMatch {
  method?: string;
  /** The raw pathname (`/v23.0/1234/messages`), or a pattern for it. */
  path?: string | RegExp;
  /** The JSON body contains these values (deeply; arrays compared whole). */
  json?: Record<string, unknown>;
  /** Anything else (in this process only). */
  where?: (request: RecordedRequest) => boolean;
}

/** A message Meta accepted: what a test or benchmark counts. */
export interface AcceptedMessage {
  wamid: string;
  phoneNumberId: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface FakeUpload {
  id: string;
  phoneNumberId: string;
  /** The `type` field. */
  mimeType: string;
  filename: string;
  bytes: Buffer;
}

export interface FakeGraph {
  /** Base URL, e.g. http://127.0.0.1:12345 */
  url: string;
  add(m: FakeMedia): void;
  /** Every request as received (not the /_fake/ control calls), oldest first; `requests.length = 0` clears it too. */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Sends accepted by default or by an `accept` answer, oldest first. */
  accepted: AcceptedMessage[];
  /** Uploaded files by media id; each is also served by id like added media. */
  uploads: Map<string, FakeUpload>;
  /** Answers the next requests matching `match` with `answers`, one each, in order; then the default again. */
  script(match: RequestMatch, ...answers: FakeAnswer[]): void;
  /** Answers every request matching `match` with `answer`, until clearScripts. Queued answers come first. */
  scriptAlways(match: RequestMatch, answer: FakeAnswer): void;
  clearScripts(): void;
  /** The templates GET /{waba}/message_templates lists; `pageSize` caps the page whatever `limit` asks. */
  setTemplates(wabaId: string, templates: FakeTemplate[], options?: { pageSize?: number }): void;
  close(): Promise<void>;
}

/** A template in Meta's shape (`name`, `language`, `status`, `category`, `parameter_format`, `components`, `id`). */
export type FakeTemplate = { name: string; language: string } & Record<string, unknown>;

export interface FakeGraphOptions {
  token: string;
  version?: string;
  /** Every default answer to a send waits this long (a benchmark's Meta latency). */
  sendDelayMs?: number;
}

interface Facts {
  sha256: string;
  size: number;
}

interface Script {
  match: RequestMatch;
  answers: FakeAnswer[];
  always: boolean;
}

/** Meta's titles, which lead its error messages ("(#131047) Re-engagement message"). */
const META_TITLES: Record<number, string> = {
  4: 'Application request limit reached',
  100: 'Invalid parameter',
  190: 'Access token has expired',
  80007: 'Rate limit issues',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131016: 'Service unavailable',
  131026: 'Message undeliverable',
  131047: 'Re-engagement message',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  132001: 'Template name does not exist in the translation',
};

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const version = options.version ?? 'v21.0';
  const media = new Map<string, FakeMedia>();
  const facts = new Map<string, Promise<Facts>>();
  const requests: RecordedRequest[] = [];
  const accepted: AcceptedMessage[] = [];
  const uploads = new Map<string, FakeUpload>();
  const templates = new Map<string, { list: FakeTemplate[]; pageSize?: number }>();
  let scripts: Script[] = [];
  let sequence = 0;
  let base = '';

  // The real hash and size of a body; a stream body is read through once, on first lookup.
  const factsOf = (m: FakeMedia): Promise<Facts> => {
    let f = facts.get(m.id);
    if (!f) {
      f = (async () => {
        if (Buffer.isBuffer(m.body)) return { sha256: sha256Hex(m.body), size: m.body.length };
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of m.body() as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
        }
        return { sha256: hash.digest('hex'), size };
      })();
      facts.set(m.id, f);
    }
    return f;
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const metaError = (res: http.ServerResponse, status: number, code: number, message: string, details?: string) =>
    json(res, status, {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details } }),
        fbtrace_id: `Fake${randomBytes(6).toString('base64url')}`,
      },
    });
  const notFound = (res: http.ServerResponse) =>
    json(res, 404, {
      error: { message: 'Unsupported get request. Object does not exist', type: 'GraphMethodException', code: 100 },
    });

  /** The first script matching `request`, consuming a queued answer. */
  const scriptedAnswer = (request: RecordedRequest): FakeAnswer | null => {
    for (const s of scripts) {
      if (!matches(s.match, request)) continue;
      if (s.always) return s.answers[0]!;
      const answer = s.answers.shift()!;
      if (s.answers.length === 0) scripts = scripts.filter((x) => x !== s);
      return answer;
    }
    return null;
  };

  const nextWamid = (phoneNumberId: string) =>
    `wamid.${Buffer.from(`${phoneNumberId}.${++sequence}.${randomBytes(9).toString('hex')}`).toString('base64url')}`;

  /** The answer to a send Meta takes: contacts as Meta echoes them (a BSUID gets user_id, no wa_id). */
  const acceptSend = (
    res: http.ServerResponse,
    phoneNumberId: string,
    request: RecordedRequest,
    answer: Extract<FakeAnswer, { kind: 'accept' }> | null,
  ) => {
    const body = request.json as Record<string, unknown>;
    if (body.status === 'read') return json(res, 200, { success: true });
    const wamid = answer?.wamid ?? nextWamid(phoneNumberId);
    accepted.push({ wamid, phoneNumberId, body, receivedAt: request.receivedAt });
    const contact =
      typeof body.recipient === 'string' && typeof body.to !== 'string'
        ? { input: body.recipient, user_id: body.recipient }
        : { input: String(body.to ?? ''), wa_id: String(body.to ?? '').replace(/\D/g, '') };
    return json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [contact],
      messages: [{ id: wamid, ...(answer?.messageStatus ? { message_status: answer.messageStatus } : {}) }],
    });
  };

  const sendRoute = (res: http.ServerResponse, phoneNumberId: string, request: RecordedRequest, answer: FakeAnswer | null) => {
    const body = request.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return metaError(res, 400, 100, '(#100) Invalid parameter', 'The request body is not a JSON object.');
    }
    if ((body as Record<string, unknown>).messaging_product !== 'whatsapp') {
      return metaError(res, 400, 100, '(#100) The parameter messaging_product is required.');
    }
    return acceptSend(res, phoneNumberId, request, answer?.kind === 'accept' ? answer : null);
  };

  const uploadRoute = (res: http.ServerResponse, phoneNumberId: string, request: RecordedRequest) => {
    const file = request.files?.file;
    if (request.fields?.messaging_product !== 'whatsapp')
      return metaError(res, 400, 100, '(#100) The parameter messaging_product is required.');
    if (!file) return metaError(res, 400, 100, '(#100) The parameter file is required.');
    if (!request.fields?.type) return metaError(res, 400, 100, '(#100) The parameter type is required.');
    const id = `${Date.now()}${String(++sequence).padStart(6, '0')}`;
    uploads.set(id, { id, phoneNumberId, mimeType: request.fields.type, filename: file.filename, bytes: file.bytes });
    media.set(id, { id, body: file.bytes, mimeType: request.fields.type });
    return json(res, 200, { id });
  };

  const templatesRoute = (res: http.ServerResponse, rawWaba: string, wabaId: string, request: RecordedRequest) => {
    const known = templates.get(wabaId);
    if (!known) return notFound(res);
    const asked = Number(request.query.limit ?? 25);
    const size = Math.max(1, Math.min(Number.isFinite(asked) && asked > 0 ? asked : 25, known.pageSize ?? Number.POSITIVE_INFINITY));
    const start = request.query.after ? cursorIndex(request.query.after) + 1 : 0;
    const page = known.list.slice(start, start + size).map((t, i) => ({ id: `tmpl-${start + i}`, ...t }));
    const end = start + page.length;
    const paging: Record<string, unknown> = page.length > 0 ? { cursors: { before: cursorOf(start), after: cursorOf(end - 1) } } : {};
    if (end < known.list.length) {
      const query = new URLSearchParams({ ...request.query, limit: String(size), after: cursorOf(end - 1) });
      paging.next = `${base}/${version}/${rawWaba}/message_templates?${query}`;
    }
    return json(res, 200, { data: page, paging });
  };

  const answerScripted = async (req: http.IncomingMessage, res: http.ServerResponse, answer: FakeAnswer): Promise<boolean> => {
    if (answer.kind === 'hang') return true;
    if ('delayMs' in answer && answer.delayMs) await sleep(answer.delayMs);
    if (res.destroyed) return true;
    switch (answer.kind) {
      case 'reset':
        req.socket.resetAndDestroy();
        return true;
      case 'cut': {
        const body = '{"messaging_product":"whatsapp","messages":[{"id":"wamid.CUT"}]}';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, 20), () => req.socket.destroy());
        return true;
      }
      case 'meta-error':
        json(res, answer.status, {
          error: {
            message: answer.message ?? `(#${answer.code}) ${META_TITLES[answer.code] ?? `Error ${answer.code}`}`,
            type: answer.type ?? 'OAuthException',
            code: answer.code,
            ...(answer.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details: answer.details } }),
            ...(answer.subcode === undefined ? {} : { error_subcode: answer.subcode }),
            fbtrace_id: answer.fbtraceId ?? `Fake${randomBytes(6).toString('base64url')}`,
          },
        });
        return true;
      case 'http':
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/html' });
        res.end(answer.body ?? '');
        return true;
      case 'accept':
        return false; // the route answers, after the delay
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const rawPath = req.url ?? '/';
    if (rawPath.startsWith('/_fake/')) return control(req, res, rawPath);
    const request = await record(req);
    requests.push(request);
    if (request.auth !== `Bearer ${options.token}`) {
      return json(res, 401, {
        error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 },
      });
    }
    const scripted = scriptedAnswer(request);
    if (scripted && (await answerScripted(req, res, scripted))) return;
    if (res.destroyed) return;

    const segments = request.pathname.split('/').slice(1);
    const decoded = segments.map(safeDecode);
    if (decoded.includes(null)) return notFound(res);
    const [first, id, edge] = decoded as string[];

    if (segments.length === 3 && first === version) {
      if (req.method === 'POST' && edge === 'messages') {
        if (!scripted && options.sendDelayMs) await sleep(options.sendDelayMs);
        return sendRoute(res, id!, request, scripted);
      }
      if (req.method === 'POST' && edge === 'media') return uploadRoute(res, id!, request);
      if (req.method === 'GET' && edge === 'message_templates') return templatesRoute(res, segments[1]!, id!, request);
      return notFound(res);
    }
    if (segments.length !== 2) return notFound(res);
    const m = media.get(id!);
    if (!m) return notFound(res);

    if (first === version) {
      // With both overridden, a stream body is not read here: a test can count what the download pulls.
      const f = m.sha256 !== undefined && m.fileSize !== undefined ? null : await factsOf(m);
      return json(res, 200, {
        url: `${m.fileOrigin ?? base}/files/${encodeURIComponent(id!)}?sig=${randomBytes(8).toString('hex')}`,
        mime_type: m.mimeType,
        sha256: m.sha256 ?? f?.sha256,
        file_size: m.fileSize ?? f?.size,
        id,
        messaging_product: 'whatsapp',
      });
    }
    if (first !== 'files') return notFound(res);

    if (m.redirectTo !== undefined) {
      res.writeHead(302, { location: m.redirectTo });
      return res.end();
    }
    const behaviour = m.behaviour ?? 'ok';
    if (behaviour === 'expired-url') return json(res, 404, { error: { message: 'URL signature expired' } });
    const headers: http.OutgoingHttpHeaders = { 'content-type': m.mimeType };
    if (Buffer.isBuffer(m.body)) headers['content-length'] = m.body.length;
    res.writeHead(200, headers);

    if (behaviour === 'ok') {
      const source = Buffer.isBuffer(m.body) ? Readable.from([m.body]) : m.body();
      return pipeline(source, res).catch(() => {});
    }
    if (behaviour === 'hang') {
      res.flushHeaders();
      return; // headers out, body never finishes; close() cuts it
    }
    const size = (await factsOf(m)).size;
    const half = Math.floor(size / 2);
    let sent = 0;
    for await (const chunk of (Buffer.isBuffer(m.body) ? [m.body] : m.body()) as AsyncIterable<Buffer>) {
      const pieces = behaviour === 'slow' ? split(chunk, 1024) : [chunk];
      for (let piece of pieces) {
        if (res.destroyed) return;
        if (behaviour === 'drop-midway' && sent + piece.length >= half) {
          piece = piece.subarray(0, half - sent);
          res.write(piece);
          await sleep(20);
          req.socket.destroy();
          return;
        }
        res.write(piece);
        sent += piece.length;
        if (behaviour === 'slow') await sleep(20);
      }
    }
    res.end();
  };

  // Scripting and reading from another process (e2e workers, a benchmark's fake in its own process).
  const control = async (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => {
    const [route = '', rawId] = rawPath.slice('/_fake/'.length).split('?')[0]!.split('/');
    const body = req.method === 'GET' || req.method === 'DELETE' ? null : JSON.parse((await readBody(req)).toString('utf8') || 'null');
    if (route === 'requests' && req.method === 'GET') return json(res, 200, requests.map(serializable));
    if (route === 'requests' && req.method === 'DELETE') {
      requests.length = 0;
      return json(res, 200, {});
    }
    if (route === 'accepted' && req.method === 'GET') return json(res, 200, accepted);
    if (route === 'script' && req.method === 'POST') {
      const { match, answers, always } = body as { match: SerializedMatch; answers: FakeAnswer[]; always?: boolean };
      scripts.push({ match: revive(match), answers, always: always === true });
      return json(res, 200, {});
    }
    if (route === 'script' && req.method === 'DELETE') {
      scripts = [];
      return json(res, 200, {});
    }
    if (route === 'templates' && req.method === 'PUT' && rawId) {
      const { templates: list, pageSize } = body as { templates: FakeTemplate[]; pageSize?: number };
      templates.set(decodeURIComponent(rawId), { list, pageSize });
      return json(res, 200, {});
    }
    if (route === 'templates' && req.method === 'POST' && rawId) {
      // Added to what the account has (the same name and language replaced): tests running side by side
      // each add their own without taking the other's away.
      const { templates: added } = body as { templates: FakeTemplate[] };
      const wabaId = decodeURIComponent(rawId);
      const known = templates.get(wabaId) ?? { list: [] };
      const kept = known.list.filter((t) => !added.some((a) => a.name === t.name && a.language === t.language));
      templates.set(wabaId, { ...known, list: [...kept, ...added] });
      return json(res, 200, {});
    }
    return notFound(res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    add(m) {
      media.set(m.id, m);
      facts.delete(m.id);
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    accepted,
    uploads,
    script(match, ...answers) {
      if (answers.length > 0) scripts.push({ match, answers, always: false });
    },
    scriptAlways(match, answer) {
      scripts.push({ match, answers: [answer], always: true });
    },
    clearScripts() {
      scripts = [];
    },
    setTemplates(wabaId, list, { pageSize } = {}) {
      templates.set(wabaId, { list, pageSize });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung requests included: their sockets close now.
        server.closeAllConnections();
      }),
  };
}

/** A RequestMatch that can travel as JSON: a pattern as its source. */
type SerializedMatch = Omit<RequestMatch, 'path' | 'where'> & { path?: string; pathPattern?: string };

function revive(match: SerializedMatch): RequestMatch {
  const { pathPattern, ...rest } = match;
  return pathPattern === undefined ? rest : { ...rest, path: new RegExp(pathPattern) };
}

/**
 * The fake Graph API at `url`, driven from another process: script answers, read what it received. The
 * match's `where` cannot travel; use `json`.
 */
export function connectFakeGraph(url: string) {
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}/_fake/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fake Graph API: ${method} /_fake/${route} answered ${res.status}`);
    return res.json();
  };
  const serialize = ({ path, where, ...rest }: RequestMatch): SerializedMatch => {
    if (where) throw new Error('fake Graph API: a `where` predicate cannot be sent to another process; match on json instead');
    return path instanceof RegExp ? { ...rest, pathPattern: path.source } : { ...rest, path };
  };
  return {
    url,
    script: async (match: RequestMatch, ...answers: FakeAnswer[]) =>
      void (await call('POST', 'script', { match: serialize(match), answers })),
    scriptAlways: async (match: RequestMatch, answer: FakeAnswer) =>
      void (await call('POST', 'script', { match: serialize(match), answers: [answer], always: true })),
    clearScripts: async () => void (await call('DELETE', 'script')),
    /** Recorded requests; multipart files come as their name, type and size. */
    requests: async () => (await call('GET', 'requests')) as SerializedRequest[],
    clearRequests: async () => void (await call('DELETE', 'requests')),
    accepted: async () => (await call('GET', 'accepted')) as AcceptedMessage[],
    setTemplates: async (wabaId: string, templates: FakeTemplate[], options: { pageSize?: number } = {}) =>
      void (await call('PUT', `templates/${encodeURIComponent(wabaId)}`, { templates, ...options })),
    /** Adds to the account's templates (the same name and language replaced), keeping the rest. */
    addTemplates: async (wabaId: string, templates: FakeTemplate[]) =>
      void (await call('POST', `templates/${encodeURIComponent(wabaId)}`, { templates })),
  };
}

export type SerializedRequest = Omit<RecordedRequest, 'files'> & {
  files?: Record<string, { filename: string; type: string; size: number }>;
};

function serializable(r: RecordedRequest): SerializedRequest {
  const { files, ...rest } = r;
  if (!files) return rest;
  return {
    ...rest,
    files: Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { filename: f.filename, type: f.type, size: f.bytes.length }])),
  };
}

/** Reads a request whole and records it: JSON bodies parsed, multipart bodies as fields and files. */
async function record(req: http.IncomingMessage): Promise<RecordedRequest> {
  const receivedAt = Date.now();
  const path = req.url ?? '/';
  const [pathname = '/', search = ''] = path.split(/\?(.*)/s, 2);
  const request: RecordedRequest = {
    method: req.method ?? 'GET',
    path,
    pathname,
    query: Object.fromEntries(new URLSearchParams(search)),
    headers: req.headers,
    auth: req.headers.authorization ?? null,
    receivedAt,
  };
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  if (raw.length > 0 && type.startsWith('application/json')) {
    try {
      request.json = JSON.parse(raw.toString('utf8'));
    } catch {
      request.json = undefined;
    }
  } else if (raw.length > 0 && type.startsWith('multipart/form-data')) {
    // fetch's own multipart parser, so the fake reads what any client writes.
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData().catch(() => null);
    if (form) {
      request.fields = {};
      request.files = {};
      for (const [name, value] of form) {
        if (typeof value === 'string') request.fields[name] = value;
        else request.files[name] = { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
      }
    }
  }
  return request;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function matches(match: RequestMatch, request: RecordedRequest): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (typeof match.path === 'string' && match.path !== request.pathname) return false;
  if (match.path instanceof RegExp && !match.path.test(request.pathname)) return false;
  if (match.json !== undefined && !contains(request.json, match.json)) return false;
  return match.where === undefined || match.where(request);
}

/** Whether `actual` has every value of `expected`, objects compared key by key, anything else whole. */
function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    return JSON.stringify(actual) === JSON.stringify(expected);
  }
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
}

const cursorOf = (index: number) => Buffer.from(`cursor:${index}`).toString('base64url');
function cursorIndex(cursor: string): number {
  const n = Number(
    Buffer.from(cursor, 'base64url')
      .toString('utf8')
      .replace(/^cursor:/, ''),
  );
  return Number.isInteger(n) ? n : -1;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function split(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}
