import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphApiClient, GraphApiError, graphPath, parseGraphError } from '@/lib/whatsapp/graph-api';

// The Graph API client against a stand-in on loopback: JSON in and out, Meta's error envelope parsed
// into {code, title, message, details}, and the access token in no error, whatever Meta echoes back.

const TOKEN = 'EAAG-graph-api-test-token-0987654321';
const VERSION = 'v23.0';

interface Seen {
  method: string;
  path: string;
  auth: string | null;
  contentType: string | null;
  body: string;
}

type Answer = { status: number; json?: unknown; text?: string; headers?: Record<string, string> };

let server: http.Server;
let base: string;
let answer: (seen: Seen) => Answer;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const s: Seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      auth: req.headers.authorization ?? null,
      contentType: req.headers['content-type'] ?? null,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(s);
    const a = answer(s);
    res.writeHead(a.status, { 'content-type': a.json !== undefined ? 'application/json' : 'text/plain', ...a.headers });
    res.end(a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  answer = () => ({ status: 200, json: { success: true } });
});

const client = (over: Partial<ConstructorParameters<typeof GraphApiClient>[0]> = {}) =>
  new GraphApiClient({ graphUrl: base, graphVersion: VERSION, accessToken: TOKEN, ...over });

/** The rejection, checked to be a GraphApiError that carries the token nowhere. */
async function graphError(p: Promise<unknown>): Promise<GraphApiError> {
  const err = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphApiError);
  const e = err as GraphApiError;
  expect(JSON.stringify({ message: e.message, stack: e.stack, metaError: e.metaError })).not.toContain(TOKEN);
  let cause: unknown = e.cause;
  while (cause instanceof Error) {
    expect(cause.message).not.toContain(TOKEN);
    cause = cause.cause;
  }
  return e;
}

const sendText = { messaging_product: 'whatsapp', to: '+4915112345678', type: 'text', text: { body: 'Hallo' } };

