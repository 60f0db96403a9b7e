import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { MediaStorage } from './storage';

// Fetches one WhatsApp media file into storage. A media message carries only an id: the Graph API turns
// it into a short-lived URL, and the bytes come from that URL. The body streams to a temp file through a
// hash and a byte counter, so a 100 MB document never sits in memory, and an oversized one stops early.
// Both requests carry the business's access token, so it only ever goes to the Graph API itself and to
// the media hosts an operator allows (mediaHosts): a URL or redirect naming any other host is refused.

export type MediaFailureReason =
  | 'expired'
  | 'unauthorized'
  | 'checksum_mismatch'
  | 'too_large'
  | 'timeout'
  | 'unavailable'
  /** The file's URL (or a redirect) named a host the token may not go to. */
  | 'untrusted_host';

export class MediaDownloadError extends Error {
  constructor(
    message: string,
    readonly reason: MediaFailureReason,
    /** Whether trying again later may succeed; the caller bounds the attempts. */
    readonly retryable: boolean,
    /** The HTTP status that caused it, when one did. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MediaDownloadError';
  }
}

export interface GraphConfig {
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
  /** Refuse (and stop downloading) anything larger. */
  maxBytes: number;
  /** For the whole download: the metadata request and the body. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface DownloadedMedia {
  /** The storage key (the SHA-256 of the bytes, hex). */
  key: string;
  sha256Hex: string;
  bytes: number;
  /** As Meta declared it. */
  mimeType: string | null;
  /** Meta's checksum as lowercase hex (it may send hex or base64); null if absent or unreadable. */
  declaredSha256: string | null;
  declaredSize: number | null;
}

/** Where Meta's media URLs point, as its Cloud API documents them (https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…). */
export const DEFAULT_MEDIA_HOSTS: readonly string[] = ['lookaside.fbsbx.com'];
/** Redirects followed per request (each one checked like the first URL). */
export const MAX_REDIRECTS = 3;

const mediaInfoSchema = z.object({
  url: z.string().min(1),
  mime_type: z.string().min(1).nullish(),
  sha256: z.string().nullish(),
  // A number in practice; a numeric string is tolerated.
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});

const graphErrorSchema = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional() }) });

/**
 * Downloads media `mediaId` into `storage`. Rejects with MediaDownloadError, except when the caller's
 * `signal` aborts: then it rejects with the signal's reason, as fetch does. The temp file never survives a failure.
 */
