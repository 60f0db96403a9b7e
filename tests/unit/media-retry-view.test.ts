import { describe, expect, it } from 'vitest';
import type { ApiMediaFile } from '@/lib/inbox/read-api';
import { mediaFileView } from '@/lib/inbox/message-view';

// While a download is retried the thread says why and what comes next, not a bare "Downloading…".

const file = (over: Partial<ApiMediaFile> = {}): ApiMediaFile => ({
  state: 'pending',
  failureReason: null,
  failedAt: null,
  waitingForAccessToken: false,
  size: null,
  mimeType: 'audio/ogg',
  attempts: 0,
  maxAttempts: 5,
  downloading: false,
  url: '/api/media/wamid.A',
  ...over,
});

describe('mediaFileView: a pending file being retried', () => {
  it('before any failure: downloading', () => {
    expect(mediaFileView(file())).toEqual({ status: 'pending', note: 'Downloading…' });
    expect(mediaFileView(file({ attempts: 1, downloading: true }))).toEqual({ status: 'pending', note: 'Downloading…' });
  });

  it('after a failure: the reason and the attempt under way or next, of the limit', () => {
    // Waiting for its backoff: the next attempt is one more than those started.
    expect(mediaFileView(file({ failureReason: 'checksum_mismatch', attempts: 1 }))).toEqual({
      status: 'pending',
      note: 'The file did not match its checksum — retrying (attempt 2 of 5)',
    });
    // Under way: the started attempts include it.
    expect(mediaFileView(file({ failureReason: 'timeout', attempts: 3, downloading: true }))).toEqual({
      status: 'pending',
      note: 'The download timed out — retrying (attempt 3 of 5)',
    });
    // An admin's retry: one attempt left.
    expect(mediaFileView(file({ failureReason: 'unavailable', attempts: 4 }))).toMatchObject({
      note: "Meta's servers did not answer — retrying (attempt 5 of 5)",
    });
  });

  it('an unknown reason or missing counts still say it is retrying', () => {
    expect(mediaFileView(file({ failureReason: 'something_new', attempts: 1 }))).toMatchObject({
      note: 'The download failed — retrying (attempt 2 of 5)',
    });
    expect(mediaFileView({ state: 'pending', failureReason: 'timeout', url: '/api/media/x' })).toMatchObject({
      note: 'The download timed out — retrying',
    });
    expect(mediaFileView({ ...file({ failureReason: 'timeout' }), attempts: 'two' })).toMatchObject({
      note: 'The download timed out — retrying',
    });
    // Never an attempt past the limit (a crash can leave one more started than allowed).
    expect(mediaFileView(file({ failureReason: 'timeout', attempts: 6, downloading: true }))).toMatchObject({
      note: 'The download timed out — retrying (attempt 5 of 5)',
    });
  });

  it('a refused host has its own reason', () => {
    expect(mediaFileView(file({ state: 'failed', failureReason: 'untrusted_host' }))).toMatchObject({
      status: 'failed',
      reason: 'untrusted_host',
      text: 'The file is on a host not allowed to receive the access token (WHATSAPP_MEDIA_HOSTS)',
    });
  });
});
