import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { MediaFailureReason } from '@/lib/contracts/media';
import { GraphApiError, graphPath, type GraphApiClient } from '@/lib/whatsapp/graph-api';
import type { MediaStorage } from './storage';

// Fetches one WhatsApp media file into storage, through the Graph API client. A media message carries
// only an id: the Graph API turns it into a short-lived URL, and the bytes come from that URL. The body
// streams to a temp file through a hash and a byte counter, so a 100 MB document never sits in memory,
// and an oversized one stops early. Both requests carry the access token, so the client's host checks
// (the Graph API itself and the media hosts an operator allows) apply to the file URL and its redirects.

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

export interface MediaDownloadOptions {
  graph: GraphApiClient;
  /** Refuse (and stop downloading) anything larger. */
  maxBytes: number;
  /** For the whole download: the metadata request and the body. */
  timeoutMs: number;
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

const mediaInfoSchema = z.object({
  url: z.string().min(1),
  mime_type: z.string().min(1).nullish(),
  sha256: z.string().nullish(),
  // A number in practice; a numeric string is tolerated.
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});

/**
 * Downloads media `mediaId` into `storage`. Rejects with MediaDownloadError, except when the caller's
 * `signal` aborts: then it rejects with the signal's reason, as fetch does. The temp file never survives a failure.
 */
export async function downloadMedia(
  mediaId: string,
  { graph, maxBytes, timeoutMs }: MediaDownloadOptions,
  storage: MediaStorage,
  signal?: AbortSignal,
): Promise<DownloadedMedia> {
  signal?.throwIfAborted();
  const what = `media ${JSON.stringify(mediaId.slice(0, 100))}`;
  const fail = (message: string, reason: MediaFailureReason, retryable: boolean, status?: number, cause?: unknown) =>
    new MediaDownloadError(graph.redact(`${what}: ${message}`), reason, retryable, status, cause === undefined ? undefined : { cause });

  // One controller for both requests, rather than AbortSignal.any: the timer is cleared and the listener
  // removed on return, so nothing stays attached to a caller's long-lived (shutdown) signal.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  let tempPath: string | null = null;
  try {
    // An empty id would ask Graph for /{version}/ itself.
    if (mediaId.length === 0) throw fail('empty media id', 'unavailable', false);
    // 1. The media id → a short-lived URL and what Meta says about the file.
    const infoBody = await graph.request('GET', graphPath(mediaId), { signal: controller.signal, what: 'media lookup' });
    const parsed = mediaInfoSchema.safeParse(infoBody);
    if (!parsed.success) throw fail('media lookup answered without a usable url', 'unavailable', true, 200);
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
    if (declaredSize !== null && declaredSize > maxBytes) {
      throw fail(`declared size ${declaredSize} bytes exceeds the limit of ${maxBytes}`, 'too_large', false);
    }
    const limit = Math.min(declaredSize ?? Infinity, maxBytes);

    // 2. The bytes. Meta's URL wants the same bearer token, on Meta's media host.
    const fileRes = await graph.fetchFile(fileUrl, { signal: controller.signal, what: 'media download' });
    if (!fileRes.body) throw fail('media download answered without a body', 'unavailable', true, fileRes.status);
    const contentLength = Number(fileRes.headers.get('content-length') ?? NaN);
    if (Number.isSafeInteger(contentLength) && contentLength > limit) {
      await fileRes.body.cancel().catch(() => {});
      throw fail(`body of ${contentLength} bytes exceeds ${limitText(declaredSize, maxBytes)}`, 'too_large', false, fileRes.status);
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
            throw fail(`body exceeds ${limitText(declaredSize, maxBytes)}`, 'too_large', false, fileRes.status);
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
    if (timedOut) throw fail(`no complete download within ${timeoutMs} ms`, 'timeout', true, undefined, err);
    if (err instanceof MediaDownloadError) throw err;
    if (err instanceof GraphApiError) throw graphFailure(err, fail);
    // A stream cut off midway, say: nothing secret in it; kept as the cause.
    throw fail(`network failure (${err instanceof Error ? err.message : String(err)})`, 'unavailable', true, undefined, err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

type Fail = (message: string, reason: MediaFailureReason, retryable: boolean, status?: number, cause?: unknown) => MediaDownloadError;

/** What a failed Graph call means for this media file, and whether trying again later may help. */
function graphFailure(err: GraphApiError, fail: Fail): MediaDownloadError {
  const s = err.status ?? undefined;
  const cause = err.cause;
  switch (err.failure) {
    case 'untrusted_host':
      return fail(err.message, 'untrusted_host', false, s);
    case 'network':
    case 'redirect':
    case 'invalid_response':
      return fail(err.message, 'unavailable', true, s, cause);
    case 'http': {
      const code = err.code;
      // Graph reports a bad or expired token as OAuthException code 190, sometimes with status 400.
      if (s === 401 || s === 403 || code === 190) return fail(err.message, 'unauthorized', false, s);
      // Code 100 "does not exist": the media id is unknown or past its 30 days.
      if (s === 404 || s === 410 || (s === 400 && code === 100)) return fail(err.message, 'expired', false, s);
      if (s === 408) return fail(err.message, 'timeout', true, s);
      if (s === 429 || (s !== undefined && s >= 500)) return fail(err.message, 'unavailable', true, s);
      return fail(err.message, 'unavailable', false, s);
    }
  }
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
