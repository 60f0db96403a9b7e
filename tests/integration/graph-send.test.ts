import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectFakeGraph, type FakeAnswer, type FakeGraph, startFakeGraph } from '@/tools/fake-graph';
import {
  fateOfFetchError,
  GraphApiClient,
  type GraphApiConfig,
  GraphApiError,
  MediaRefusedError,
  type MessageTemplate,
} from '@/lib/whatsapp/graph-api';
import { buildMessageRequest } from '@/lib/whatsapp/send-requests';
import { classifySendFailure, type SendOutcome } from '@/lib/whatsapp/send-outcome';

// The send side of the Graph client against the fake Graph API over real HTTP on loopback: the bodies it
// records are Meta's documented shapes, and every way a send can fail lands in the right class
// (retryable, final, unknown) with the request's fate told apart (never reached Meta, Meta answered,
// outcome unknown).

const TOKEN = 'EAAG-graph-send-test-token-1234567890';
const VERSION = 'v23.0';
const PHONE = '1098765432';
const MESSAGES = `/${VERSION}/${PHONE}/messages`;

let graph: FakeGraph;

beforeAll(async () => {
  graph = await startFakeGraph({ token: TOKEN, version: VERSION });
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => {
  graph.clearRequests();
  graph.clearScripts();
  graph.accepted.length = 0;
});

const client = (over: Partial<GraphApiConfig> = {}) =>
  new GraphApiClient({ graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN, ...over });
const text = (body: string, to = '4915112345678', id = 'msg-1') => buildMessageRequest({ waId: to }, { type: 'text', text: body }, id);

/** The rejection, as a GraphApiError with no token in it. */
async function failure(p: Promise<unknown>): Promise<GraphApiError> {
  const err = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphApiError);
  expect(JSON.stringify({ m: (err as Error).message, e: (err as GraphApiError).metaError })).not.toContain(TOKEN);
  return err as GraphApiError;
}

