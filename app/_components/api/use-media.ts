import type { PostMediaRetryResponse } from '@/lib/contracts/media';
import { fetchJson } from '@/app/_components/fetch-json';

// The media endpoints the pages call directly. GET /api/media/{wamid} is read by <img>, <audio> and
// <video> themselves, at the URL the read API gives (mediaFile.url).

/** POST /api/media/{wamid}/retry, at the URL the view model gives (a failed file's retryUrl). */
export function retryMediaDownload(retryUrl: string): Promise<PostMediaRetryResponse> {
  return fetchJson<PostMediaRetryResponse>(retryUrl, { method: 'POST' });
}
