import { z } from 'zod';
import { checkOutboundFile, isAnimatedWebp, type OutboundFileCheck, type OutboundMediaKind } from '@/lib/contracts/outbound-media';
import { ExchangeError, type ExchangeAnswer, type ExchangeRequest, exchange } from '@/lib/whatsapp/json-exchange';
import { buildReadRequest, buildTypingRequest, type MessageRequest } from '@/lib/whatsapp/send-requests';

// The one client of Meta's Graph API: everything that talks to Meta goes through here (media download,
// sending, mark-as-read and typing, media upload, templates). It knows the base URL, the version and the
// access token, and it guards the token: it goes only to the Graph API's own origin and to the media hosts
// an operator allows (WHATSAPP_MEDIA_HOSTS), over https (plain http only to a loopback stand-in), and
// redirects are followed by hand, each target checked first. A failed call becomes a GraphApiError
// carrying Meta's error as `{code, title, message, details}` and whether the request can have reached
// Meta (its `fate`, which decides whether a send may be retried); the token never appears in an error.

export interface GraphApiConfig {
  /** e.g. https://graph.facebook.com */
  graphUrl: string;
  /** e.g. v21.0 */
  graphVersion: string;
  accessToken: string;
  /**
   * Hosts besides the Graph API's own that may receive the token: exact names, or `*.example.com` for any
   * subdomain. Over https only (plain http only to a loopback host). Default: DEFAULT_MEDIA_HOSTS.
   */
  mediaHosts?: readonly string[];
  fetch?: typeof fetch;
}

/** Where Meta's media URLs point, as its Cloud API documents them (https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…). */
export const DEFAULT_MEDIA_HOSTS: readonly string[] = ['lookaside.fbsbx.com'];
/** Redirects followed per request (each one checked like the first URL). */
export const MAX_REDIRECTS = 3;

/**
 * Meta's error, as its envelope gives it (`{"error": {"message", "type", "code", "error_subcode",
 * "error_data": {"details"}, "fbtrace_id"}}`), in the shape webhooks report errors in. Meta advises
 * acting on `code` and `details`, not on titles or HTTP statuses.
 */
export interface MetaError {
  code: number | null;
  /** Meta has no title field in API answers: it leads the message ("(#130429) Rate limit hit"). */
  title: string | null;
  message: string | null;
  details: string | null;
  type: string | null;
  /** Deprecated by Meta since v16.0; kept when sent. */
  subcode: number | null;
  /** Quote it to Meta's support. */
  fbtraceId: string | null;
}

export type GraphFailure =
  /** Meta (or the media host) answered with an error status; `metaError` when the body said more. */
  | 'http'
  /** No answer: refused, reset, cut off. */
  | 'network'
  /** A URL or redirect the token may not go to: nothing was sent there. */
  | 'untrusted_host'
  /** A redirect without a usable Location, or too many of them. */
  | 'redirect'
  /** A success whose body is not the JSON expected. */
  | 'invalid_response';

/**
 * Whether Meta can have acted on a failed request. `not_sent`: it never reached Meta (connection refused,
 * DNS, TLS, refused by us before sending, or a request that could not be written). `answered`: Meta (or
 * something in front of it) answered with an HTTP status. `unknown`: the request went out and no complete
 * answer came back (a timeout, a connection lost after sending): Meta may or may not have acted on it.
 */
export type RequestFate = 'not_sent' | 'answered' | 'unknown';

export class GraphApiError extends Error {
  readonly fate: RequestFate;

  constructor(
    message: string,
    readonly failure: GraphFailure,
    /** The HTTP status, when there was an answer. */
    readonly status: number | null,
    readonly metaError: MetaError | null,
    options?: ErrorOptions & { fate?: RequestFate },
  ) {
    super(message, options);
    this.name = 'GraphApiError';
    this.fate = options?.fate ?? defaultFate(failure);
  }

