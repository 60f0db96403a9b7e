// A streaming reader of multipart/form-data bodies (RFC 7578): parts come out as events — a part's headers,
// its bytes in chunks as they arrive, its end — so a 100 MB file goes to disk without being held in memory
// (Request.formData() reads the whole body first). Only what an upload form sends is understood: a
// boundary, Content-Disposition with name and filename, Content-Type. No I/O of its own.
// Why not busboy: it hands over a part's type without its parameters ("audio/ogg; codecs=opus" arrives as
// "audio/ogg"), and the codec is what tells WhatsApp a voice note from any ogg file. (Tried; the upload tests
// caught it.)

export type MultipartEvent =
  | { type: 'part'; name: string; filename: string | null; contentType: string | null }
  | { type: 'data'; chunk: Uint8Array }
  | { type: 'end' };

/** A body that is not the multipart it claims to be: a 400 for the sender. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartLimits {
  /** Bytes of one part's header block. */
  maxHeaderBytes?: number;
  /** Parts in one body. */
  maxParts?: number;
  /** Bytes before the first boundary (clients send none). */
  maxPreambleBytes?: number;
}

/** The boundary of a `multipart/form-data; boundary=…` Content-Type, or null when it is not one. PURE. */
export function boundaryOf(contentType: string | null): string | null {
  if (contentType === null || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]!) : null;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Reads a multipart body: for each part, `part` (its name, filename and type), then its bytes as `data`
 * chunks (never empty), then `end`. Rejects with MultipartError on a malformed or truncated body.
 */
export async function* readMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  { maxHeaderBytes = 16 * 1024, maxParts = 16, maxPreambleBytes = 1024 }: MultipartLimits = {},
): AsyncGenerator<MultipartEvent> {
  // Every boundary but the first follows a CRLF; starting the stream with one makes the first alike.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buffer: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  let parts = 0;
  let preamble = 0;

  const input = body[Symbol.asyncIterator]();
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await input.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buffer = buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([buffer, next.value]);
    return true;
  };

  try {
    yield* parse();
    // Drain the epilogue so the connection can be reused.
    while (await more()) buffer = Buffer.alloc(0);
  } finally {
    // Stopped early (a refused file): let go of the rest of the body.
    if (!ended) await input.return?.().catch(() => {});
  }

  async function* parse(): AsyncGenerator<MultipartEvent> {
    while (state !== 'done') {
      if (state === 'preamble') {
        const at = buffer.indexOf(delimiter);
        if (at < 0) {
          const keep = Math.min(buffer.length, delimiter.length - 1);
          preamble += buffer.length - keep;
          if (preamble > maxPreambleBytes) throw new MultipartError('The body does not start with its multipart boundary.');
          buffer = buffer.subarray(buffer.length - keep);
          if (!(await more())) throw new MultipartError('The body has no multipart boundary.');
          continue;
        }
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-delimiter';
      } else if (state === 'after-delimiter') {
        if (buffer.length < 2) {
          if (!(await more())) throw new MultipartError('The upload ended early.');
          continue;
        }
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done'; // the closing boundary; whatever follows is epilogue
          continue;
        }
        // Transport padding (spaces or tabs) may follow a boundary before its CRLF.
        let i = 0;
        while (i < buffer.length && (buffer[i] === 0x20 || buffer[i] === 0x09)) i++;
        if (buffer.length < i + 2) {
          if (!(await more())) throw new MultipartError('The upload ended early.');
          continue;
        }
        if (buffer[i] !== 0x0d || buffer[i + 1] !== 0x0a) throw new MultipartError('A multipart boundary is not followed by a line break.');
        buffer = buffer.subarray(i + 2);
        state = 'headers';
      } else if (state === 'headers') {
        // A part without headers starts with the blank line at once.
        const at = buffer.subarray(0, 2).equals(CRLF) ? -2 : buffer.indexOf(HEADER_END);
        if (at === -1) {
          if (buffer.length > maxHeaderBytes) throw new MultipartError("A part's headers are too long.");
          if (!(await more())) throw new MultipartError('The upload ended early.');
          continue;
        }
        if (++parts > maxParts) throw new MultipartError('The body has too many parts.');
        const headerText = at === -2 ? '' : buffer.subarray(0, at).toString('utf8');
        buffer = buffer.subarray(at === -2 ? 2 : at + HEADER_END.length);
        yield { type: 'part', ...parsePartHeaders(headerText) };
        state = 'body';
      } else {
        const at = buffer.indexOf(delimiter);
        if (at >= 0) {
          if (at > 0) yield { type: 'data', chunk: buffer.subarray(0, at) };
          buffer = buffer.subarray(at + delimiter.length);
          yield { type: 'end' };
          state = 'after-delimiter';
          continue;
        }
        // Keep what could be the start of a delimiter split across chunks.
        const safe = buffer.length - (delimiter.length - 1);
        if (safe > 0) {
          yield { type: 'data', chunk: buffer.subarray(0, safe) };
          buffer = buffer.subarray(safe);
        }
        if (!(await more())) throw new MultipartError('The upload ended early.');
      }
    }
  }
}

/** A part's name, filename and type from its header block. PURE. */
export function parsePartHeaders(text: string): { name: string; filename: string | null; contentType: string | null } {
  let disposition: string | null = null;
  let contentType: string | null = null;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value || null;
  }
  if (disposition === null || !/^form-data\b/i.test(disposition)) throw new MultipartError('A part has no Content-Disposition: form-data.');
  const params = dispositionParams(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('A part has no name.');
  return { name, filename: params.get('filename') ?? null, contentType };
}

/**
 * `form-data; name="file"; filename="a.png"` → name, filename. Browsers write `"`, CR and LF in a name as
 * %22, %0D and %0A (WHATWG's multipart/form-data encoding) and nothing else escaped: a backslash is a
 * character of the name.
 */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const key = match[1]!.toLowerCase();
    const raw = match[2] !== undefined ? match[2].replace(/%22/gi, '"').replace(/%0[ad]/gi, '') : match[3]!.trim();
    if (!params.has(key)) params.set(key, raw);
  }
  return params;
}