/** How a send that fails with `answer` is classified on its first attempt, and the error behind it. */
async function sendAgainst(answer: FakeAnswer, timeoutMs = 2_000): Promise<{ outcome: SendOutcome; error: GraphApiError }> {
  graph.script({ method: 'POST', path: MESSAGES }, answer);
  const error = await failure(client().sendMessage(PHONE, text('Hallo'), { timeoutMs }));
  return { outcome: classifySendFailure(error, 1), error };
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('sendMessage: accepted', () => {
  it('POSTs Meta’s body with the bearer token and returns the wamid; wamids are unique', async () => {
    const first = await client().sendMessage(PHONE, text('Hallo, wie kann ich helfen?'));
    const second = await client().sendMessage(PHONE, text('Noch etwas?', '4915112345678', 'msg-2'));
    expect(first).toEqual({
      wamid: expect.stringMatching(/^wamid\./),
      input: '+4915112345678',
      waId: '4915112345678',
      userId: null,
      messageStatus: null,
    });
    expect(second.wamid).not.toBe(first.wamid);
    expect(graph.requests).toHaveLength(2);
    const [r] = graph.requests;
    expect(r).toMatchObject({ method: 'POST', pathname: MESSAGES, auth: `Bearer ${TOKEN}` });
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+4915112345678',
      type: 'text',
      text: { body: 'Hallo, wie kann ich helfen?' },
      biz_opaque_callback_data: 'msg-1',
    });
    expect(graph.accepted.map((a) => a.wamid)).toEqual([first.wamid, second.wamid]);
  });

  it('a BSUID recipient: Meta answers with user_id and no wa_id', async () => {
    const sent = await client().sendMessage(
      PHONE,
      buildMessageRequest({ bsuid: 'US.13491208655302741918' }, { type: 'text', text: 'Hi' }, 'msg-3'),
    );
    expect(sent).toMatchObject({ input: 'US.13491208655302741918', waId: null, userId: 'US.13491208655302741918' });
    expect(graph.requests[0]!.json).toMatchObject({ recipient: 'US.13491208655302741918' });
    expect(graph.requests[0]!.json).not.toHaveProperty('to');
  });

  it('a paced template’s message_status is passed on', async () => {
    graph.script({ path: MESSAGES }, { kind: 'accept', wamid: 'wamid.HELD-1', messageStatus: 'held_for_quality_assessment' });
    const body = buildMessageRequest(
      { waId: '4915112345678' },
      { type: 'template', name: 'promo', language: 'en_US', body: { first_name: 'Jana' } },
      'm',
    );
    expect(await client().sendMessage(PHONE, body)).toMatchObject({ wamid: 'wamid.HELD-1', messageStatus: 'held_for_quality_assessment' });
    expect(graph.requests[0]!.json).toMatchObject({
      type: 'template',
      template: { components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Jana' }] }] },
    });
  });

  it('mark as read and typing: Meta’s bodies, answered {success: true}', async () => {
    await client().markRead(PHONE, 'wamid.IN-1');
    await client().sendTyping(PHONE, 'wamid.IN-2');
    expect(graph.requests.map((r) => [r.pathname, r.json])).toEqual([
      [MESSAGES, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN-1' }],
      [MESSAGES, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN-2', typing_indicator: { type: 'text' } }],
    ]);
    expect(graph.accepted).toEqual([]);
  });

  it('a slow answer inside the timeout is still a success', async () => {
    graph.script({ path: MESSAGES }, { kind: 'accept', delayMs: 150 });
    const started = Date.now();
    await client().sendMessage(PHONE, text('slow'), { timeoutMs: 2_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('sendMessage: every failure in its class', () => {
  it('Meta’s final errors (131047 window closed, 131026, 100) → final, with Meta’s code, title and details', async () => {
    const { outcome, error } = await sendAgainst({
      kind: 'meta-error',
      status: 400,
      code: 131047,
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      fbtraceId: 'AbC123',
    });
    expect(outcome).toEqual({ kind: 'final', reason: 'meta_error' });
    expect([error.fate, error.failure, error.status]).toEqual(['answered', 'http', 400]);
    expect(error.metaError).toMatchObject({
      code: 131047,
      title: 'Re-engagement message',
      details: expect.stringContaining('24 hours'),
      fbtraceId: 'AbC123',
    });
    for (const code of [131026, 100, 132001]) {
      expect((await sendAgainst({ kind: 'meta-error', status: 400, code })).outcome, String(code)).toEqual({
        kind: 'final',
        reason: 'meta_error',
      });
    }
  });

  it('rate limits (4, 80007, 130429, 131056) → retryable with their backoff', async () => {
    expect((await sendAgainst({ kind: 'meta-error', status: 429, code: 4 })).outcome).toMatchObject({
      kind: 'retryable',
      reason: 'app_rate_limit',
    });
    expect((await sendAgainst({ kind: 'meta-error', status: 400, code: 80007 })).outcome).toMatchObject({
      kind: 'retryable',
      reason: 'account_rate_limit',
    });
    expect((await sendAgainst({ kind: 'meta-error', status: 400, code: 130429 })).outcome).toMatchObject({
      kind: 'retryable',
      reason: 'throughput',
    });
    expect((await sendAgainst({ kind: 'meta-error', status: 400, code: 131056 })).outcome).toEqual({
      kind: 'retryable',
      reason: 'pair_rate_limit',
      retryInMs: 1_000,
    });
  });

  it('HTTP 5xx with Meta’s transient codes → retryable; 5xx without Meta’s envelope → unknown', async () => {
    expect((await sendAgainst({ kind: 'meta-error', status: 500, code: 131000 })).outcome).toMatchObject({
      kind: 'retryable',
      reason: 'meta_unavailable',
    });
    expect((await sendAgainst({ kind: 'meta-error', status: 503, code: 131016 })).outcome).toMatchObject({ kind: 'retryable' });
    expect((await sendAgainst({ kind: 'meta-error', status: 500, code: 2 })).outcome).toMatchObject({ kind: 'retryable' });
    const gateway = await sendAgainst({ kind: 'http', status: 502, body: '<html>Bad Gateway</html>' });
    expect(gateway.outcome).toEqual({ kind: 'unknown', reason: 'ambiguous_answer' });
    expect([gateway.error.fate, gateway.error.status, gateway.error.metaError]).toEqual(['answered', 502, null]);
  });

  it('a 200 without a wamid → unknown (Meta may have sent it)', async () => {
    const { outcome, error } = await sendAgainst({
      kind: 'http',
      status: 200,
      body: '{"messaging_product":"whatsapp"}',
      contentType: 'application/json',
    });
    expect(error.failure).toBe('invalid_response');
    expect(outcome).toEqual({ kind: 'unknown', reason: 'ambiguous_answer' });
  });

  it('a hang past the timeout → unknown, never retried', async () => {
    const started = Date.now();
    const { outcome, error } = await sendAgainst({ kind: 'hang' }, 200);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect([error.fate, error.failure]).toEqual(['unknown', 'network']);
    expect(error.message).toContain('no complete answer within 200 ms');
    expect(outcome).toEqual({ kind: 'unknown', reason: 'no_answer' });
    expect(graph.requests).toHaveLength(1);
  });

  it('a slow answer past the timeout → unknown', async () => {
    const { outcome } = await sendAgainst({ kind: 'accept', delayMs: 600 }, 150);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'no_answer' });
  });

  it('the connection reset after the request was read → unknown', async () => {
    const { outcome, error } = await sendAgainst({ kind: 'reset' });
    expect([error.fate, error.failure, error.status]).toEqual(['unknown', 'network', null]);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'no_answer' });
    expect(graph.requests).toHaveLength(1);
  });

  it('an answer cut off after its status → unknown (Meta may have sent it)', async () => {
    const { outcome, error } = await sendAgainst({ kind: 'cut' });
    expect([error.fate, error.failure, error.status]).toEqual(['unknown', 'network', 200]);
    expect(error.message).toContain('answer was cut off');
    expect(outcome).toEqual({ kind: 'unknown', reason: 'no_answer' });
  });

  it('a TLS handshake that never ends, past the timeout, never reached Meta → retryable', async () => {
    // A server that takes the connection and says nothing: the handshake waits for its answer.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sockets: net.Socket[] = [];
    silent.on('connection', (socket) => sockets.push(socket));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const error = await failure(client({ graphUrl: `https://127.0.0.1:${port}` }).sendMessage(PHONE, text('x'), { timeoutMs: 200 }));
      expect([error.fate, error.failure]).toEqual(['not_sent', 'network']);
      expect(error.message).toContain('no connection within 200 ms');
      expect(classifySendFailure(error, 1)).toMatchObject({ kind: 'retryable', reason: 'not_sent' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a refused connection never reached Meta → retryable', async () => {
    const error = await failure(client({ graphUrl: `http://127.0.0.1:${await closedPort()}` }).sendMessage(PHONE, text('x')));
    expect([error.fate, error.failure]).toEqual(['not_sent', 'network']);
    expect(error.message).toContain('ECONNREFUSED');
    expect(classifySendFailure(error, 1)).toMatchObject({ kind: 'retryable', reason: 'not_sent' });
  });

  it('a name that does not resolve never reached Meta → retryable', async () => {
    const error = await failure(client({ graphUrl: 'http://graph.no-such-host.invalid' }).sendMessage(PHONE, text('x')));
    expect(error.fate).toBe('not_sent');
    expect(classifySendFailure(error, 1)).toMatchObject({ kind: 'retryable' });
  });

  it('a failed TLS handshake never reached Meta → retryable', async () => {
    // https to a plain-http port: the handshake fails before any request is written.
    const error = await failure(client({ graphUrl: graph.url.replace('http:', 'https:') }).sendMessage(PHONE, text('x')));
    expect(error.fate).toBe('not_sent');
    expect(graph.requests).toEqual([]);
  });

  it('the caller’s abort rejects with the caller’s reason, not as a timeout', async () => {
    graph.script({ path: MESSAGES }, { kind: 'hang' });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(client().sendMessage(PHONE, text('x'), { signal: controller.signal, timeoutMs: 5_000 })).rejects.toBe(reason);
  });
});

describe('the caller’s signal', () => {
  it('already aborted: rejects with its reason and sends nothing', async () => {
    const reason = new Error('stopping');
    await expect(client().sendMessage(PHONE, text('x'), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(graph.requests).toEqual([]);
  });
});

describe('fateOfFetchError', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  it('connect-phase causes never reached the server; the rest are unknown', () => {
    expect(fateOfFetchError(fetchFailed(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))).toBe('not_sent');
    expect(fateOfFetchError(fetchFailed(Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'connect' })))).toBe('not_sent');
    expect(fateOfFetchError(fetchFailed(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' })))).toBe('not_sent');
    expect(fateOfFetchError(fetchFailed(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })])))).toBe('not_sent');
    // fetch refusing the request itself (an invalid header): nothing was written.
    expect(fateOfFetchError(new TypeError('Headers.append: invalid header value'))).toBe('not_sent');
    expect(fateOfFetchError(fetchFailed(Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'read' })))).toBe('unknown');
    expect(fateOfFetchError(fetchFailed(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })))).toBe('unknown');
    expect(fateOfFetchError(new Error('anything else'))).toBe('unknown');
  });
});

