import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// A local stand-in for the Graph API's media endpoints (lookup by id, then the short-lived file URL),
// with the ways the real one misbehaves: expired URLs, slow or stalled bodies, connections cut midway.

export interface FakeMedia {
  id: string;
  /** A Buffer, or a factory for a fresh stream each time (large bodies; sent chunked, without Content-Length). */
  body: Buffer | (() => NodeJS.ReadableStream);
  mimeType: string;
  /** Override to lie; default: hex SHA-256 of the body. */
  sha256?: string;
  /** Override to lie; default: the body's length. */
  fileSize?: number;
  behaviour?: 'ok' | 'expired-url' | 'slow' | 'hang' | 'drop-midway';
  /** The file URL's origin in the lookup's answer (another host, to be refused); default: this server's. */
  fileOrigin?: string;
  /** The file URL answers 302 to this (relative to the file URL) instead of the bytes. */
  redirectTo?: string;
}

export interface FakeGraph {
  /** Base URL, e.g. http://127.0.0.1:12345 */
  url: string;
  add(m: FakeMedia): void;
  /** Every request as received: the raw path (still percent-encoded) and the Authorization header. */
  requests: { path: string; auth: string | null }[];
  close(): Promise<void>;
}

interface Facts {
  sha256: string;
  size: number;
}

export async function startFakeGraph(options: { token: string; version?: string }): Promise<FakeGraph> {
  const version = options.version ?? 'v21.0';
  const media = new Map<string, FakeMedia>();
  const facts = new Map<string, Promise<Facts>>();
  const requests: FakeGraph['requests'] = [];
  let base = '';

  // The real hash and size of a body; a stream body is read through once, on first lookup.
  const factsOf = (m: FakeMedia): Promise<Facts> => {
    let f = facts.get(m.id);
    if (!f) {
      f = (async () => {
        if (Buffer.isBuffer(m.body)) return { sha256: sha256Hex(m.body), size: m.body.length };
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of m.body() as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
        }
        return { sha256: hash.digest('hex'), size };
      })();
      facts.set(m.id, f);
    }
    return f;
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: http.ServerResponse) =>
    json(res, 404, {
      error: { message: 'Unsupported get request. Object does not exist', type: 'GraphMethodException', code: 100 },
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const rawPath = req.url ?? '/';
    const auth = req.headers.authorization ?? null;
    requests.push({ path: rawPath, auth });
    if (auth !== `Bearer ${options.token}`) {
      return json(res, 401, {
        error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 },
      });
    }
    const segments = rawPath.split('?')[0]!.split('/').slice(1);
    if (segments.length !== 2) return notFound(res);
    const [first, encodedId] = segments as [string, string];
    let id: string;
    try {
      id = decodeURIComponent(encodedId);
    } catch {
      return notFound(res);
    }
    const m = media.get(id);
    if (!m) return notFound(res);

    if (first === version) {
      // With both overridden, a stream body is not read here: a test can count what the download pulls.
      const f = m.sha256 !== undefined && m.fileSize !== undefined ? null : await factsOf(m);
      return json(res, 200, {
        url: `${m.fileOrigin ?? base}/files/${encodeURIComponent(id)}?sig=${randomBytes(8).toString('hex')}`,
        mime_type: m.mimeType,
        sha256: m.sha256 ?? f?.sha256,
        file_size: m.fileSize ?? f?.size,
        id,
        messaging_product: 'whatsapp',
      });
    }
    if (first !== 'files') return notFound(res);

    if (m.redirectTo !== undefined) {
      res.writeHead(302, { location: m.redirectTo });
      return res.end();
    }
    const behaviour = m.behaviour ?? 'ok';
    if (behaviour === 'expired-url') return json(res, 404, { error: { message: 'URL signature expired' } });
    const headers: http.OutgoingHttpHeaders = { 'content-type': m.mimeType };
    if (Buffer.isBuffer(m.body)) headers['content-length'] = m.body.length;
    res.writeHead(200, headers);

    if (behaviour === 'ok') {
      const source = Buffer.isBuffer(m.body) ? Readable.from([m.body]) : m.body();
      return pipeline(source, res).catch(() => {});
    }
    if (behaviour === 'hang') {
      res.flushHeaders();
      return; // headers out, body never finishes; close() cuts it
    }
    const size = (await factsOf(m)).size;
    const half = Math.floor(size / 2);
    let sent = 0;
    for await (const chunk of (Buffer.isBuffer(m.body) ? [m.body] : m.body()) as AsyncIterable<Buffer>) {
      const pieces = behaviour === 'slow' ? split(chunk, 1024) : [chunk];
      for (let piece of pieces) {
        if (res.destroyed) return;
        if (behaviour === 'drop-midway' && sent + piece.length >= half) {
          piece = piece.subarray(0, half - sent);
          res.write(piece);
          await new Promise((r) => setTimeout(r, 20));
          req.socket.destroy();
          return;
        }
        res.write(piece);
        sent += piece.length;
        if (behaviour === 'slow') await new Promise((r) => setTimeout(r, 20));
      }
    }
    res.end();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    add(m) {
      media.set(m.id, m);
      facts.delete(m.id);
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function split(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}
