import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMediaStorage } from '@/lib/media/open-storage';
import { parseS3Url } from '@/lib/media/s3-storage';
import { MediaObjectMissingError, type MediaStorage } from '@/lib/media/storage';
import { MediaDownloader } from '@/lib/media/downloader';
import { getMedia } from '@/lib/media/media-api';
import { withApiErrors } from '@/lib/http/errors';
import { request } from '../helpers/auth';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, silentLog } from '../helpers/pipeline';
import { startFakeGraph, type FakeGraph } from '../../tools/fake-graph';
import { messagesBody } from '../../tools/meta-envelopes';
import { startS3Server, type RunningS3Server } from '../../tools/s3-server';

// The S3 media store against a real S3-protocol server (s3rver on loopback): the same contract as the
// local directory, and two nodes with their own DATA_DIR sharing one bucket.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('parseS3Url', () => {
  it('takes a bucket and an optional prefix, and nothing else', () => {
    expect(parseS3Url('s3://media')).toEqual({ bucket: 'media', prefix: '' });
    expect(parseS3Url('s3://media/ticks/prod/')).toEqual({ bucket: 'media', prefix: 'ticks/prod/' });
    expect(parseS3Url('https://media')).toBeNull();
    expect(parseS3Url('s3://Bad_Bucket')).toBeNull();
  });
});