  /** Meta's error code, when it gave one. */
  get code(): number | null {
    return this.metaError?.code ?? null;
  }
}

export interface GraphRequest {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (a FormData for uploads). */
  body?: BodyInit;
  signal?: AbortSignal;
  /**
   * Give up after this long without a complete answer: a GraphApiError with fate `unknown`, since the
   * request may have reached Meta. Unset: no limit of our own (undici's own apply).
   */
  timeoutMs?: number;
  /** Names the call in error messages ("media lookup"); default: the method and path. */
  what?: string;
}

/** What every Meta call of the send side takes besides its own arguments. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Default: DEFAULT_SEND_TIMEOUT_MS (DEFAULT_UPLOAD_TIMEOUT_MS for uploads). */
  timeoutMs?: number;
}

/** How long a send, mark-as-read, typing or template page may take before its outcome counts as unknown. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** Uploads carry up to 100 MB. */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 5 * 60_000;
/** Template pages followed at most per fetchTemplates: 100 pages of 100 is above Meta's 6,000 templates per account. */
export const MAX_TEMPLATE_PAGES = 100;

/** Meta's answer to a send: the wamid, and who it went to. */
export interface SentMessage {
  wamid: string;
  /** The recipient as we gave it (`+4915…` or a BSUID). */
  input: string | null;
  /** The customer's WhatsApp id; Meta omits it for a send to a BSUID. */
  waId: string | null;
  /** The business-scoped user id, when Meta returns one (sends to a BSUID). */
  userId: string | null;
  /** Only for paced templates: `accepted` or `held_for_quality_assessment`. */
  messageStatus: string | null;
}

/** A message template as Meta lists it (`GET /{waba_id}/message_templates`). */
export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … */
  status: string;
  /** MARKETING, UTILITY, AUTHENTICATION. */
  category: string | null;
  /** How its variables are written: `{{1}}` (POSITIONAL, Meta's default) or `{{first_name}}` (NAMED). */
  parameterFormat: 'POSITIONAL' | 'NAMED';
  /** Meta's components as given (HEADER, BODY, FOOTER, BUTTONS with their text and examples). */
  components: Record<string, unknown>[];
}

export interface FileToUpload {
  kind: OutboundMediaKind;
  /** What the file is; checked against WhatsApp's list for `kind`. */
  mimeType: string;
  bytes: Uint8Array;
  /** The name given to Meta in the multipart body. */
  filename?: string;
}

/** A file WhatsApp would not take (type or size), refused before anything was sent to Meta. */
export class MediaRefusedError extends Error {
  constructor(readonly check: Extract<OutboundFileCheck, { ok: false }>) {
    super(check.message);
    this.name = 'MediaRefusedError';
  }

  get reason(): 'empty' | 'type' | 'too_large' {
    return this.check.reason;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class GraphApiClient {
  readonly mediaHosts: readonly string[];
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly config: GraphApiConfig) {
    this.mediaHosts = config.mediaHosts ?? DEFAULT_MEDIA_HOSTS;
    this.fetchImpl = config.fetch ?? fetch;
  }

  /** The URL of `path` (segments already encoded; see graphPath) under the configured version. */
  url(path: string): URL {
    return new URL(
      `${this.config.graphUrl.replace(/\/+$/, '')}/${encodeURIComponent(this.config.graphVersion)}/${path.replace(/^\/+/, '')}`,
    );
  }

  /**
   * Calls the Graph API and returns its JSON answer. Rejects with GraphApiError, except when the caller's
   * `signal` aborts: then with the signal's reason, as fetch does.
   */
  async request<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, init: GraphRequest = {}): Promise<T> {
    return this.requestUrl<T>(method, this.url(path), { ...init, what: init.what ?? `${method} /${path.split('?')[0]!.slice(0, 100)}` });
  }

