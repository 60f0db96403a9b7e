import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, sql, type Db } from '@/db/client';
import { claimDueMedia, getMediaItem } from '@/db/queries/media';
import { withApiErrors } from '@/lib/http/errors';
import { getMessage } from '@/lib/inbox/read-api';
import { mediaFileView } from '@/lib/inbox/message-view';
import { MEDIA_MAX_ATTEMPTS, MediaDownloader, type MediaDownloaderOptions } from '@/lib/media/downloader';
import { getMedia, postMediaRetry } from '@/lib/media/media-api';
import { fileStorage, type MediaStorage } from '@/lib/media/storage';
import { createMetrics } from '@/lib/observability/metrics';
import { CHANGES_CHANNEL, decodeChange } from '@/lib/realtime/changes';
import { request } from '../helpers/auth';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { startFakeGraph, type FakeGraph } from '../../tools/fake-graph';
import { createPipeline, silentLog } from '../helpers/pipeline';
import { messagesBody } from '../../tools/meta-envelopes';

// The download queue end to end: a media message stored → a job in the same transaction → the file
// fetched from a fake Graph API into storage → served with its headers. And the ways it goes wrong:
// expired, refused, slow, a crash mid-download, two instances at once, no access token.

const TOKEN = 'test-graph-token-123';
const VERSION = 'v23.0';
const KEY = 'media-test-api-key-0123456789';
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const mediaMessage = (wamid: string, type: string, mediaId: string, extra: Record<string, unknown> = {}) =>
  messagesBody({
    contacts: [{ profile: { name: 'Mia' }, wa_id: '4915112345678' }],
    messages: [
      { from: '4915112345678', id: wamid, timestamp: '1767000000', type, [type]: { id: mediaId, mime_type: 'image/png', ...extra } },
    ],
  });

