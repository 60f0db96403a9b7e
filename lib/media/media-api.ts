import { Readable } from 'node:stream';
import { getMediaItem, requeueMedia } from '@/db/queries/media';
import type { App } from '@/lib/app';
import type { AccessDeps } from '@/lib/auth/access';
import { mediaParamsSchema, postMediaRetryResponseSchema, type PostMediaRetryResponse } from '@/lib/contracts/media';
import { ApiError, notFound } from '@/lib/http/errors';
import { publicMessageId, parseMessageRef } from '@/lib/inbox/message-id';
import { defineRoute } from '@/lib/http/route';
import { notifyChanges } from '@/lib/realtime/changes';
import { MEDIA_MAX_ATTEMPTS, type MediaDownloader } from './downloader';
import { MediaObjectMissingError, type MediaStorage } from './storage';

// GET /api/media/{id}: a downloaded file, to signed-in people and API keys. The bytes came from a
// customer: they are served with nosniff and a content type we chose, and only plain images, audio and
// video inline; anything else (SVG, HTML, PDFs, unknown types) downloads as an attachment.
// POST /api/media/{id}/retry: an admin fetches a failed file again.

export interface MediaApiDeps extends AccessDeps {
  storage: MediaStorage;
}

/** Shown in the page (inline): formats browsers render without running anything. */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp)|audio\/(ogg|mpeg|mp4|aac|amr|opus|wav|webm)|video\/(mp4|3gpp|webm))$/;
/** Types a browser would run if it ever rendered them: always served as plain bytes. */
const ACTIVE_TYPES = /(html|svg|xml|javascript|ecmascript|x-sh|x-msdownload)/;
/** A sane MIME type (type/subtype, no parameters): anything else is served as octet-stream. */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A file name's extension for a served type (files without a name of their own: images, voice notes …). */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/wav': 'wav',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'video/webm': 'webm',
  'application/pdf': 'pdf',
};

export const getMedia = defineRoute(
  {
    method: 'GET',
    path: '/api/media/{id}',
    access: 'inbox',
    summary: "A media message's downloaded file (Range requests served); 409 until it is downloaded.",
    deps: (app: App): MediaApiDeps => ({ ...app.access, storage: app.mediaStorage }),
    params: mediaParamsSchema,
    responseType: 'application/octet-stream',
  },
  ({ req, deps, params }) => serveMediaFile(req, deps, params.id),
);

async function serveMediaFile(req: Request, deps: MediaApiDeps, messageId: string): Promise<Response> {
  const ref = parseMessageRef(messageId);
  const item = ref && (await getMediaItem(deps.db, ref));
  if (!item) throw notFound('No media for this message');
  if (item.state !== 'downloaded' || !item.storageKey) {
    throw new ApiError(
      409,
      'conflict',
      item.state === 'failed' ? `Download failed: ${item.failureReason ?? 'error'}` : 'Not downloaded yet',
    );
  }
  const stat = await deps.storage.stat(item.storageKey);
  if (!stat) throw notFound('The stored file is missing');

  const mime = (item.mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  const contentType = MIME.test(mime) && !ACTIVE_TYPES.test(mime) ? mime : 'application/octet-stream';
  const inline = INLINE_TYPES.test(contentType) && item.kind !== 'document';
  const headers = new Headers({
    'content-type': contentType,
    'content-disposition': contentDisposition(
      inline,
      item.filename ??
        `${item.kind}-${publicMessageId({ id: item.messageId, wamid: item.wamid, clientId: item.clientId }).slice(-12)}.${EXTENSIONS[contentType] ?? 'bin'}`,
    ),
    'cache-control': 'private, max-age=86400, immutable',
    'x-content-type-options': 'nosniff',
    // Only our own pages may embed it: another site cannot load a signed-in agent's files as <img> or <audio>.
    'cross-origin-resource-policy': 'same-origin',
    // Even opened directly, a served file runs nothing.
    'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    'accept-ranges': 'bytes',
    etag: `"${item.storageKey}"`,
  });

  const range = parseRange(req.headers.get('range'), stat.size);
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${stat.size}`);
    return new Response(null, { status: 416, headers });
  }
  const body = await deps.storage.read(item.storageKey, range ?? undefined).catch((err: unknown) => {
    // Erased between the stat and the read (an erase, a retention run): as missing as before it.
    throw err instanceof MediaObjectMissingError ? notFound('The stored file is missing') : err;
  });
  const stream = Readable.toWeb(body as Readable) as ReadableStream<Uint8Array>;
  if (range) {
    headers.set('content-range', `bytes ${range.start}-${range.end}/${stat.size}`);
    headers.set('content-length', String(range.end - range.start + 1));
    return new Response(stream, { status: 206, headers });
  }
  headers.set('content-length', String(stat.size));
  return new Response(stream, { status: 200, headers });
}

/** An admin's retry of a failed download. 409 when it has not failed (pending or already there). */
export const postMediaRetry = defineRoute(
  {
    method: 'POST',
    path: '/api/media/{id}/retry',
    access: 'admin',
    summary: 'Fetches a failed media file again.',
    deps: (app: App): AccessDeps & { media: Pick<MediaDownloader, 'notify'> } => ({ ...app.access, media: app.media }),
    params: mediaParamsSchema,
    response: postMediaRetryResponseSchema,
    status: 202,
  },
  async ({ deps, params }): Promise<PostMediaRetryResponse> => {
    const ref = parseMessageRef(params.id);
    const item = ref && (await getMediaItem(deps.db, ref));
    if (!item) throw notFound('No media for this message');
    const conversationId = await requeueMedia(deps.db, item.messageId, MEDIA_MAX_ATTEMPTS - 1);
    if (conversationId === null) {
      throw new ApiError(409, 'conflict', item.state === 'downloaded' ? 'Already downloaded' : 'A download is already waiting');
    }
    const messageIds = [publicMessageId({ id: item.messageId, wamid: item.wamid, clientId: item.clientId })];
    await notifyChanges(deps.db, { conversationIds: [conversationId], messageIds, topics: ['media'] });
    deps.media.notify();
    return { state: 'pending' };
  },
);

/**
 * One `bytes=` range (what players send); null for none, or for forms we do not serve partially
 * (several ranges): then the whole file, which is always a correct answer to a Range request.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    // The last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start > end && m[2] !== '') return 'unsatisfiable';
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

/** `inline` or `attachment`, with the name as an ASCII fallback and in full (RFC 6266 / 5987). */
export function contentDisposition(inline: boolean, filename: string): string {
  // Path parts, control characters and quotes never reach the header.
  const base =
    filename
      .split(/[\\/]/)
      .pop()!
      .replace(/[\u0000-\u001f\u007f"]/g, '')
      .trim()
      .slice(0, 200) || 'file';
  const ascii = base.replace(/[^\x20-\x7e]/g, '_').replace(/[%;]/g, '_');
  const encoded = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