  /**
   * Sends a message (a body from buildMessageRequest) from business number `phoneNumberId`. Resolves with
   * Meta's wamid; rejects with GraphApiError (classify it with classifySendFailure). A 2xx without a wamid
   * is an `invalid_response`: Meta may have sent it.
   */
  async sendMessage(phoneNumberId: string, message: MessageRequest, options: CallOptions = {}): Promise<SentMessage> {
    const what = 'send message';
    const answer = await this.request('POST', graphPath(phoneNumberId, 'messages'), { json: message, what, ...sendTimeout(options) });
    const parsed = sentMessageSchema.safeParse(answer);
    if (!parsed.success) throw this.error(`${what} answered 200 without a message id`, 'invalid_response', 200, null);
    const contact = parsed.data.contacts?.[0];
    const sent = parsed.data.messages[0]!;
    return {
      wamid: sent.id,
      input: contact?.input ?? null,
      waId: contact?.wa_id ?? null,
      userId: contact?.user_id ?? null,
      messageStatus: sent.message_status ?? null,
    };
  }

  /** Marks inbound message `messageId` read (blue ticks for the customer, on it and everything before it). */
  async markRead(phoneNumberId: string, messageId: string, options: CallOptions = {}): Promise<void> {
    await this.expectSuccess(phoneNumberId, buildReadRequest(messageId), 'mark as read', options);
  }

  /** Shows the customer that we are typing a reply to `messageId` (and marks it read). */
  async sendTyping(phoneNumberId: string, messageId: string, options: CallOptions = {}): Promise<void> {
    await this.expectSuccess(phoneNumberId, buildTypingRequest(messageId), 'typing indicator', options);
  }

  /**
   * Uploads a file for business number `phoneNumberId` and resolves with its media id (valid 30 days), to
   * send by id. A file WhatsApp would not take is refused first, with MediaRefusedError; Meta's failures
   * reject with GraphApiError. Repeating an upload is harmless (the duplicate id goes unused).
   */
  async uploadMedia(phoneNumberId: string, file: FileToUpload, options: CallOptions = {}): Promise<{ id: string }> {
    const check = checkOutboundFile({
      kind: file.kind,
      mimeType: file.mimeType,
      bytes: file.bytes.byteLength,
      animated: file.kind === 'sticker' && isAnimatedWebp(file.bytes),
    });
    if (!check.ok) throw new MediaRefusedError(check);
    const what = 'media upload';
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', check.mimeType);
    // Never a SharedArrayBuffer here (a Buffer or a file's bytes); Blob's type insists on saying so.
    const bytes = file.bytes as Uint8Array<ArrayBuffer>;
    form.append('file', new Blob([bytes], { type: check.mimeType }), file.filename || `upload.${file.kind}`);
    const answer = await this.request('POST', graphPath(phoneNumberId, 'media'), {
      body: form,
      what,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    });
    const parsed = z.object({ id: z.string().min(1) }).safeParse(answer);
    if (!parsed.success) throw this.error(`${what} answered 200 without a media id`, 'invalid_response', 200, null);
    return { id: parsed.data.id };
  }

