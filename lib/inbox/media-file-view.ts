// What the thread says about our copy of a message's file (the read API's `mediaFile`): ready with
// its URL and size, downloading, waiting for an access token, or failed with why. PURE, no React.

import type { MediaFailureReason } from '@/lib/contracts/media';
import { ownValue } from '@/lib/whatsapp/message-types/read';
import { presentField } from '@/lib/whatsapp/message-types/view';
import { formatFileSize } from './format-size';

export const MEDIA_FAILURE_TEXT: Record<MediaFailureReason, string> = {
  expired: 'The link expired before it could be downloaded',
  unauthorized: 'The access token was refused',
  checksum_mismatch: 'The file did not match its checksum',
  too_large: 'The file is larger than the limit',
  timeout: 'The download timed out',
  unavailable: "Meta's servers did not answer",
  untrusted_host: 'The file is on a host not allowed to receive the access token (WHATSAPP_MEDIA_HOSTS)',
};

export const MEDIA_FAILURE_FALLBACK = 'The download failed';
export const MEDIA_PENDING_NOTE = 'Downloading…';
export const MEDIA_NO_TOKEN_NOTE = 'Media downloads are off: an admin needs to set WHATSAPP_ACCESS_TOKEN';

/**
 * A message's file. `url` (and `retryUrl`) only ever come from the read API's mediaFile.url,
 * and only when it is one of our own /api/media/... paths.
 */
export type MediaFileView =
  | {
      status: 'ready';
      url: string;
      size: number | null;
      /** "1.2 MB"; null when the size is unknown. */
      sizeLabel: string | null;
      mimeType: string | null;
    }
  | { status: 'pending'; note: string }
  | { status: 'waiting-for-token'; note: string }
  | { status: 'failed'; reason: MediaFailureReason | null; text: string; retryUrl: string; failedAt: string | null };

const OWN_MEDIA_URL = /^\/api\/media\/[^/?#\\]+$/;

/**
 * A pending file whose last attempt failed: why, and which attempt is under way or comes next
 * ("The file did not match its checksum — retrying (attempt 2 of 5)"). Null before any failure.
 */
function retryNote(file: unknown): string | null {
  const raw = presentField(file, 'failureReason');
  if (raw === null) return null;
  const why = Object.hasOwn(MEDIA_FAILURE_TEXT, raw) ? MEDIA_FAILURE_TEXT[raw as MediaFailureReason] : MEDIA_FAILURE_FALLBACK;
  const count = (key: string) => {
    const v = ownValue(file, key);
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  };
  const [attempts, max] = [count('attempts'), count('maxAttempts')];
  if (attempts === null || max === null || max === 0) return `${why} — retrying`;
  // Started attempts count the one under way; while waiting, the next is one more.
  const attempt = Math.min(ownValue(file, 'downloading') === true ? Math.max(attempts, 1) : attempts + 1, max);
  return `${why} — retrying (attempt ${attempt} of ${max})`;
}

/** The read API's mediaFile → what the thread shows; null when there is none (or it is not ours). */
export function mediaFileView(file: unknown): MediaFileView | null {
  const url = presentField(file, 'url');
  if (url === null || !OWN_MEDIA_URL.test(url)) return null;
  switch (ownValue(file, 'state')) {
    case 'downloaded': {
      const rawSize = ownValue(file, 'size');
      const size = typeof rawSize === 'number' && Number.isSafeInteger(rawSize) && rawSize >= 0 ? rawSize : null;
      return {
        status: 'ready',
        url,
        size,
        sizeLabel: size === null ? null : formatFileSize(size),
        mimeType: presentField(file, 'mimeType'),
      };
    }
    case 'pending':
      if (ownValue(file, 'waitingForAccessToken') === true) return { status: 'waiting-for-token', note: MEDIA_NO_TOKEN_NOTE };
      return { status: 'pending', note: retryNote(file) ?? MEDIA_PENDING_NOTE };
    case 'failed': {
      const raw = presentField(file, 'failureReason');
      const reason = raw !== null && Object.hasOwn(MEDIA_FAILURE_TEXT, raw) ? (raw as MediaFailureReason) : null;
      return {
        status: 'failed',
        reason,
        text: reason ? MEDIA_FAILURE_TEXT[reason] : MEDIA_FAILURE_FALLBACK,
        retryUrl: `${url}/retry`,
        failedAt: presentField(file, 'failedAt'),
      };
    }
    default:
      return null;
  }
}
