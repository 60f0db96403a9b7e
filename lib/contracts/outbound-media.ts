import { formatFileSize } from '@/lib/inbox/format-size';

// What WhatsApp accepts as an uploaded file, per kind: the MIME types and the largest size. One table for
// the composer (refuse before uploading) and the Graph client (refuse before calling Meta). Client-safe.
// Source: Meta's "Supported media types" table (Cloud API media reference, as mirrored by AWS End User
// Messaging's "Supported media file types and sizes in WhatsApp" and VTEX's WhatsApp Cloud media page).
// Sizes count 1 MB as 1024 × 1024 bytes, like formatFileSize, so the refusal and the number agree.

export const OUTBOUND_MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type OutboundMediaKind = (typeof OUTBOUND_MEDIA_KINDS)[number];

const KB = 1024;
const MB = 1024 * KB;

export interface OutboundMediaLimit {
  /** MIME types without parameters, lowercase. */
  mimeTypes: readonly string[];
  maxBytes: number;
  /** Stickers: animated WebP may be larger than static. */
  maxBytesAnimated?: number;
}

export const OUTBOUND_MEDIA_LIMITS: Readonly<Record<OutboundMediaKind, OutboundMediaLimit>> = {
  // 8-bit RGB or RGBA.
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  // H.264 video and AAC audio only, at most one audio stream. Meta's table says video/3gp; the registered
  // name is video/3gpp: both are taken.
  video: { mimeTypes: ['video/mp4', 'video/3gpp', 'video/3gp'], maxBytes: 16 * MB },
  // audio/ogg only with the Opus codec (a voice note is OGG/Opus).
  audio: { mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  sticker: { mimeTypes: ['image/webp'], maxBytes: 100 * KB, maxBytesAnimated: 500 * KB },
};

export interface OutboundFile {
  kind: OutboundMediaKind;
  /** As the browser or the upload reported it; parameters (`; codecs=opus`) allowed. */
  mimeType: string;
  bytes: number;
  /** Stickers only: an animated WebP (see isAnimatedWebp). */
  animated?: boolean;
}

export type OutboundFileCheck =
  | { ok: true; kind: OutboundMediaKind /** Lowercase, trimmed, with its parameters: what Meta is told. */; mimeType: string }
  | { ok: false; reason: 'empty' | 'type' | 'too_large' /** A sentence for the person who chose the file. */; message: string };

/** Whether WhatsApp takes this file as `kind`, and why not. PURE. */
export function checkOutboundFile(file: OutboundFile): OutboundFileCheck {
  const limit = OUTBOUND_MEDIA_LIMITS[file.kind];
  const mimeType = file.mimeType.trim().toLowerCase();
  const [essence = '', ...params] = mimeType.split(';').map((p) => p.trim());
  const label = KIND_LABELS[file.kind];
  if (!limit.mimeTypes.includes(essence)) {
    return {
      ok: false,
      reason: 'type',
      message: `WhatsApp does not accept ${essence === '' ? 'files of unknown type' : essence} as ${label}; it takes ${limit.mimeTypes.join(', ')}.`,
    };
  }
  const codecs = params.find((p) => p.startsWith('codecs='));
  if (essence === 'audio/ogg' && codecs !== undefined && codecs.replace(/^codecs=/, '').replace(/"/g, '') !== 'opus') {
    return { ok: false, reason: 'type', message: 'WhatsApp takes OGG audio only with the Opus codec.' };
  }
  if (!(file.bytes > 0)) return { ok: false, reason: 'empty', message: 'The file is empty.' };
  const max = file.animated && limit.maxBytesAnimated !== undefined ? limit.maxBytesAnimated : limit.maxBytes;
  if (file.bytes > max) {
    const what = file.kind === 'sticker' ? `${file.animated ? 'an animated' : 'a static'} sticker` : label;
    return {
      ok: false,
      reason: 'too_large',
      message: `The file is ${formatFileSize(file.bytes)}; WhatsApp takes ${what} up to ${formatFileSize(max)}.`,
    };
  }
  return { ok: true, kind: file.kind, mimeType };
}

/**
 * How WhatsApp carries a file of this type when the sender did not say: JPEG and PNG as an image, MP4 and
 * 3GPP as a video, any audio as audio, WebP as a sticker, anything else as a document (which then takes
 * only the document types). PURE.
 */
export function outboundKindOf(mimeType: string): OutboundMediaKind {
  const essence = mimeType.split(';')[0]!.trim().toLowerCase();
  if (essence === 'image/webp') return 'sticker';
  for (const kind of ['image', 'video'] as const) if (OUTBOUND_MEDIA_LIMITS[kind].mimeTypes.includes(essence)) return kind;
  if (essence.startsWith('audio/')) return 'audio';
  return 'document';
}

/** "an image", "a document", …: for sentences about a file. */
export const outboundKindLabel = (kind: OutboundMediaKind): string => KIND_LABELS[kind];

const KIND_LABELS: Record<OutboundMediaKind, string> = {
  image: 'an image',
  video: 'a video',
  audio: 'audio',
  document: 'a document',
  sticker: 'a sticker',
};

/**
 * Whether WebP bytes are an animation: the extended header (VP8X) with its animation flag. Only the first
 * 21 bytes are read. PURE.
 */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length < 21 || ascii(0, 4) !== 'RIFF' || ascii(8, 12) !== 'WEBP' || ascii(12, 16) !== 'VP8X') return false;
  // VP8X flags byte: bit 1 (0x02) is "animation".
  return (bytes[20]! & 0x02) !== 0;
}