  /**
   * Every message template of WhatsApp Business Account `wabaId`, following `paging.next` (on the Graph
   * API's own origin only) for at most `maxPages` pages. `complete` is false when pages were left: a sync
   * must not take a template missing from an incomplete list as deleted. Meta allows ~200 of these calls
   * an hour per account, so call it on events, never in a loop.
   */
  async fetchTemplates(
    wabaId: string,
    { maxPages = MAX_TEMPLATE_PAGES, pageSize = 100, ...options }: CallOptions & { maxPages?: number; pageSize?: number } = {},
  ): Promise<{ templates: MessageTemplate[]; complete: boolean }> {
    const what = 'template list';
    let url: URL | null = this.url(`${graphPath(wabaId, 'message_templates')}?fields=${TEMPLATE_FIELDS}&limit=${pageSize}`);
    const templates: MessageTemplate[] = [];
    for (let page = 0; url !== null; page++) {
      if (page >= maxPages) return { templates, complete: false };
      const answer = await this.requestUrl('GET', url, { what, ...sendTimeout(options) });
      const parsed = templatePageSchema.safeParse(answer);
      if (!parsed.success) throw this.error(`${what} answered 200 without a list of templates`, 'invalid_response', 200, null);
      for (const item of parsed.data.data) {
        const t = templateSchema.safeParse(item);
        if (t.success) templates.push(t.data);
      }
      url = null;
      const next = parsed.data.paging?.next;
      if (next) {
        const nextUrl = URL.canParse(next) ? new URL(next) : null;
        if (nextUrl === null || nextUrl.origin !== new URL(this.config.graphUrl).origin) {
          throw this.error(`${what}'s next page is not on the Graph API`, 'untrusted_host', 200, null);
        }
        url = nextUrl;
      }
    }
    return { templates, complete: true };
  }

  private async expectSuccess(phoneNumberId: string, body: unknown, what: string, options: CallOptions): Promise<void> {
    const answer = await this.request('POST', graphPath(phoneNumberId, 'messages'), { json: body, what, ...sendTimeout(options) });
    if (!z.object({ success: z.literal(true) }).safeParse(answer).success) {
      throw this.error(`${what} answered 200 without success`, 'invalid_response', 200, null);
    }
  }

  /** request() for a full URL (a page link Meta gave), with the caller's signal and our timeout combined. */
  private async requestUrl<T = unknown>(
    method: 'GET' | 'POST' | 'DELETE',
    url: URL,
    { json, body: rawBody, signal: callerSignal, timeoutMs, what = `${method} ${url.pathname.slice(0, 100)}` }: GraphRequest,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    let body = rawBody;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    const deadline = timeoutMs === undefined ? null : new Deadline(timeoutMs, callerSignal);
    const signal = deadline?.signal ?? callerSignal;
    let status: number | null = null;
    try {
      // A POST of JSON (a message, a read receipt, typing) follows no redirect and wants its whole small
      // answer: node:http, at a third of fetch's CPU (lib/whatsapp/json-exchange.ts).
      if (method !== 'GET' && rawBody === undefined) {
        const answer = await this.exchangeJson(url, { method, headers, body: body as string | undefined, signal, what });
        status = answer.status;
        return this.parseJson<T>(answer.text, answer.status, what);
      }
      const res = await this.send(url, { method, headers, body, signal, what });
      status = res.status;
      const text = await res.text().catch((err: unknown) => {
        if (signal?.aborted) throw signal.reason;
        // Meta said yes and the rest was lost: what it did is unknown (a send went out without our wamid).
        throw this.error(`${what} answer was cut off`, 'network', res.status, null, err, 'unknown');
      });
      return this.parseJson<T>(text, res.status, what);
    } catch (err) {
      const neverConnected = err instanceof AbortedBeforeConnected;
      if (deadline?.expired) {
        // No connection at all (a TLS handshake that never ended, an address that never answered): not a
        // byte of the request went out, so it may be sent again.
        if (neverConnected) throw this.error(`${what}: no connection within ${timeoutMs} ms`, 'network', null, null, undefined, 'not_sent');
        throw this.error(`${what}: no complete answer within ${timeoutMs} ms`, 'network', status, null, undefined, 'unknown');
      }
      throw neverConnected ? err.reason : err;
    } finally {
      deadline?.clear();
    }
  }