export async function downloadMedia(
  mediaId: string,
  config: GraphConfig,
  storage: MediaStorage,
  signal?: AbortSignal,
): Promise<DownloadedMedia> {
  signal?.throwIfAborted();
  const headers = { Authorization: `Bearer ${config.accessToken}` };
  const what = `media ${JSON.stringify(mediaId.slice(0, 100))}`;
  const fail = (message: string, reason: MediaFailureReason, retryable: boolean, status?: number, cause?: unknown) =>
    new MediaDownloadError(redact(`${what}: ${message}`, config.accessToken), reason, retryable, status, cause === undefined ? undefined : { cause });

  // One controller for both requests, rather than AbortSignal.any: the timer is cleared and the listener
  // removed on return, so nothing stays attached to a caller's long-lived (shutdown) signal.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  const onCallerAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  let tempPath: string | null = null;
  try {
    // An empty id would ask Graph for /{version}/ itself.
    if (mediaId.length === 0) throw fail('empty media id', 'unavailable', false);
    // 1. The media id → a short-lived URL and what Meta says about the file.
    const infoUrl = `${config.graphUrl.replace(/\/+$/, '')}/${encodeURIComponent(config.graphVersion)}/${encodeURIComponent(mediaId)}`;
    const get = (url: URL, step: string) => fetchWithToken(url, step, { config, headers, signal: controller.signal, fail });
    const infoRes = await get(new URL(infoUrl), 'media lookup');
    if (!infoRes.ok) throw await httpFailure(infoRes, 'media lookup', fail);
    const infoBody: unknown = await infoRes.json().catch(() => null);
    const parsed = mediaInfoSchema.safeParse(infoBody);
    if (!parsed.success) throw fail('media lookup answered without a usable url', 'unavailable', true, infoRes.status);
    const info = parsed.data;
    let fileUrl: URL;
    try {
      fileUrl = new URL(info.url);
    } catch {
      throw fail('media lookup answered with an invalid url', 'unavailable', true);
    }
    const declaredSize = info.file_size != null && Number.isSafeInteger(info.file_size) && info.file_size >= 0 ? info.file_size : null;
    // Unreadable is not fatal: the key is our own hash; Meta's is only a cross-check.
    const declaredSha256 = info.sha256 ? normalizeSha256(info.sha256) : null;
    if (declaredSize !== null && declaredSize > config.maxBytes) {
      throw fail(`declared size ${declaredSize} bytes exceeds the limit of ${config.maxBytes}`, 'too_large', false);
    }
    const limit = Math.min(declaredSize ?? Infinity, config.maxBytes);

    // 2. The bytes. Meta's URL wants the same bearer token, on Meta's media host.
    const fileRes = await get(fileUrl, 'media download');
    if (!fileRes.ok) throw await httpFailure(fileRes, 'media download', fail);
    if (!fileRes.body) throw fail('media download answered without a body', 'unavailable', true, fileRes.status);
    const contentLength = Number(fileRes.headers.get('content-length') ?? NaN);
    if (Number.isSafeInteger(contentLength) && contentLength > limit) {
      await fileRes.body.cancel().catch(() => {});
      throw fail(`body of ${contentLength} bytes exceeds ${limitText(declaredSize, config.maxBytes)}`, 'too_large', false, fileRes.status);
    }

    tempPath = storage.tempPath();
    // Opened before streaming, so the file exists by the time a failure deletes it.
    const handle = await open(tempPath, 'wx');
    const hash = createHash('sha256');
    let bytes = 0;
    await pipeline(
      Readable.fromWeb(fileRes.body as unknown as NodeWebReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.byteLength;
          // Stop at the first chunk over the limit; destroying the source cancels the transfer.
          if (bytes > limit) {
            throw fail(`body exceeds ${limitText(declaredSize, config.maxBytes)}`, 'too_large', false, fileRes.status);
          }
          hash.update(chunk);
          yield chunk;
        }
      },
      handle.createWriteStream(),
      { signal: controller.signal },
    );

    if (declaredSize !== null && bytes < declaredSize) {
      throw fail(`body ended after ${bytes} of ${declaredSize} bytes`, 'unavailable', true, fileRes.status);
    }
    if (bytes === 0) throw fail('body is empty', 'unavailable', true, fileRes.status);
    const sha256Hex = hash.digest('hex');
    if (declaredSha256 !== null && declaredSha256 !== sha256Hex) {
      throw fail(`SHA-256 ${sha256Hex} differs from the declared ${declaredSha256}`, 'checksum_mismatch', true, fileRes.status);
    }

    const key = await storage.put(tempPath, sha256Hex);
    tempPath = null;
    return { key, sha256Hex, bytes, mimeType: info.mime_type ?? null, declaredSha256, declaredSize };
  } catch (err) {
    controller.abort();
    if (tempPath !== null) await rm(tempPath, { force: true }).catch(() => {});
    if (signal?.aborted && !timedOut) throw signal.reason;
    if (timedOut) throw fail(`no complete download within ${config.timeoutMs} ms`, 'timeout', true, undefined, err);
    if (err instanceof MediaDownloadError) throw err;
    // fetch's own failures (refused, reset, cut off midway) say nothing secret; keep them as the cause.
    throw fail(`network failure (${err instanceof Error ? err.message : String(err)})`, 'unavailable', true, undefined, err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

type Fail = (message: string, reason: MediaFailureReason, retryable: boolean, status?: number) => MediaDownloadError;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GET with the bearer token, to a host the token may go to. Redirects are followed here rather than by
 * fetch, each target checked first, so the token never leaves for a host off the list; a refused URL
 * fails the item before any request is made to it.
 */
async function fetchWithToken(
  first: URL,
  step: string,
  { config, headers, signal, fail }: { config: GraphConfig; headers: Record<string, string>; signal: AbortSignal; fail: Fail },
): Promise<Response> {
  const fetchImpl = config.fetch ?? fetch;
  let url = first;
  for (let hop = 0; ; hop++) {
    const refusal = tokenRefusal(url, config.graphUrl, config.mediaHosts ?? DEFAULT_MEDIA_HOSTS);
    if (refusal !== null) throw fail(`${step} ${hop > 0 ? 'redirected to a url that' : 'url'} ${refusal}`, 'untrusted_host', false);
    const res = await fetchImpl(url, { headers, signal, redirect: 'manual' });
    if (!REDIRECTS.has(res.status)) return res;
    await res.body?.cancel().catch(() => {});
    const location = res.headers.get('location');
    if (location === null) throw fail(`${step} answered ${res.status} without a Location`, 'unavailable', true, res.status);
    if (hop >= MAX_REDIRECTS) throw fail(`${step} redirected more than ${MAX_REDIRECTS} times`, 'unavailable', true, res.status);
    try {
      url = new URL(location, url);
    } catch {
      throw fail(`${step} answered ${res.status} with an invalid Location`, 'unavailable', true, res.status);
    }
  }
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
  if (!mediaHosts.some((pattern) => hostMatches(host, pattern))) return `names host ${shown}, which is not an allowed media host (WHATSAPP_MEDIA_HOSTS)`;
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

async function httpFailure(res: Response, step: string, fail: Fail): Promise<MediaDownloadError> {
  // Graph errors are small JSON; the CDN may answer anything, so read only a little.
  const text = await readSome(res, 16 * 1024);
  let code: number | undefined;
  let detail = '';
  try {
    const parsed = graphErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      code = parsed.data.error.code;
      if (parsed.data.error.message) detail = ` (${parsed.data.error.message.slice(0, 200)})`;
    }
  } catch {
    // Not JSON: the status alone decides.
  }
  const s = res.status;
  const message = `${step} answered ${s}${code !== undefined ? ` code ${code}` : ''}${detail}`;
  // Graph reports a bad or expired token as OAuthException code 190, sometimes with status 400.
  if (s === 401 || s === 403 || code === 190) return fail(message, 'unauthorized', false, s);
  // Code 100 "does not exist": the media id is unknown or past its 30 days.
  if (s === 404 || s === 410 || (s === 400 && code === 100)) return fail(message, 'expired', false, s);
  if (s === 408) return fail(message, 'timeout', true, s);
  if (s === 429 || s >= 500) return fail(message, 'unavailable', true, s);
  return fail(message, 'unavailable', false, s);
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

/** Meta documents `sha256` loosely: hex (either case) or base64 of the digest. Returns lowercase hex, or null. */
export function normalizeSha256(value: string): string | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
    const digest = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (digest.length === 32) return digest.toString('hex');
  }
  return null;
}

function limitText(declaredSize: number | null, maxBytes: number): string {
  return declaredSize !== null && declaredSize <= maxBytes ? `the declared ${declaredSize} bytes` : `the limit of ${maxBytes} bytes`;
}

function redact(message: string, token: string): string {
  return token.length > 0 ? message.replaceAll(token, '[redacted]') : message;
}