describe('scripted answers', () => {
  it('a queue per path, optionally by body: other requests get the default answer', async () => {
    graph.script(
      { path: MESSAGES, json: { to: '+4915100000002' } },
      { kind: 'meta-error', status: 400, code: 131026 },
      { kind: 'accept', wamid: 'wamid.SECOND' },
    );
    const ok = await client().sendMessage(PHONE, text('a', '4915100000001'));
    const refused = await failure(client().sendMessage(PHONE, text('b', '4915100000002')));
    const again = await client().sendMessage(PHONE, text('c', '4915100000002'));
    const after = await client().sendMessage(PHONE, text('d', '4915100000002'));
    expect(ok.wamid).toMatch(/^wamid\./);
    expect(refused.code).toBe(131026);
    expect(again.wamid).toBe('wamid.SECOND');
    expect(after.wamid).not.toBe('wamid.SECOND');
  });

  it('scriptAlways answers until cleared; a predicate narrows it', async () => {
    graph.scriptAlways(
      { path: MESSAGES, where: (r) => (r.json as { type?: string }).type === 'reaction' },
      { kind: 'meta-error', status: 400, code: 131009 },
    );
    const reaction = buildMessageRequest({ waId: '4915100000003' }, { type: 'reaction', messageId: 'wamid.X', emoji: '👍' }, 'r');
    expect((await failure(client().sendMessage(PHONE, reaction))).code).toBe(131009);
    expect((await failure(client().sendMessage(PHONE, reaction))).code).toBe(131009);
    await client().sendMessage(PHONE, text('still fine'));
    graph.clearScripts();
    await client().sendMessage(PHONE, reaction);
  });

  it('from another process over HTTP: script, read and clear', async () => {
    const remote = connectFakeGraph(graph.url);
    await remote.script({ method: 'POST', path: /\/messages$/, json: { type: 'text' } }, { kind: 'meta-error', status: 400, code: 131047 });
    expect((await failure(client().sendMessage(PHONE, text('x')))).code).toBe(131047);
    await client().sendMessage(PHONE, text('y'));
    const seen = await remote.requests();
    expect(seen.map((r) => (r.json as { text: { body: string } }).text.body)).toEqual(['x', 'y']);
    expect((await remote.accepted()).map((a) => a.body.text)).toEqual([{ body: 'y' }]);
    await remote.clearRequests();
    expect(graph.requests).toEqual([]);
  });

  it('a wrong token gets Meta’s 190, which is final', async () => {
    const error = await failure(client({ accessToken: 'EAAG-wrong' }).sendMessage(PHONE, text('x')));
    expect([error.status, error.code]).toEqual([401, 190]);
    expect(classifySendFailure(error, 1)).toEqual({ kind: 'final', reason: 'meta_error' });
  });
});

