import { z } from 'zod';

// The one client of Meta's Graph API: everything that talks to Meta goes through here (media download
// now; sending, templates and media upload next). It knows the base URL, the version and the access
// token, and it guards the token: it goes only to the Graph API's own origin and to the media hosts an
// operator allows (WHATSAPP_MEDIA_HOSTS), over https (plain http only to a loopback stand-in), and
// redirects are followed by hand, each target checked first. A failed call becomes a GraphApiError
// carrying Meta's error as `{code, title, message, details}`; the token never appears in an error.

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

export class GraphApiError extends Error {
  constructor(
    message: string,
    readonly failure: GraphFailure,
    /** The HTTP status, when there was an answer. */
    readonly status: number | null,
    readonly metaError: MetaError | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GraphApiError';
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
  /** Names the call in error messages ("media lookup"); default: the method and path. */
  what?: string;
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
    const what = init.what ?? `${method} /${path.split('?')[0]!.slice(0, 100)}`;
    const headers: Record<string, string> = {};
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await this.send(this.url(path), { method, headers, body, signal: init.signal, what });
    const text = await res.text().catch((err: unknown) => {
      if (init.signal?.aborted) throw init.signal.reason;
      throw this.error(`${what} answer was cut off`, 'network', res.status, null, err);
    });
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.error(`${what} answered ${res.status} without JSON`, 'invalid_response', res.status, null);
    }
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
        throw this.error(`${what}: network failure (${err instanceof Error ? err.message : String(err)})`, 'network', null, null, err);
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
    const metaError = parseGraphError(await readSome(res, 16 * 1024));
    const code = metaError?.code ?? null;
    const detail = metaError?.message ? ` (${metaError.message.slice(0, 200)})` : '';
    return this.error(`${what} answered ${res.status}${code !== null ? ` code ${code}` : ''}${detail}`, 'http', res.status, metaError);
  }

  private error(
    message: string,
    failure: GraphFailure,
    status: number | null,
    metaError: MetaError | null,
    cause?: unknown,
  ): GraphApiError {
    const safe = metaError && {
      ...metaError,
      title: metaError.title && this.redact(metaError.title),
      message: metaError.message && this.redact(metaError.message),
      details: metaError.details && this.redact(metaError.details),
    };
    return new GraphApiError(this.redact(message), failure, status, safe, cause === undefined ? undefined : { cause });
  }
}

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