describe.each(dbKinds)('media downloads on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Db;
  let graph: FakeGraph;
  let dir: string;
  let storage: MediaStorage;
  const downloaders: MediaDownloader[] = [];

  const downloader = (over: Partial<MediaDownloaderOptions> = {}, graphOver: Partial<MediaDownloaderOptions['graph']> = {}) => {
    const d = new MediaDownloader(db, {
      graph: { graphUrl: graph.url, graphVersion: VERSION, accessToken: TOKEN, maxBytes: 10 * 1024 * 1024, timeoutMs: 3000, ...graphOver },
      storage,
      log: process.env.MEDIA_DEBUG ? (pino({ level: 'debug' }) as unknown as typeof silentLog) : silentLog,
      backoffMs: () => 0,
      ...over,
    });
    downloaders.push(d);
    return d;
  };
  const deliver = async (body: string) => {
    const pipeline = createPipeline(testDb.database);
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();
  };
  const item = async (wamid: string) => (await getMediaItem(db, { wamid }))!;
  const serve = (id: string, headers: Record<string, string> = {}) => {
    const req = request(`/api/media/${encodeURIComponent(id)}`, { key: KEY });
    for (const [k, v] of Object.entries(headers)) req.headers.set(k, v);
    return withApiErrors(getMedia)(req, { db, apiKey: KEY, storage }, { id });
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
    graph = await startFakeGraph({ token: TOKEN, version: VERSION });
  });
  afterAll(async () => {
    await graph?.close();
    await testDb?.drop();
  });
  beforeEach(async () => {
    await resetDatabase(testDb.database);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-media-'));
    storage = fileStorage(dir);
    graph.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(downloaders.splice(0).map((d) => d.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('queues a job with the message, downloads it, and serves it with its headers (Range too)', async () => {
    graph.add({ id: 'm-png-1', body: png, mimeType: 'image/png' });
    await deliver(mediaMessage('wamid.IMG-1', 'image', 'm-png-1'));
    expect(await item('wamid.IMG-1')).toMatchObject({ state: 'pending', mediaId: 'm-png-1', kind: 'image', attempts: 0 });

    const notices: string[] = [];
    const unlisten = await testDb.database.listen(CHANGES_CHANNEL, (p) => notices.push(p));
    expect(await downloader().downloadDue()).toBe(1);
    expect(await item('wamid.IMG-1')).toMatchObject({ state: 'downloaded', size: png.length, mimeType: 'image/png', failureReason: null });
    // The open thread hears of it.
    await expect.poll(() => notices.flatMap((n) => decodeChange(n)?.topics)).toContain('media');
    await unlisten();

    const res = await serve('wamid.IMG-1');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="image-wamid.IMG-1.png"; filename*=UTF-8''image-wamid.IMG-1.png`);
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('accept-ranges')).toBe('bytes');

    const part = await serve('wamid.IMG-1', { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${png.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(png.subarray(10, 20));
    expect((await serve('wamid.IMG-1', { range: 'bytes=-5' })).headers.get('content-range')).toBe(
      `bytes ${png.length - 5}-${png.length - 1}/${png.length}`,
    );
    expect((await serve('wamid.IMG-1', { range: `bytes=${png.length}-` })).status).toBe(416);

    // The read API says where it is.
    const msg = await (
      await withApiErrors(getMessage)(request('/api/messages/wamid.IMG-1', { key: KEY }), { db, apiKey: KEY }, { id: 'wamid.IMG-1' })
    ).json();
    expect(msg.mediaFile).toEqual({
      state: 'downloaded',
      failureReason: null,
      failedAt: null,
      waitingForAccessToken: false,
      size: png.length,
      mimeType: 'image/png',
      attempts: 1,
      maxAttempts: MEDIA_MAX_ATTEMPTS,
      downloading: false,
      url: '/api/media/wamid.IMG-1',
    });
  });

  it('stores identical bytes once, and serves documents as attachments with a safe file name', async () => {
    graph.add({ id: 'm-doc-1', body: png, mimeType: 'application/pdf' });
    graph.add({ id: 'm-doc-2', body: png, mimeType: 'application/pdf' });
    await deliver(mediaMessage('wamid.DOC-1', 'document', 'm-doc-1', { filename: '../../etc/"passwd"\r\n.pdf' }));
    await deliver(mediaMessage('wamid.DOC-2', 'document', 'm-doc-2', { filename: 'Factura N° 12.pdf' }));
    await downloader().downloadDue();
    const [a, b] = [await item('wamid.DOC-1'), await item('wamid.DOC-2')];
    expect(a.state).toBe('downloaded');
    expect(a.storageKey).toBe(b.storageKey);
    const files = fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile());
    expect(files).toHaveLength(1);

    const evil = await serve('wamid.DOC-1');
    expect(evil.headers.get('content-type')).toBe('application/pdf');
    expect(evil.headers.get('content-disposition')).toBe(`attachment; filename="passwd.pdf"; filename*=UTF-8''passwd.pdf`);
    const accented = await serve('wamid.DOC-2');
    expect(accented.headers.get('content-disposition')).toBe(
      `attachment; filename="Factura N_ 12.pdf"; filename*=UTF-8''Factura%20N%C2%B0%2012.pdf`,
    );
  });

  it('never serves SVG or HTML as themselves', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    graph.add({ id: 'm-svg', body: svg, mimeType: 'image/svg+xml' });
    graph.add({ id: 'm-html', body: Buffer.from('<script>alert(1)</script>'), mimeType: 'text/html' });
    await deliver(mediaMessage('wamid.SVG', 'image', 'm-svg', { mime_type: 'image/svg+xml' }));
    await deliver(mediaMessage('wamid.HTML', 'document', 'm-html', { mime_type: 'text/html', filename: 'x.html' }));
    await downloader().downloadDue();
    for (const wamid of ['wamid.SVG', 'wamid.HTML']) {
      const res = await serve(wamid);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
    }
  });

  it('fails for good at once when the file is gone or the token is refused, and says why', async () => {
    graph.add({ id: 'm-expired', body: png, mimeType: 'image/png', behaviour: 'expired-url' });
    await deliver(mediaMessage('wamid.EXP', 'image', 'm-expired'));
    await deliver(mediaMessage('wamid.UNKNOWN', 'image', 'm-never-heard-of'));
    await downloader().downloadDue();
    expect(await item('wamid.EXP')).toMatchObject({ state: 'failed', failureReason: 'expired', attempts: 1 });
    expect(await item('wamid.UNKNOWN')).toMatchObject({ state: 'failed', failureReason: 'expired' });

    graph.add({ id: 'm-png-2', body: png, mimeType: 'image/png' });
    await deliver(mediaMessage('wamid.TOKEN', 'image', 'm-png-2'));
    await downloader({}, { accessToken: 'a-revoked-token' }).downloadDue();
    const refused = await item('wamid.TOKEN');
    expect(refused).toMatchObject({ state: 'failed', failureReason: 'unauthorized' });
    expect(refused.lastError).not.toContain('a-revoked-token');
    expect((await serve('wamid.TOKEN')).status).toBe(409);
  });

  it('retries a slow server with backoff a bounded number of times', async () => {
    graph.add({ id: 'm-hang', body: png, mimeType: 'image/png', behaviour: 'hang' });
    await deliver(mediaMessage('wamid.HANG', 'image', 'm-hang'));
    const d = downloader({ maxAttempts: 2, backoffMs: () => 60_000 }, { timeoutMs: 300 });
    await d.downloadDue();
    const first = await item('wamid.HANG');
    expect(first).toMatchObject({ state: 'pending', failureReason: 'timeout', attempts: 1, leaseUntil: null });
    expect(first.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Not due yet: nothing to do.
    expect(await d.downloadDue()).toBe(0);
    await db.execute(sql`update media_items set next_attempt_at = now()`);
    await d.downloadDue();
    expect(await item('wamid.HANG')).toMatchObject({ state: 'failed', failureReason: 'timeout', attempts: 2 });
  });

  it('a checksum that keeps disagreeing: each retry says why and which attempt is next, then it fails for good', async () => {
    graph.add({ id: 'm-bad-sum', body: png, mimeType: 'audio/ogg', sha256: 'ab'.repeat(32) });
    await deliver(mediaMessage('wamid.SUM', 'audio', 'm-bad-sum', { mime_type: 'audio/ogg' }));
    const mediaFile = async () =>
      (
        await (
          await withApiErrors(getMessage)(request('/api/messages/wamid.SUM', { key: KEY }), { db, apiKey: KEY }, { id: 'wamid.SUM' })
        ).json()
      ).mediaFile;
    const notices: string[] = [];
    const unlisten = await testDb.database.listen(CHANGES_CHANNEL, (p) => notices.push(p));
    const d = downloader();

    for (let attempt = 1; attempt < MEDIA_MAX_ATTEMPTS; attempt++) {
      notices.length = 0;
      expect(await d.downloadDue()).toBe(1);
      const state = await mediaFile();
      expect(state).toMatchObject({
        state: 'pending',
        failureReason: 'checksum_mismatch',
        attempts: attempt,
        maxAttempts: MEDIA_MAX_ATTEMPTS,
        downloading: false,
      });
      expect(mediaFileView(state)).toEqual({
        status: 'pending',
        note: `The file did not match its checksum — retrying (attempt ${attempt + 1} of ${MEDIA_MAX_ATTEMPTS})`,
      });
      // The open thread hears of the retry, so the note changes without a reload.
      await expect.poll(() => notices.flatMap((n) => decodeChange(n)?.messages)).toContain('wamid.SUM');
    }
    // While an attempt is under way, it is that attempt.
    await claimDueMedia(db, { limit: 1, leaseMs: 60_000 });
    expect(await mediaFile()).toMatchObject({ state: 'pending', attempts: MEDIA_MAX_ATTEMPTS, downloading: true });
    expect(mediaFileView(await mediaFile())).toMatchObject({
      note: `The file did not match its checksum — retrying (attempt ${MEDIA_MAX_ATTEMPTS} of ${MEDIA_MAX_ATTEMPTS})`,
    });
    await db.execute(sql`update media_items set lease_until = now() - interval '1 second', attempts = attempts - 1`);

    expect(await d.downloadDue()).toBe(1);
    expect(await item('wamid.SUM')).toMatchObject({ state: 'failed', failureReason: 'checksum_mismatch', attempts: MEDIA_MAX_ATTEMPTS });
    expect(mediaFileView(await mediaFile())).toMatchObject({
      status: 'failed',
      reason: 'checksum_mismatch',
      text: 'The file did not match its checksum',
    });
    expect(await d.downloadDue()).toBe(0);
    await unlisten();
  });

  it('a media url on a host off the allow-list fails for good at once, without the token reaching it', async () => {
    const other = await startFakeGraph({ token: TOKEN, version: VERSION });
    try {
      graph.add({ id: 'm-elsewhere', body: png, mimeType: 'image/png', fileOrigin: other.url });
      other.add({ id: 'm-elsewhere', body: png, mimeType: 'image/png' });
      await deliver(mediaMessage('wamid.ELSEWHERE', 'image', 'm-elsewhere'));
      await downloader().downloadDue();
      const failed = await item('wamid.ELSEWHERE');
      expect(failed).toMatchObject({ state: 'failed', failureReason: 'untrusted_host', attempts: 1 });
      expect(failed.lastError).toContain('WHATSAPP_MEDIA_HOSTS');
      expect(failed.lastError).not.toContain(TOKEN);
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('finishes a download interrupted by a crash once its lease runs out', async () => {
    graph.add({ id: 'm-png-3', body: png, mimeType: 'image/png' });
    await deliver(mediaMessage('wamid.CRASH', 'image', 'm-png-3'));
    // An instance claims it and dies mid-download: the lease is held, the file never arrives.
    expect(await claimDueMedia(db, { limit: 10, leaseMs: 60_000 })).toHaveLength(1);
    const restarted = downloader();
    expect(await restarted.downloadDue()).toBe(0);
    await db.execute(sql`update media_items set lease_until = now() - interval '1 second'`);
    expect(await restarted.downloadDue()).toBe(1);
    expect(await item('wamid.CRASH')).toMatchObject({ state: 'downloaded', attempts: 2 });
  });

  it('a download cut off by shutdown leaves its job for the next start', async () => {
    graph.add({ id: 'm-hang-2', body: png, mimeType: 'image/png', behaviour: 'hang' });
    await deliver(mediaMessage('wamid.STOP', 'image', 'm-hang-2'));
    const d = downloader({}, { timeoutMs: 30_000 }).start();
    d.notify();
    await expect.poll(async () => (await item('wamid.STOP')).leaseUntil !== null).toBe(true);
    await d.stop();
    const left = await item('wamid.STOP');
    expect(left).toMatchObject({ state: 'pending', failureReason: null });
    // No temp file left behind in storage.
    const files = fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, String(f))).isFile());
    expect(files).toEqual([]);
  });

  it('two instances never fetch the same file twice', async () => {
    for (let i = 0; i < 6; i++) {
      graph.add({ id: `m-par-${i}`, body: Buffer.concat([png, Buffer.from([i])]), mimeType: 'image/png', behaviour: 'slow' });
      await deliver(mediaMessage(`wamid.PAR-${i}`, 'image', `m-par-${i}`));
    }
    const [a, b] = [downloader({ concurrency: 3 }), downloader({ concurrency: 3 })];
    await Promise.all([a.downloadDue(), b.downloadDue(), a.downloadDue(), b.downloadDue()]);
    const states = await queryRows<{ state: string; n: string | number }>(
      db,
      sql`select state, count(*) as n from media_items group by state`,
    );
    expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['downloaded', 6]]);
    // (Only this test's ids: an aborted request of the previous test can still reach the server late.)
    const lookups = graph.requests.filter((r) => r.path.startsWith(`/${VERSION}/m-par-`));
    expect(lookups.map((r) => r.path).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/${VERSION}/m-par-${i}`));
  });

  it('counts downloads, failures and bytes in the metrics, and the queue from the database', async () => {
    const metrics = createMetrics(db, silentLog);
    graph.add({ id: 'm-png-m', body: png, mimeType: 'image/png' });
    await deliver(mediaMessage('wamid.MET-1', 'image', 'm-png-m'));
    await deliver(mediaMessage('wamid.MET-2', 'image', 'm-missing'));
    await deliver(mediaMessage('wamid.MET-3', 'image', 'm-later'));
    await db.execute(
      sql`update media_items set next_attempt_at = now() + interval '1 hour' where message_id = (select id from messages where wamid = 'wamid.MET-3')`,
    );
    await downloader({ onOutcome: (o) => metrics.observeMedia(o) }).downloadDue();
    const text = await metrics.render();
    const value = (series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1],
      );
    expect(value('ticks_media_downloads_total{result="downloaded",reason=""}')).toBe(1);
    expect(value('ticks_media_downloads_total{result="failed",reason="expired"}')).toBe(1);
    expect(value('ticks_media_downloaded_bytes_total')).toBe(png.length);
    expect(value('ticks_media_pending')).toBe(1);
    expect(value('ticks_media_failed')).toBe(1);
  });

  it('without an access token, leaves media pending and says so', async () => {
    await deliver(mediaMessage('wamid.NOTOKEN', 'image', 'm-whatever'));
    const d = downloader({}, { accessToken: undefined }).start();
    expect(d.enabled).toBe(false);
    d.notify();
    await new Promise((r) => setTimeout(r, 200));
    expect(await item('wamid.NOTOKEN')).toMatchObject({ state: 'pending', attempts: 0 });
    expect(graph.requests).toEqual([]);
    const deps = { db, apiKey: KEY, mediaDownloads: false };
    const msg = await (
      await withApiErrors(getMessage)(request('/api/messages/wamid.NOTOKEN', { key: KEY }), deps, { id: 'wamid.NOTOKEN' })
    ).json();
    expect(msg.mediaFile).toMatchObject({ state: 'pending', waitingForAccessToken: true });
  });

  it('lets an admin retry a failed download (one attempt), and nobody else', async () => {
    await deliver(mediaMessage('wamid.RETRY', 'image', 'm-late'));
    const d = downloader();
    await d.downloadDue();
    expect((await item('wamid.RETRY')).state).toBe('failed');
    const failedFile = async () =>
      (
        await (
          await withApiErrors(getMessage)(request('/api/messages/wamid.RETRY', { key: KEY }), { db, apiKey: KEY }, { id: 'wamid.RETRY' })
        ).json()
      ).mediaFile;
    const firstFailure = (await failedFile()).failedAt as string;
    expect(Date.parse(firstFailure)).toBeGreaterThan(Date.now() - 60_000);
    // Failing again after a retry is a new failure the thread can tell apart (its Retry button comes back).
    await db.execute(
      sql`update media_items set state = 'pending', attempts = 4, next_attempt_at = now() where message_id = (select id from messages where wamid = 'wamid.RETRY')`,
    );
    await new Promise((r) => setTimeout(r, 20));
    await d.downloadDue();
    expect((await failedFile()).failedAt > firstFailure).toBe(true);
    const deps = { db, apiKey: KEY, media: d };
    // An API key is not an admin.
    expect(
      (
        await withApiErrors(postMediaRetry)(request('/api/media/wamid.RETRY/retry', { key: KEY }, { method: 'POST' }), deps, {
          wamid: 'wamid.RETRY',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await withApiErrors(postMediaRetry)(request('/api/media/wamid.RETRY/retry', null, { method: 'POST' }), deps, {
          wamid: 'wamid.RETRY',
        })
      ).status,
    ).toBe(401);
    // The requeue itself (what the admin's 202 does), then the file turns up at Meta.
    await db.execute(
      sql`update media_items set state = 'pending', attempts = 4, next_attempt_at = now() where message_id = (select id from messages where wamid = 'wamid.RETRY')`,
    );
    graph.add({ id: 'm-late', body: png, mimeType: 'image/png' });
    await d.downloadDue();
    expect(await item('wamid.RETRY')).toMatchObject({ state: 'downloaded', attempts: 5 });
  });
});
