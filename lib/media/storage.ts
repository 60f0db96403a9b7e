import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { copyFile, type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { recognisedAcrossBundles } from '@/lib/bundle-identity';

// Content-addressed media storage: an object's key is the SHA-256 of its bytes, so the same sticker sent
// a thousand times is stored once, and a stored object never changes. Two stores speak this interface of
// keys and streams: the local directory here, and an S3-compatible bucket (s3-storage.ts) that several
// nodes share.

export interface MediaStorage {
  /**
   * Moves a finished temp file (from tempPath()) into storage under its SHA-256 (hex, computed by the
   * caller while writing). Storing bytes that are already stored just deletes the temp file; so does a failed put. Returns the key.
   */
  put(tempPath: string, sha256Hex: string): Promise<string>;
  /**
   * A fresh path for a local scratch file that put() will take over. Local even for a remote store: the
   * download is written here first, so it can be hashed and checked before it becomes an object.
   */
  tempPath(): string;
  /** Size of a stored object in bytes, or null when it is missing. */
  stat(key: string): Promise<{ size: number } | null>;
  /**
   * The object's bytes, or only `range` (inclusive start and end, as in HTTP Range; an end past the last
   * byte stops at the last byte). Rejects with MediaObjectMissingError when the object does not exist.
   */
  read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
  /** Deletes a stored object (an erased customer's file); one already gone is no error. */
  remove(key: string): Promise<void>;
  /** Deletes scratch files untouched for `olderThanMs` (left by a process killed mid-download). Returns how many. */
  sweepScratch(olderThanMs: number): Promise<number>;
}

export class MediaObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`media object ${key} is not in storage`);
    this.name = 'MediaObjectMissingError';
  }
}
// Thrown by the app's storage, caught by the media route: lib/bundle-identity.ts.
recognisedAcrossBundles(MediaObjectMissingError, 'MediaObjectMissingError');

const KEY = /^[0-9a-f]{64}$/;

/** Lowercases a SHA-256 hex digest and checks it; keys come from the database, and they become paths. */
export function toKey(sha256Hex: string): string {
  const key = sha256Hex.toLowerCase();
  if (!KEY.test(key)) throw new RangeError('a media key is a SHA-256 digest in hex (64 characters)');
  return key;
}

/** A byte range as HTTP Range has it (inclusive), checked before any store is asked. */
export function checkRange(range: { start: number; end: number } | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}

/**
 * Scratch files for downloads and uploads, always on this node's disk (hashed and checked there before
 * they become objects), and the sweep of those a killed process left behind.
 */
export function localScratch(tmpDir: string): Pick<MediaStorage, 'tempPath' | 'sweepScratch'> {
  return {
    tempPath() {
      // Synchronous by contract; a recursive mkdir of an existing directory is one cheap syscall.
      mkdirSync(tmpDir, { recursive: true });
      return path.join(tmpDir, `${randomUUID()}.part`);
    },

    async sweepScratch(olderThanMs) {
      const names = await readdir(tmpDir).catch((err) => (isMissing(err) ? [] : Promise.reject(err)));
      let removed = 0;
      for (const name of names) {
        const file = path.join(tmpDir, name);
        const s = await stat(file).catch(() => null);
        // A download in progress keeps writing, so its mtime stays fresh.
        if (s?.isFile() && Date.now() - s.mtimeMs > olderThanMs) {
          await rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** Objects at rootDir/ab/cd/<sha256>; two levels of fan-out keep directories small. Scratch files in rootDir/tmp. */
export function fileStorage(rootDir: string): MediaStorage {
  const root = path.resolve(rootDir);
  const tmpDir = path.join(root, 'tmp');
  const objectPath = (key: string) => path.join(root, key.slice(0, 2), key.slice(2, 4), key);

  return {
    ...localScratch(tmpDir),
    async put(tempPath, sha256Hex) {
      try {
        const key = toKey(sha256Hex);
        const target = objectPath(key);
        if (await stat(target).catch((err) => (isMissing(err) ? null : Promise.reject(err)))) {
          await rm(tempPath, { force: true });
          return key;
        }
        await mkdir(path.dirname(target), { recursive: true });
        // Two puts of the same bytes may race here: rename replaces atomically, and both files hold the same bytes.
        await rename(tempPath, target).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EXDEV') throw err;
          // A temp file from another filesystem: copy under a scratch name of ours, then rename into place.
          const scratch = path.join(path.dirname(target), `.${randomUUID()}.part`);
          await copyFile(tempPath, scratch);
          await rename(scratch, target);
          await rm(tempPath, { force: true });
        });
        return key;
      } catch (err) {
        // A failed put consumes its temp file too: the caller has nothing to clean up.
        await rm(tempPath, { force: true }).catch(() => {});
        throw err;
      }
    },

    async stat(key) {
      try {
        const s = await stat(objectPath(toKey(key)));
        return { size: s.size };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async remove(key) {
      await rm(objectPath(toKey(key)), { force: true });
    },

    async read(key, range) {
      const k = toKey(key);
      checkRange(range);
      // Open first, so a missing object rejects here instead of erroring the stream after the caller has
      // started answering.
      let handle: FileHandle;
      try {
        handle = await open(objectPath(k), 'r');
      } catch (err) {
        if (isMissing(err)) throw new MediaObjectMissingError(k);
        throw err;
      }
      return handle.createReadStream({ start: range?.start, end: range?.end });
    },
  };
}
