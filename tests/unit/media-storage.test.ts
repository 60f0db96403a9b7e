import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileStorage, MediaObjectMissingError, type MediaStorage } from '@/lib/media/storage';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('fileStorage', () => {
  let root: string;
  let storage: MediaStorage;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'ticks-media-'));
    storage = fileStorage(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function putBytes(bytes: Buffer): Promise<{ key: string; temp: string }> {
    const temp = storage.tempPath();
    await writeFile(temp, bytes);
    return { key: await storage.put(temp, sha(bytes)), temp };
  }

  it('gives temp paths inside its own tmp dir, creating it, each one new', () => {
    const a = storage.tempPath();
    const b = storage.tempPath();
    expect(path.dirname(a)).toBe(path.join(root, 'tmp'));
    expect(existsSync(path.join(root, 'tmp'))).toBe(true);
    expect(a).not.toBe(b);
  });

  it('sweeps scratch files a crash left behind, and none that are still being written', async () => {
    expect(await storage.sweepScratch(60_000)).toBe(0); // no tmp dir yet
    const stale = storage.tempPath();
    const fresh = storage.tempPath();
    await writeFile(stale, 'half a video');
    await writeFile(fresh, 'a download in progress');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(stale, hourAgo, hourAgo);
    expect(await storage.sweepScratch(60_000)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('removes an object for good (an erased customer), and a missing one is no error', async () => {
    const { key } = await putBytes(Buffer.from('erase me'));
    await storage.remove(key);
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.remove(key)).resolves.toBeUndefined();
    await expect(storage.remove('../../etc/passwd')).rejects.toBeInstanceOf(RangeError);
  });

  it('stores under rootDir/ab/cd/<sha256> and moves the temp file', async () => {
    const bytes = Buffer.from('hello media');
    const { key, temp } = await putBytes(bytes);
    expect(key).toBe(sha(bytes));
    expect(await readFile(path.join(root, key.slice(0, 2), key.slice(2, 4), key))).toEqual(bytes);
    expect(existsSync(temp)).toBe(false);
    expect(await storage.stat(key)).toEqual({ size: bytes.length });
  });

  it('stores the same bytes once; the second put just deletes its temp file', async () => {
    const bytes = Buffer.from('same sticker');
    const first = await putBytes(bytes);
    const second = await putBytes(bytes);
    expect(second.key).toBe(first.key);
    expect(existsSync(second.temp)).toBe(false);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    expect(await readdir(path.join(root, first.key.slice(0, 2), first.key.slice(2, 4)))).toEqual([first.key]);
  });

  it('accepts an uppercase digest and keys by lowercase', async () => {
    const bytes = Buffer.from('upper');
    const temp = storage.tempPath();
    await writeFile(temp, bytes);
    expect(await storage.put(temp, sha(bytes).toUpperCase())).toBe(sha(bytes));
  });

  it('reads a whole object and inclusive byte ranges', async () => {
    const bytes = Buffer.from('0123456789');
    const { key } = await putBytes(bytes);
    expect(await collect(await storage.read(key))).toEqual(bytes);
    expect((await collect(await storage.read(key, { start: 2, end: 5 }))).toString()).toBe('2345');
    expect((await collect(await storage.read(key, { start: 9, end: 9 }))).toString()).toBe('9');
    expect((await collect(await storage.read(key, { start: 8, end: 100 }))).toString()).toBe('89');
    await expect(storage.read(key, { start: 5, end: 4 })).rejects.toThrow(RangeError);
    await expect(storage.read(key, { start: -1, end: 4 })).rejects.toThrow(RangeError);
  });

  it('answers null / MediaObjectMissingError for a missing object', async () => {
    const missing = 'a'.repeat(64);
    expect(await storage.stat(missing)).toBeNull();
    await expect(storage.read(missing)).rejects.toBeInstanceOf(MediaObjectMissingError);
  });

  it('refuses keys that are not SHA-256 hex, so no key is a path', async () => {
    for (const bad of ['../../etc/passwd', `${'a'.repeat(63)}/`, 'a'.repeat(65), '', `..${'a'.repeat(62)}`]) {
      await expect(storage.stat(bad)).rejects.toThrow(RangeError);
      await expect(storage.read(bad)).rejects.toThrow(RangeError);
    }
    const temp = storage.tempPath();
    await writeFile(temp, 'x');
    await expect(storage.put(temp, '../../x')).rejects.toThrow(RangeError);
    // A refused put does not leave its temp file behind.
    expect(existsSync(temp)).toBe(false);
  });
});