  /**
   * send() for a POST of JSON over node:http: the token checked the same way, no redirect followed (any
   * answer but a 2xx is Meta's error), failures classified by when they happened. Resolves with a 2xx answer.
   */
  private async exchangeJson(
    url: URL,
    { method, headers, body, signal, what }: Omit<ExchangeRequest, 'maxBytes'> & { what: string },
  ): Promise<ExchangeAnswer> {
    const refusal = tokenRefusal(url, this.config.graphUrl, this.mediaHosts);
    if (refusal !== null) throw this.error(`${what} url ${refusal}`, 'untrusted_host', null, null);
    if (signal?.aborted) throw signal.reason;
    let answer: ExchangeAnswer;
    try {
      answer = await exchange(url, {
        method,
        headers: { ...headers, Authorization: `Bearer ${this.config.accessToken}` },
        body,
        signal,
        maxBytes: MAX_JSON_ANSWER_BYTES,
      });
    } catch (err) {
      if (signal?.aborted) {
        throw err instanceof ExchangeError && err.phase === 'before_connected' ? new AbortedBeforeConnected(signal.reason) : signal.reason;
      }
      if (!(err instanceof ExchangeError)) throw err;
      if (err.phase === 'answering') {
        // Meta answered and the rest was lost: what it did is unknown (a send went out without our wamid).
        throw this.error(`${what} answer was cut off`, 'network', err.status, null, err.cause, 'unknown');
      }
      const fate = err.phase === 'before_connected' ? 'not_sent' : 'unknown';
      throw this.error(`${what}: network failure (${describeNetworkError(err.cause)})`, 'network', null, null, err.cause, fate);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw this.errorOfAnswer(answer.status, answer.text, what);
  }

  /**
   * GETs a URL Meta gave (a media file), with the token, for streaming: resolves with the successful
   * Response, body unread. Rejects like request().
   */
  async fetchFile(url: URL, { signal, what = 'file download' }: { signal?: AbortSignal; what?: string } = {}): Promise<Response> {
    return this.send(url, { method: 'GET', headers: {}, signal, what });
  }

  /** `text` with the access token blotted out: for anything built from what Meta or a media host said. */
  redact(text: string): string {
    const token = this.config.accessToken;
    return token.length > 0 ? text.replaceAll(token, '[redacted]') : text;
  }

  /**
   * Sends with the bearer token, to a host the token may go to. Redirects (GET only) are followed here
   * rather than by fetch, each target checked first, so the token never leaves for a host off the list;
   * a refused URL fails before any request is made to it. Resolves with a 2xx answer only.
   */
  private async send(
    first: URL,
    {
      method,
      headers,
      body,
      signal,
      what,
    }: { method: string; headers: Record<string, string>; body?: BodyInit; signal?: AbortSignal; what: string },
  ): Promise<Response> {
    let url = first;
    for (let hop = 0; ; hop++) {
      const refusal = tokenRefusal(url, this.config.graphUrl, this.mediaHosts);
      if (refusal !== null)
        throw this.error(`${what} ${hop > 0 ? 'redirected to a url that' : 'url'} ${refusal}`, 'untrusted_host', null, null);
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          headers: { ...headers, Authorization: `Bearer ${this.config.accessToken}` },
          body,
          signal,
          redirect: 'manual',
        });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        // fetch's own failures (refused, reset) say nothing secret; keep them as the cause.
        throw this.error(`${what}: network failure (${describeFetchError(err)})`, 'network', null, null, err, fateOfFetchError(err));
      }
      if (res.ok) return res;
      if (!REDIRECTS.has(res.status) || method !== 'GET') throw await this.httpError(res, what);
      await res.body?.cancel().catch(() => {});
      const location = res.headers.get('location');
      if (location === null) throw this.error(`${what} answered ${res.status} without a Location`, 'redirect', res.status, null);
      if (hop >= MAX_REDIRECTS) throw this.error(`${what} redirected more than ${MAX_REDIRECTS} times`, 'redirect', res.status, null);
      try {
        url = new URL(location, url);
      } catch {
        throw this.error(`${what} answered ${res.status} with an invalid Location`, 'redirect', res.status, null);
      }
    }
  }

  private async httpError(res: Response, what: string): Promise<GraphApiError> {
    // Graph errors are small JSON; a media host may answer anything, so read only a little.
    return this.errorOfAnswer(res.status, await readSome(res, 16 * 1024), what);
  }

  /** A success's body as JSON; a body that is not JSON is an `invalid_response`. */
  private parseJson<T>(text: string, status: number, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.error(`${what} answered ${status} without JSON`, 'invalid_response', status, null);
    }
  }

  /** An error answer: Meta's error when its body is Graph's envelope, the status alone otherwise. */
  private errorOfAnswer(status: number, body: string, what: string): GraphApiError {
    const metaError = parseGraphError(body);
    const code = metaError?.code ?? null;
    const detail = metaError?.message ? ` (${metaError.message.slice(0, 200)})` : '';
    return this.error(`${what} answered ${status}${code !== null ? ` code ${code}` : ''}${detail}`, 'http', status, metaError);
  }

  private error(
    message: string,
    failure: GraphFailure,
    status: number | null,
    metaError: MetaError | null,
    cause?: unknown,
    fate?: RequestFate,
  ): GraphApiError {
    const safe = metaError && {
      ...metaError,
      title: metaError.title && this.redact(metaError.title),
      message: metaError.message && this.redact(metaError.message),
      details: metaError.details && this.redact(metaError.details),
    };
    return new GraphApiError(this.redact(message), failure, status, safe, { ...(cause === undefined ? {} : { cause }), fate });
  }
}

