// A fake Graph API in its own process, serving N generated media files (for `npm run bench:media`, so the
// benchmark measures the downloader, not the fake server sharing its process) and taking sends, uploads
// and template lists like the in-process one (tools/fake-graph.ts), each send answered after
// --send-delay-ms (Meta's latency, for a send benchmark). Script it and read what it received over HTTP
// with connectFakeGraph(url). Prints one JSON line {"url": ...} when listening; stops on SIGTERM.
//
//   tsx scripts/fake-graph-server.ts --token T --files 200 --min-mb 1 --max-mb 5
//   tsx scripts/fake-graph-server.ts --token T --files 0 --send-delay-ms 50

import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { startFakeGraph } from '../tools/fake-graph';

const { values } = parseArgs({
  options: {
    token: { type: 'string' },
    version: { type: 'string' },
    files: { type: 'string' },
    'min-mb': { type: 'string' },
    'max-mb': { type: 'string' },
    'send-delay-ms': { type: 'string' },
  },
});
const files = Number(values.files ?? 200);
const min = Number(values['min-mb'] ?? 1) * 1024 * 1024;
const max = Number(values['max-mb'] ?? 5) * 1024 * 1024;
const CHUNK = 64 * 1024;

/** File i's size: spread evenly over min..max, the same on every run. */
export const sizeOf = (i: number) => min + Math.floor((((i * 7919) % 1000) / 1000) * (max - min));

/** File i's bytes, generated as they are sent (never held whole): distinct per file, so none is deduplicated. */
function bytesOf(i: number, size: number): () => NodeJS.ReadableStream {
  return () =>
    Readable.from(
      (function* () {
        for (let sent = 0, n = 0; sent < size; n++) {
          const chunk = Buffer.alloc(Math.min(CHUNK, size - sent), (i * 31 + n) & 0xff);
          chunk.writeUInt32BE(i, 0);
          sent += chunk.length;
          yield chunk;
        }
      })(),
    );
}

const graph = await startFakeGraph({
  token: values.token ?? 'bench-token',
  version: values.version ?? 'v23.0',
  sendDelayMs: Number(values['send-delay-ms'] ?? 0),
});
for (let i = 0; i < files; i++)
  graph.add({ id: `bench-media-${i}`, body: bytesOf(i, sizeOf(i)), mimeType: 'video/mp4', fileSize: sizeOf(i) });
console.log(
  JSON.stringify({ url: graph.url, files, bytes: Array.from({ length: files }, (_, i) => sizeOf(i)).reduce((a, b) => a + b, 0) }),
);
process.on('SIGTERM', () => void graph.close().finally(() => process.exit(0)));