describe('uploadMedia', () => {
  it('uploads multipart (messaging_product, type, file) and returns the media id; the bytes arrive intact', async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const { id } = await client().uploadMedia(PHONE, { kind: 'image', mimeType: 'image/png', bytes, filename: 'receipt.png' });
    const r = graph.requests[0]!;
    expect(r).toMatchObject({ method: 'POST', pathname: `/${VERSION}/${PHONE}/media`, auth: `Bearer ${TOKEN}` });
    expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(r.fields).toEqual({ messaging_product: 'whatsapp', type: 'image/png' });
    expect(r.files?.file).toMatchObject({ filename: 'receipt.png', type: 'image/png' });
    expect(graph.uploads.get(id)).toMatchObject({ phoneNumberId: PHONE, mimeType: 'image/png', filename: 'receipt.png' });
    expect(graph.uploads.get(id)!.bytes.equals(bytes)).toBe(true);
  });

  it('refuses what WhatsApp would refuse before sending anything', async () => {
    const tooLarge = client().uploadMedia(PHONE, { kind: 'image', mimeType: 'image/jpeg', bytes: new Uint8Array(5 * 1024 * 1024 + 1) });
    await expect(tooLarge).rejects.toBeInstanceOf(MediaRefusedError);
    await expect(tooLarge).rejects.toMatchObject({ reason: 'too_large', message: 'The file is 5 MB; WhatsApp takes an image up to 5 MB.' });
    await expect(client().uploadMedia(PHONE, { kind: 'audio', mimeType: 'audio/webm', bytes: new Uint8Array(10) })).rejects.toMatchObject({
      reason: 'type',
    });
    await expect(
      client().uploadMedia(PHONE, { kind: 'document', mimeType: 'application/pdf', bytes: new Uint8Array(0) }),
    ).rejects.toMatchObject({
      reason: 'empty',
    });
    expect(graph.requests).toEqual([]);
  });

  it('a sticker’s limit depends on whether the WebP is animated', async () => {
    const webp = (animated: boolean, size: number) => {
      const b = Buffer.alloc(size);
      b.write('RIFF', 0, 'ascii');
      b.write('WEBPVP8X', 8, 'ascii');
      b[20] = animated ? 0x02 : 0;
      return b;
    };
    await expect(
      client().uploadMedia(PHONE, { kind: 'sticker', mimeType: 'image/webp', bytes: webp(false, 300 * 1024) }),
    ).rejects.toMatchObject({
      reason: 'too_large',
    });
    const { id } = await client().uploadMedia(PHONE, { kind: 'sticker', mimeType: 'image/webp', bytes: webp(true, 300 * 1024) });
    expect(graph.uploads.get(id)!.bytes.length).toBe(300 * 1024);
  });

  it('Meta’s refusal comes back as its error (131053)', async () => {
    graph.script(
      { path: `/${VERSION}/${PHONE}/media` },
      { kind: 'meta-error', status: 400, code: 131053, message: '(#131053) Media upload error' },
    );
    const error = await failure(client().uploadMedia(PHONE, { kind: 'audio', mimeType: 'audio/ogg', bytes: new Uint8Array(10) }));
    expect([error.code, error.fate]).toEqual([131053, 'answered']);
  });
});