function sendTimeout(options: CallOptions): Pick<GraphRequest, 'signal' | 'timeoutMs'> {
  return { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS };
}

/** Aborted (`reason`) while still connecting: requestUrl tells a timeout before any byte went out from one after. */
class AbortedBeforeConnected extends Error {
  constructor(readonly reason: unknown) {
    super('aborted before the connection was up');
  }
}

/** An abort signal that fires after `ms`, or with the caller's reason when the caller aborts first. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  expired = false;

  constructor(
    ms: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`no answer within ${ms} ms`));
    }, ms);
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = () => {
    if (!this.expired) this.controller.abort(this.caller!.reason);
  };
}

function defaultFate(failure: GraphFailure): RequestFate {
  if (failure === 'untrusted_host') return 'not_sent';
  if (failure === 'network') return 'unknown';
  return 'answered';
}

/**
 * Error codes (Node's and undici's, on fetch's `cause`) raised while connecting, before a byte of the
 * request was sent: name resolution, refused or unreachable, connect timeouts, and the TLS handshake
 * (certificate checks, protocol mismatch). Anything raised once the connection is up (ECONNRESET on read,
 * undici's UND_ERR_SOCKET "other side closed", a terminated body) may come after Meta got the request.
 */
const CONNECT_PHASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * Whether a request that fetch rejected can have reached the server. fetch wraps network failures as
 * `TypeError('fetch failed', {cause})`; the cause's `code` (and `syscall`: a reset during `connect` is
 * before sending) says when it happened. A TypeError without a cause is fetch refusing the request itself
 * (a bad header, say): nothing was written. Everything else counts as `unknown`. PURE.
 */
export function fateOfFetchError(err: unknown): 'not_sent' | 'unknown' {
  if (err instanceof TypeError && err.cause === undefined) return 'not_sent';
  const cause = err instanceof Error ? err.cause : undefined;
  return cause !== undefined && isConnectPhase(cause) ? 'not_sent' : 'unknown';
}

function isConnectPhase(error: unknown): boolean {
  // Happy eyeballs: every address tried failed to connect.
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.every(isConnectPhase);
  if (typeof error !== 'object' || error === null) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (syscall === 'connect' || syscall === 'getaddrinfo') return true;
  if (typeof code !== 'string') return false;
  return CONNECT_PHASE_CODES.has(code) || /^ERR_SSL_.*(HANDSHAKE|PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)/.test(code);
}

