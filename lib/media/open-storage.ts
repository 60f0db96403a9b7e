import path from 'node:path';
import type { Env } from '@/lib/env';
import { parseS3Url, s3Storage } from './s3-storage';
import { fileStorage, type MediaStorage } from './storage';

/** The media store the settings name: a bucket (MEDIA_STORE_URL=s3://...) or the local directory. */
export function openMediaStorage(
  env: Pick<
    Env,
    | 'DATA_DIR'
    | 'MEDIA_DIR'
    | 'MEDIA_STORE_URL'
    | 'MEDIA_S3_ENDPOINT'
    | 'MEDIA_S3_REGION'
    | 'MEDIA_S3_ACCESS_KEY_ID'
    | 'MEDIA_S3_SECRET_ACCESS_KEY'
    | 'MEDIA_S3_FORCE_PATH_STYLE'
  >,
): MediaStorage {
  const localDir = env.MEDIA_DIR ?? path.join(env.DATA_DIR, 'media');
  if (!env.MEDIA_STORE_URL) return fileStorage(localDir);
  const bucket = parseS3Url(env.MEDIA_STORE_URL);
  // The env schema checked the shape already; this is for callers that build their settings by hand.
  if (!bucket) throw new Error('MEDIA_STORE_URL must be s3://bucket or s3://bucket/prefix');
  const id = env.MEDIA_S3_ACCESS_KEY_ID;
  const secret = env.MEDIA_S3_SECRET_ACCESS_KEY;
  return s3Storage({
    ...bucket,
    endpoint: env.MEDIA_S3_ENDPOINT,
    region: env.MEDIA_S3_REGION,
    credentials: id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined,
    forcePathStyle: env.MEDIA_S3_FORCE_PATH_STYLE ?? env.MEDIA_S3_ENDPOINT !== undefined,
    tmpDir: path.join(localDir, 'tmp'),
  });
}