describe('fetchTemplates', () => {
  const WABA = '5550001112223';
  const template = (i: number) => ({
    name: `template_${String(i).padStart(3, '0')}`,
    language: i % 2 === 0 ? 'en_US' : 'de',
    status: i % 5 === 0 ? 'PAUSED' : 'APPROVED',
    category: 'UTILITY',
    ...(i % 3 === 0 ? { parameter_format: 'NAMED' } : {}),
    components: [{ type: 'BODY', text: i % 3 === 0 ? 'Hi {{first_name}}' : 'Hi {{1}}' }],
  });

  it('follows paging.next across pages and returns every template in Meta’s order', async () => {
    graph.setTemplates(
      WABA,
      Array.from({ length: 250 }, (_, i) => template(i)),
    );
    const { templates, complete } = await client().fetchTemplates(WABA);
    expect(complete).toBe(true);
    expect(templates).toHaveLength(250);
    expect(templates[3]).toEqual<MessageTemplate>({
      id: 'tmpl-3',
      name: 'template_003',
      language: 'de',
      status: 'APPROVED',
      category: 'UTILITY',
      parameterFormat: 'NAMED',
      components: [{ type: 'BODY', text: 'Hi {{first_name}}' }],
    });
    expect(templates[1]!.parameterFormat).toBe('POSITIONAL');
    expect(graph.requests).toHaveLength(3);
    expect(graph.requests[0]!.query).toEqual({ fields: 'id,name,language,status,category,parameter_format,components', limit: '100' });
    expect(graph.requests[1]!.query.after).toBeTruthy();
    expect(graph.requests.every((r) => r.auth === `Bearer ${TOKEN}` && r.pathname === `/${VERSION}/${WABA}/message_templates`)).toBe(true);
  });

  it('answers in Meta’s shape: data, paging.cursors and a next link while pages remain', async () => {
    graph.setTemplates(
      WABA,
      Array.from({ length: 3 }, (_, i) => template(i)),
    );
    const res = await fetch(`${graph.url}/${VERSION}/${WABA}/message_templates?limit=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await res.json()) as { data: unknown[]; paging: { cursors: { before: string; after: string }; next?: string } };
    expect(page.data).toHaveLength(2);
    expect(page.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    const next = new URL(page.paging.next!);
    expect([next.origin, next.pathname, next.searchParams.get('after')]).toEqual([
      graph.url,
      `/${VERSION}/${WABA}/message_templates`,
      page.paging.cursors.after,
    ]);
    const last = (await (await fetch(next, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as typeof page;
    expect([last.data.length, last.paging.next]).toEqual([1, undefined]);
  });

  it('smaller pages than asked for are followed too; at most maxPages, then complete: false', async () => {
    graph.setTemplates(
      WABA,
      Array.from({ length: 30 }, (_, i) => template(i)),
      { pageSize: 10 },
    );
    expect((await client().fetchTemplates(WABA)).templates).toHaveLength(30);
    graph.clearRequests();
    const partial = await client().fetchTemplates(WABA, { maxPages: 2 });
    expect([partial.templates.length, partial.complete]).toEqual([20, false]);
    expect(graph.requests).toHaveLength(2);
  });

  it('an empty account is one request and an empty list', async () => {
    graph.setTemplates(WABA, []);
    expect(await client().fetchTemplates(WABA)).toEqual({ templates: [], complete: true });
  });

  it('refuses a next page off the Graph API, and never sends the token there', async () => {
    graph.script(
      { path: `/${VERSION}/${WABA}/message_templates` },
      {
        kind: 'http',
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ data: [template(1)], paging: { next: 'https://evil.example/v23.0/x/message_templates?after=1' } }),
      },
    );
    const error = await failure(client().fetchTemplates(WABA));
    expect(error.failure).toBe('untrusted_host');
    expect(graph.requests).toHaveLength(1);
  });

  it('Meta’s error on a later page rejects the whole fetch', async () => {
    graph.setTemplates(
      WABA,
      Array.from({ length: 15 }, (_, i) => template(i)),
      { pageSize: 10 },
    );
    graph.script(
      { path: `/${VERSION}/${WABA}/message_templates`, where: (r) => r.query.after !== undefined },
      { kind: 'meta-error', status: 400, code: 80007 },
    );
    expect((await failure(client().fetchTemplates(WABA))).code).toBe(80007);
  });
});
