import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { checkRange, localScratch, MediaObjectMissingError, type MediaStorage, toKey } from './storage';

// Media in an S3-compatible bucket (AWS S3, MinIO, R2, ...), shared by every node: what one node downloads,
// another serves, with Range. Objects are named by their SHA-256 under the prefix, written once and never
// changed; scratch files stay on the node's own disk until they are whole and hashed.

export interface S3StorageOptions {
  /** From MEDIA_STORE_URL=s3://bucket/prefix. */
  bucket: string;
  prefix: string;
  /** A non-AWS endpoint (MinIO, R2, a test server); unset: AWS for the region. */
  endpoint?: string;
  region: string;
  /** Unset: the SDK's own chain (AWS_ACCESS_KEY_ID..., instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** bucket in the path rather than the host name: what most S3-compatible servers expect. */
  forcePathStyle: boolean;
  /** This node's scratch directory. */
  tmpDir: string;
}

/** s3://bucket/some/prefix → { bucket, prefix: 'some/prefix/' }; null for anything else. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) return null;
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : '' };
}

const isNotFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);

export function s3Storage(options: S3StorageOptions): MediaStorage {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // Objects are written once and read by range: the SDK's checksums of whole bodies would be computed
    // and checked for nothing (and some S3-compatible servers do not speak them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const objectKey = (key: string) => `${options.prefix}${key.slice(0, 2)}/${key}`;

  async function head(key: string): Promise<{ size: number } | null> {
    try {
      const answer = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
      return { size: answer.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  return {
    ...localScratch(options.tmpDir),

    async put(tempPath, sha256Hex) {
      try {
        const key = toKey(sha256Hex);
        // Content-addressed: bytes already stored are the same bytes.
        if (!(await head(key))) {
          const { size } = await stat(tempPath);
          await client.send(
            new PutObjectCommand({
              Bucket: options.bucket,
              Key: objectKey(key),
              Body: createReadStream(tempPath),
              ContentLength: size,
              ContentType: 'application/octet-stream',
            }),
          );
        }
        return key;
      } finally {
        // Stored or failed, the temp file is consumed: the caller has nothing to clean up.
        await rm(tempPath, { force: true }).catch(() => {});
      }
    },

    stat: (key) => head(toKey(key)),

    async remove(key) {
      // S3 answers a delete of a missing object with success too.
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(toKey(key)) }));
    },

    async read(key, range) {
      const k = toKey(key);
      checkRange(range);
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket: options.bucket,
            Key: objectKey(k),
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
        return answer.Body as Readable;
      } catch (err) {
        if (isNotFound(err)) throw new MediaObjectMissingError(k);
        throw err;
      }
    },
  };
}