/** fetch's message and its cause's code: "fetch failed: ECONNREFUSED". Nothing secret in either. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${err.message}: ${code}` : err.message;
}

/** node:http's error and its code: "connect ECONNREFUSED 127.0.0.1:9" already names it; else the code is added. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${err.message}: ${code}` : err.message;
}

/** Graph answers are small JSON; anything longer is not one (and is cut here). */
const MAX_JSON_ANSWER_BYTES = 1024 * 1024;

const TEMPLATE_FIELDS = 'id,name,language,status,category,parameter_format,components';

const sentMessageSchema = z.object({
  contacts: z
    .array(z.object({ input: z.string().nullish(), wa_id: z.string().nullish(), user_id: z.string().nullish() }))
    .nullish()
    .catch(null),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().nullish().catch(null) })).min(1),
});

const templatePageSchema = z.object({
  data: z.array(z.unknown()),
  paging: z.object({ next: z.string().nullish() }).nullish().catch(null),
});

const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string().nullish().catch(null),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).nullish().catch(null),
    components: z.array(z.record(z.string(), z.unknown())).nullish().catch(null),
  })
  .transform(
    (t): MessageTemplate => ({
      id: t.id,
      name: t.name,
      language: t.language,
      status: t.status,
      category: t.category ?? null,
      // Meta: POSITIONAL unless the template was created with named parameters.
      parameterFormat: t.parameter_format ?? 'POSITIONAL',
      components: t.components ?? [],
    }),
  );

/** A Graph path from raw segments (ids from webhooks are not trusted to be one segment). */
export function graphPath(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);
const graphErrorSchema = z.object({
  error: z.object({
    message: optional(z.string()),
    type: optional(z.string()),
    // A number in practice; some relays send numeric strings.
    code: optional(z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])),
    error_subcode: optional(z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])),
    error_user_title: optional(z.string()),
    error_data: optional(z.object({ details: optional(z.string()) })),
    fbtrace_id: optional(z.string()),
  }),
});

/** Meta's error from an error answer's body, or null when the body is not Graph's error envelope. PURE. */
export function parseGraphError(body: string): MetaError | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = graphErrorSchema.safeParse(json);
  if (!parsed.success) return null;
  const e = parsed.data.error;
  const code = e.code ?? null;
  const message = e.message ?? null;
  return {
    code,
    title: e.error_user_title ?? titleOf(message, code),
    message,
    details: e.error_data?.details ?? null,
    type: e.type ?? null,
    subcode: e.error_subcode ?? null,
    fbtraceId: e.fbtrace_id ?? null,
  };
}

/** "(#131047) Re-engagement message" → "Re-engagement message": Meta puts the code's title in the message. */
function titleOf(message: string | null, code: number | null): string | null {
  if (message === null) return null;
  const match = /^\(#(\d+)\)\s*(.+)$/s.exec(message);
  if (match && (code === null || Number(match[1]) === code)) return match[2]!.trim();
  return message;
}

/**
 * Why the access token may not go to `url`, or null when it may: to the Graph API's own origin (as
 * configured), or over https to a host matching `mediaHosts`. Plain http only to a loopback host (a
 * local stand-in), where no network sees it. PURE.
 */
export function tokenRefusal(url: URL, graphUrl: string, mediaHosts: readonly string[]): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `has protocol ${url.protocol.slice(0, 20)}`;
  if (url.origin === new URL(graphUrl).origin) return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const shown = JSON.stringify(host.slice(0, 100));
  if (!mediaHosts.some((pattern) => hostMatches(host, pattern)))
    return `names host ${shown}, which is not an allowed media host (WHATSAPP_MEDIA_HOSTS)`;
  if (url.protocol === 'http:' && !isLoopback(host)) return `names host ${shown} over plain http`;
  return null;
}

/** `pattern` is a host name (exact) or `*.example.com` (any subdomain of example.com, not itself). */
export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) return host.length > p.length - 1 && host.endsWith(p.slice(1));
  return p !== '' && host === p;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off while reading the error: the status is enough.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
