import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { insertUpload } from '@/db/queries/uploads';
import type { App } from '@/lib/app';
import type { AccessDeps, Principal } from '@/lib/auth/access';
import {
  checkOutboundFile,
  isAnimatedWebp,
  OUTBOUND_MEDIA_KINDS,
  OUTBOUND_MEDIA_LIMITS,
  type OutboundMediaKind,
  outboundKindLabel,
  outboundKindOf,
} from '@/lib/contracts/outbound-media';
import { type PostUploadResponse, postUploadResponseSchema } from '@/lib/contracts/uploads';
import { formatFileSize } from '@/lib/inbox/format-size';
import { ApiError, badRequest } from '@/lib/http/errors';
import { defineRoute } from '@/lib/http/route';
import type { MediaStorage } from '@/lib/media/storage';
import { boundaryOf, MultipartError, readMultipart } from './multipart';

// POST /api/uploads: a file an agent attaches, before the message that sends it. The body is read as a
// stream (multipart/form-data: `file`, optional `kind` before or after it), hashed and written to a scratch
// file as it arrives, never more than the kind allows (WhatsApp's table, lib/contracts/outbound-media.ts),
// then checked and moved into media storage under its SHA-256 like a downloaded file, and recorded in
// `uploads`. The outbox uploads it to Meta when the message is sent.

export interface UploadsApiDeps extends AccessDeps {
  storage: MediaStorage;
}

const uploadsApiDeps = (app: App): UploadsApiDeps => ({ ...app.access, storage: app.mediaStorage });

/** The largest file WhatsApp takes of any kind (a document): nothing larger is read. */
const MAX_FILE_BYTES = Math.max(...OUTBOUND_MEDIA_KINDS.map((k) => maxBytesOf(k)));
/** The multipart framing around the file and a `kind` field. */
const MAX_FRAMING_BYTES = 64 * 1024;
/** Bytes of the file kept to tell an animated WebP (isAnimatedWebp reads 21). */
const HEAD_BYTES = 32;
const MAX_FILENAME_LENGTH = 255;

export const postUpload = defineRoute(
  {
    method: 'POST',
    path: '/api/uploads',
    access: 'inbox',
    summary:
      'Uploads a file to send (multipart/form-data: file, optional kind — else from its type). 201 with its uploadId; 400 saying why WhatsApp would refuse it.',
    deps: uploadsApiDeps,
    response: postUploadResponseSchema,
    status: 201,
  },
  async ({ req, deps, principal }): Promise<PostUploadResponse> => {
    const boundary = boundaryOf(req.headers.get('content-type'));
    if (boundary === null || req.body === null) {
      throw new ApiError(415, 'invalid_request', 'Send the file as multipart/form-data, in a field named "file".');
    }
    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > MAX_FILE_BYTES + MAX_FRAMING_BYTES) {
      throw new ApiError(413, 'invalid_request', `The file is larger than WhatsApp takes of any kind (${formatFileSize(MAX_FILE_BYTES)}).`);
    }
    const received = await receiveFile(req.body, boundary, deps.storage);
    try {
      const check = checkOutboundFile({
        kind: received.kind,
        mimeType: received.mimeType,
        bytes: received.size,
        animated: received.kind === 'sticker' && isAnimatedWebp(received.head),
      });
      if (!check.ok) throw badRequest(check.message);
      const storageKey = await deps.storage.put(received.tempPath!, received.sha256);
      received.tempPath = null;
      const upload = {
        id: randomUUID(),
        kind: check.kind,
        mimeType: check.mimeType,
        filename: received.filename,
        size: received.size,
        storageKey,
        ...uploader(principal),
      };
      await insertUpload(deps.db, upload);
      return { id: upload.id, kind: upload.kind, mimeType: upload.mimeType, filename: upload.filename, size: upload.size };
    } finally {
      if (received.tempPath !== null) await rm(received.tempPath, { force: true }).catch(() => {});
    }
  },
);

interface ReceivedFile {
  /** The scratch file, until storage takes it (then null). */
  tempPath: string | null;
  sha256: string;
  size: number;
  head: Uint8Array;
  kind: OutboundMediaKind;
  mimeType: string;
  filename: string | null;
}

/**
 * Reads the multipart body: `kind` (text) and `file` (streamed to a scratch file, hashed as it goes, and
 * refused once it passes the kind's limit). 400 for a missing file, an unknown kind or a broken body.
 */