describe('S3 media storage', () => {
  let s3: RunningS3Server;
  let dirs: string[];
  let nodeA: MediaStorage;
  let nodeB: MediaStorage;

  const nodeWith = async (prefix: string) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticks-node-'));
    dirs.push(dataDir);
    return openMediaStorage({
      DATA_DIR: dataDir,
      MEDIA_DIR: undefined,
      MEDIA_STORE_URL: `s3://${s3.bucket}/${prefix}`,
      MEDIA_S3_ENDPOINT: s3.endpoint,
      MEDIA_S3_REGION: 'us-east-1',
      MEDIA_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      MEDIA_S3_FORCE_PATH_STYLE: undefined,
    });
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    dirs = [];
    nodeA = await nodeWith('shared');
    nodeB = await nodeWith('shared');
  });
  afterAll(async () => {
    await s3?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function putBytes(storage: MediaStorage, bytes: Buffer): Promise<{ key: string; temp: string }> {
    const temp = storage.tempPath();
    await writeFile(temp, bytes);
    return { key: await storage.put(temp, sha(bytes)), temp };
  }

  it('stores what one node downloaded for the other to serve, whole or by range, and consumes the temp file', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const { key, temp } = await putBytes(nodeA, bytes);
    expect(key).toBe(sha(bytes));
    expect(existsSync(temp)).toBe(false);
    // The other node never saw the file on its disk.
    expect(await nodeB.stat(key)).toEqual({ size: 70_000 });
    expect((await collect(await nodeB.read(key))).equals(bytes)).toBe(true);
    expect((await collect(await nodeB.read(key, { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000))).toBe(true);
    // An end past the last byte stops at the last byte, as HTTP Range does.
    expect((await collect(await nodeB.read(key, { start: 69_990, end: 80_000 }))).equals(bytes.subarray(69_990))).toBe(true);
  });

  it('stores the same bytes once, whichever node puts them again', async () => {
    const bytes = Buffer.from('the same sticker, sent a thousand times');
    const first = await putBytes(nodeA, bytes);
    const again = await putBytes(nodeB, bytes);
    expect(again.key).toBe(first.key);
    expect(existsSync(again.temp)).toBe(false);
    expect((await collect(await nodeA.read(first.key))).toString()).toBe(bytes.toString());
  });

  it('says what is missing: null from stat, MediaObjectMissingError from read', async () => {
    const absent = sha(Buffer.from('never stored'));
    expect(await nodeA.stat(absent)).toBeNull();
    await expect(nodeA.read(absent)).rejects.toBeInstanceOf(MediaObjectMissingError);
    // Another prefix is another store.
    const other = await nodeWith('elsewhere');
    const { key } = await putBytes(nodeA, Buffer.from('only under shared/'));
    expect(await other.stat(key)).toBeNull();
  });

  it('removes an object for every node (an erased customer), and a missing one is no error', async () => {
    const { key } = await putBytes(nodeA, Buffer.from('erase me from the bucket'));
    await nodeB.remove(key);
    expect(await nodeA.stat(key)).toBeNull();
    await expect(nodeA.read(key)).rejects.toBeInstanceOf(MediaObjectMissingError);
    await expect(nodeA.remove(key)).resolves.toBeUndefined();
  });

  it('refuses keys that are not SHA-256 digests and bad ranges before asking the server', async () => {
    await expect(nodeA.read('../../etc/passwd')).rejects.toBeInstanceOf(RangeError);
    const { key } = await putBytes(nodeA, Buffer.from('x'));
    await expect(nodeA.read(key, { start: 5, end: 1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('consumes the temp file even when the put fails, and keeps scratch files on the node', async () => {
    const broken = openMediaStorage({
      DATA_DIR: dirs[0]!,
      MEDIA_DIR: undefined,
      MEDIA_STORE_URL: 's3://no-such-bucket',
      MEDIA_S3_ENDPOINT: s3.endpoint,
      MEDIA_S3_REGION: 'us-east-1',
      MEDIA_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      MEDIA_S3_FORCE_PATH_STYLE: undefined,
    });
    const temp = broken.tempPath();
    expect(temp.startsWith(path.join(dirs[0]!, 'media', 'tmp'))).toBe(true);
    await writeFile(temp, 'bytes');
    await expect(broken.put(temp, sha(Buffer.from('bytes')))).rejects.toThrow();
    expect(existsSync(temp)).toBe(false);
  });
});

describe.each(dbKinds)('two nodes on one bucket, on %s', (kind) => {
  const TOKEN = 'graph-token-s3-test';
  const KEY = 's3-test-api-key-0123456789';
  let s3: RunningS3Server;
  let graph: FakeGraph;
  let testDb: TestDatabase;
  const dirs: string[] = [];

  const node = async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticks-node-'));
    dirs.push(dataDir);
    return openMediaStorage({
      DATA_DIR: dataDir,
      MEDIA_DIR: undefined,
      MEDIA_STORE_URL: `s3://${s3.bucket}/media`,
      MEDIA_S3_ENDPOINT: s3.endpoint,
      MEDIA_S3_REGION: 'us-east-1',
      MEDIA_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      MEDIA_S3_FORCE_PATH_STYLE: undefined,
    });
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    graph = await startFakeGraph({ token: TOKEN, version: 'v23.0' });
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb?.drop();
    await graph?.close();
    await s3?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("one downloads a customer's file, the other serves it with Range", async () => {
    const video = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256));
    graph.add({ id: 'media-s3-1', body: video, mimeType: 'video/mp4' });
    const pipeline = createPipeline(testDb.database);
    const body = messagesBody({
      messages: [
        {
          from: '4915112345678',
          id: 'wamid.S3-1',
          timestamp: '1767000000',
          type: 'video',
          video: { id: 'media-s3-1', mime_type: 'video/mp4' },
        },
      ],
    });
    expect((await pipeline.post(body)).status).toBe(200);
    await pipeline.drain();

    const [storageA, storageB] = [await node(), await node()];
    const downloader = new MediaDownloader(testDb.database.db, {
      graph: { graphUrl: graph.url, graphVersion: 'v23.0', accessToken: TOKEN, maxBytes: 1024 * 1024, timeoutMs: 5000 },
      storage: storageA,
      log: silentLog,
      backoffMs: () => 0,
    });
    try {
      expect(await downloader.downloadDue()).toBe(1);
    } finally {
      await downloader.stop();
    }

    const serve = (headers: Record<string, string> = {}) => {
      const req = request('/api/media/wamid.S3-1', { key: KEY });
      for (const [k, v] of Object.entries(headers)) req.headers.set(k, v);
      return withApiErrors(getMedia)(req, { db: testDb.database.db, apiKey: KEY, storage: storageB }, { id: 'wamid.S3-1' });
    };
    const whole = await serve();
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(video)).toBe(true);
    const part = await serve({ range: 'bytes=40000-40999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 40000-40999/50000');
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(40_000, 41_000))).toBe(true);
  });
});
