import http from 'node:http';
import https from 'node:https';

// One small request and its whole answer over node:http(s), on kept-alive connections: how the Graph client
// sends messages, read receipts and typing (lib/whatsapp/graph-api.ts). fetch costs about three times the
// CPU per call (a Request, web streams, an AbortSignal and their transfer machinery each time), and the
// sender makes one call per message: measured on 2 cores, 440 → 60 µs of CPU per call (2026-12-04; in
// bench:send's sender thread undici was 13% of its time). Streams (media) and uploads stay with fetch.

/** Idle connections are closed after this long (undici's default too): before Meta's own idle limit. */
const IDLE_MS = 4_000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Read at most this much of the answer's body. */
  maxBytes: number;
}

export interface ExchangeAnswer {
  status: number;
  /** The body as text, cut at `maxBytes`. */
  text: string;
}

/**
 * Failed, and when: `before_connected` (name resolution, refused, the TLS handshake: not a byte of the
 * request went out), `sent` (the request may have been read, no answer came), or `answering` (the status
 * came, the body was cut off). The original error is the cause.
 */
export class ExchangeError extends Error {
  constructor(
    readonly phase: 'before_connected' | 'sent' | 'answering',
    readonly status: number | null,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ExchangeError';
  }
}

/**
 * Sends `body` to `url` and resolves with the status and the body (at most `maxBytes` of it). Rejects with
 * ExchangeError, an abort by `signal` included (its phase says whether the connection was up).
 */
export function exchange(url: URL, { method, headers, body, signal, maxBytes }: ExchangeRequest): Promise<ExchangeAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    let req: http.ClientRequest;
    try {
      req = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        headers: payload === undefined ? headers : { ...headers, 'content-length': String(payload.byteLength) },
        signal,
      });
    } catch (err) {
      // Refused before anything was written (an invalid header).
      reject(new ExchangeError('before_connected', null, err));
      return;
    }
    // The request is written once the connection is up: a kept-alive one at once, a new one after its TCP
    // connect (and TLS handshake). Until then nothing can have reached the server.
    let connected = false;
    req.on('socket', (socket) => {
      if (req.reusedSocket || !socket.connecting) connected = true;
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    req.on('error', (err) => reject(new ExchangeError(connected ? 'sent' : 'before_connected', null, err)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk);
        size += chunk.byteLength;
      });
      res.on('error', (err) => reject(new ExchangeError('answering', status, err)));
      // Closed before its end (the connection lost mid-body): settled here if no error came first.
      res.on('close', () => {
        if (!res.complete) reject(new ExchangeError('answering', status, new Error('the answer was cut off')));
      });
      res.on('end', () => {
        resolve({ status, text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8') });
      });
    });
    req.end(payload);
  });
}