async function receiveFile(body: ReadableStream<Uint8Array>, boundary: string, storage: MediaStorage): Promise<ReceivedFile> {
  let kindField: string | null = null;
  let file: (Omit<ReceivedFile, 'kind'> & { inferredKind: OutboundMediaKind }) | null = null;
  let current: 'kind' | 'file' | 'other' | null = null;
  let handle: FileHandle | null = null;
  let hash = createHash('sha256');
  let limit = MAX_FILE_BYTES;
  const discard = async () => {
    await handle?.close().catch(() => {});
    handle = null;
    if (file?.tempPath) await rm(file.tempPath, { force: true }).catch(() => {});
  };
  try {
    for await (const event of readMultipart(body as unknown as AsyncIterable<Uint8Array>, boundary)) {
      if (event.type === 'part') {
        if (event.name === 'file' && event.filename !== null) {
          if (file !== null) throw badRequest('Send one file per upload.');
          const mimeType = (event.contentType ?? 'application/octet-stream').trim();
          const inferredKind = outboundKindOf(mimeType);
          const kind = parseKind(kindField) ?? inferredKind;
          // Refuse a type WhatsApp never takes before reading a byte of it.
          const typeCheck = checkOutboundFile({ kind, mimeType, bytes: 1 });
          if (!typeCheck.ok && typeCheck.reason === 'type') throw badRequest(typeCheck.message);
          // A kind given first caps the file at its limit; otherwise at the largest until the kind is known.
          limit = kindField !== null ? maxBytesOf(kind) : MAX_FILE_BYTES;
          const tempPath = storage.tempPath();
          file = {
            tempPath,
            sha256: '',
            size: 0,
            head: new Uint8Array(0),
            mimeType,
            filename: cleanFilename(event.filename),
            inferredKind,
          };
          handle = await open(tempPath, 'wx');
          hash = createHash('sha256');
          current = 'file';
        } else if (event.name === 'kind') {
          current = 'kind';
          kindField = '';
        } else {
          current = 'other';
        }
      } else if (event.type === 'data') {
        if (current === 'kind') {
          kindField = (kindField ?? '') + Buffer.from(event.chunk).toString('utf8');
          if (kindField.length > 32) throw badRequest(`kind must be one of ${OUTBOUND_MEDIA_KINDS.join(', ')}.`);
        } else if (current === 'file' && file !== null && handle !== null) {
          file.size += event.chunk.byteLength;
          if (file.size > limit) {
            const kind = parseKind(kindField) ?? file.inferredKind;
            throw badRequest(
              `The file is larger than ${formatFileSize(limit)}; WhatsApp takes ${outboundKindLabel(kind)} up to ${formatFileSize(limit)}.`,
            );
          }
          if (file.head.byteLength < HEAD_BYTES) {
            file.head = Buffer.concat([file.head, event.chunk.subarray(0, HEAD_BYTES - file.head.byteLength)]);
          }
          hash.update(event.chunk);
          await handle.write(event.chunk);
        }
      } else {
        if (current === 'file' && handle !== null && file !== null) {
          await handle.close();
          handle = null;
          file.sha256 = hash.digest('hex');
        }
        if (current === 'kind' && parseKind(kindField) === null) {
          throw badRequest(`kind must be one of ${OUTBOUND_MEDIA_KINDS.join(', ')}.`);
        }
        current = null;
      }
    }
  } catch (err) {
    await discard();
    throw err instanceof MultipartError ? badRequest(err.message) : err;
  }
  if (file === null || file.tempPath === null) throw badRequest('No file: send it in a multipart field named "file".');
  return { ...file, kind: parseKind(kindField) ?? file.inferredKind };
}

function parseKind(value: string | null): OutboundMediaKind | null {
  const kind = value?.trim().toLowerCase();
  return (OUTBOUND_MEDIA_KINDS as readonly string[]).includes(kind ?? '') ? (kind as OutboundMediaKind) : null;
}

function maxBytesOf(kind: OutboundMediaKind): number {
  const limit = OUTBOUND_MEDIA_LIMITS[kind];
  return Math.max(limit.maxBytes, limit.maxBytesAnimated ?? 0);
}

/** The name the browser gave, without a path ("C:\fakepath\…"), control characters or excess length; null if nothing is left. */
function cleanFilename(raw: string): string | null {
  const name = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name === '' ? null : name.slice(0, MAX_FILENAME_LENGTH);
}

function uploader(principal: Principal) {
  return principal.kind === 'user'
    ? { createdByUserId: principal.userId, createdByApiKeyId: null }
    : { createdByUserId: null, createdByApiKeyId: principal.keyId };
}
