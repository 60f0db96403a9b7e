import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error: s3rver ships no types; what is used here is its documented constructor, run() and close().
import S3rver from 's3rver';

// A real S3-protocol server on loopback (s3rver, from npm), for the tests of the S3 media store: objects on
// a temporary directory, one bucket made up front, s3rver's fixed test credentials.

export interface RunningS3Server {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'ticks-media'): Promise<RunningS3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = (await server.run()) as { address: string; port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