describe('GraphApiClient.request', () => {
  it('POSTs JSON with the token under the configured version, and returns the parsed answer', async () => {
    const accepted = {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+4915112345678', wa_id: '4915112345678' }],
      messages: [{ id: 'wamid.OUT-1' }],
    };
    answer = () => ({ status: 200, json: accepted });
    const got = await client({ graphUrl: `${base}/` }).request('POST', graphPath('1234567890', 'messages'), { json: sendText });
    expect(got).toEqual(accepted);
    expect(seen).toEqual([
      {
        method: 'POST',
        path: `/${VERSION}/1234567890/messages`,
        auth: `Bearer ${TOKEN}`,
        contentType: 'application/json',
        body: JSON.stringify(sendText),
      },
    ]);
  });

  it('GETs with a query string, and encodes each path segment', async () => {
    answer = () => ({ status: 200, json: { data: [], paging: {} } });
    await client().request('GET', `${graphPath('waba/../1')}/message_templates?fields=name,status&limit=100`);
    expect(seen[0]!.path).toBe(`/${VERSION}/waba%2F..%2F1/message_templates?fields=name,status&limit=100`);
  });

  it('parses Meta’s error envelope into code, title, message and details', async () => {
    answer = () => ({
      status: 400,
      json: {
        error: {
          message: '(#131047) Re-engagement message',
          type: 'OAuthException',
          code: 131047,
          error_data: {
            messaging_product: 'whatsapp',
            details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          },
          error_subcode: 2494010,
          fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
        },
      },
    });
    const e = await graphError(client().request('POST', graphPath('1234567890', 'messages'), { json: sendText, what: 'send' }));
    expect(e.failure).toBe('http');
    expect(e.status).toBe(400);
    expect(e.code).toBe(131047);
    expect(e.metaError).toEqual({
      code: 131047,
      title: 'Re-engagement message',
      message: '(#131047) Re-engagement message',
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      type: 'OAuthException',
      subcode: 2494010,
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    });
    expect(e.message).toBe('send answered 400 code 131047 ((#131047) Re-engagement message)');
  });

  it('keeps the status alone when the body is not Graph’s envelope', async () => {
    answer = () => ({ status: 502, text: '<html>Bad gateway</html>' });
    const e = await graphError(client().request('GET', 'me'));
    expect([e.failure, e.status, e.metaError]).toEqual(['http', 502, null]);
    expect(e.message).toBe('GET /me answered 502');
  });

  it('never puts the token in an error, even when Meta echoes it back', async () => {
    answer = (s) => ({
      status: 401,
      json: {
        error: {
          message: `Invalid OAuth access token - ${s.auth}`,
          type: 'OAuthException',
          code: 190,
          error_data: { details: `token ${TOKEN} expired` },
        },
      },
    });
    const e = await graphError(client().request('GET', 'me'));
    expect(e.code).toBe(190);
    expect(e.message).toContain('[redacted]');
    expect(e.metaError?.message).toBe('Invalid OAuth access token - Bearer [redacted]');
    expect(e.metaError?.details).toBe('token [redacted] expired');
  });

  it('a success that is not JSON → invalid_response', async () => {
    answer = () => ({ status: 200, text: 'not json' });
    const e = await graphError(client().request('GET', 'me'));
    expect([e.failure, e.status]).toEqual(['invalid_response', 200]);
  });

  it('a refused connection → network, never reached Meta, with fetch’s error as the cause', async () => {
    // A port that was just free: refused by the kernel (fetch itself blocks port 1 as a "bad port").
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const e = await graphError(client({ graphUrl: `http://127.0.0.1:${port}` }).request('GET', 'me'));
    expect([e.failure, e.status, e.fate]).toEqual(['network', null, 'not_sent']);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('the caller’s abort rejects with the caller’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(client().request('GET', 'me', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('follows no redirect of a POST, and none to a host off the list', async () => {
    answer = () => ({ status: 307, headers: { location: 'https://evil.example/x' } });
    expect((await graphError(client().request('POST', 'x/messages', { json: {} }))).failure).toBe('http');
    const e = await graphError(client().request('GET', 'x'));
    expect(e.failure).toBe('untrusted_host');
    expect(e.message).toContain('redirected');
    expect(seen).toHaveLength(2);
  });

  it('refuses a Graph URL whose scheme is neither https nor http before sending anything', async () => {
    const fake: typeof fetch = async () => {
      throw new Error('must not be called');
    };
    const c = new GraphApiClient({ graphUrl: base, graphVersion: VERSION, accessToken: TOKEN, fetch: fake });
    const e = await graphError(c.fetchFile(new URL('ftp://lookaside.fbsbx.com/x')));
    expect(e.failure).toBe('untrusted_host');
  });
});

describe('parseGraphError', () => {
  it('reads Meta’s envelope; a title is the message without its (#code) prefix', () => {
    expect(parseGraphError(JSON.stringify({ error: { message: '(#130429) Rate limit hit', code: 130429 } }))).toMatchObject({
      code: 130429,
      title: 'Rate limit hit',
      message: '(#130429) Rate limit hit',
      details: null,
    });
  });

  it('takes error_user_title when Meta sends one, and numeric strings as codes', () => {
    expect(parseGraphError(JSON.stringify({ error: { message: 'x', code: '100', error_user_title: 'Invalid parameter' } }))).toMatchObject({
      code: 100,
      title: 'Invalid parameter',
    });
  });

  it('tolerates odd fields and refuses what is not the envelope', () => {
    expect(parseGraphError(JSON.stringify({ error: { message: 42, code: 'abc', error_data: 'x' } }))).toEqual({
      code: null,
      title: null,
      message: null,
      details: null,
      type: null,
      subcode: null,
      fbtraceId: null,
    });
    expect(parseGraphError('<html>')).toBeNull();
    expect(parseGraphError(JSON.stringify({ data: [] }))).toBeNull();
    expect(parseGraphError('null')).toBeNull();
  });
});
