import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, type MultipartEvent, readMultipart } from '@/lib/uploads/multipart';

// The streaming multipart reader behind POST /api/uploads: the same parts whatever the chunking (a
// boundary split across chunks, one byte at a time), names as browsers write them, and refusals of
// truncated or malformed bodies.

async function encode(form: FormData): Promise<{ bytes: Buffer; boundary: string }> {
  const res = new Response(form);
  return { bytes: Buffer.from(await res.arrayBuffer()), boundary: boundaryOf(res.headers.get('content-type'))! };
}

async function* chunked(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parts(body: AsyncIterable<Uint8Array>, boundary: string) {
  const out: { name: string; filename: string | null; contentType: string | null; bytes: Buffer }[] = [];
  let current: (typeof out)[number] | null = null;
  for await (const event of readMultipart(body, boundary) as AsyncGenerator<MultipartEvent>) {
    if (event.type === 'part') current = { ...event, bytes: Buffer.alloc(0) };
    else if (event.type === 'data') current!.bytes = Buffer.concat([current!.bytes, event.chunk]);
    else out.push(current!);
  }
  return out;
}

describe('readMultipart', () => {
  const file = Buffer.concat([Buffer.from('\r\n--not-the-boundary\r\n'), Buffer.alloc(3000, 0x2d), Buffer.from('\r\n-')]);

  it.each([1, 7, 64, 4096, 1 << 20])('reads the same parts in chunks of %i bytes', async (size) => {
    const form = new FormData();
    form.append('kind', 'document');
    form.append('file', new Blob([file], { type: 'text/plain' }), 'notes "v2".txt');
    const { bytes, boundary } = await encode(form);
    const read = await parts(chunked(bytes, size), boundary);
    expect(read.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['kind', null, null],
      ['file', 'notes "v2".txt', 'text/plain'],
    ]);
    expect(read[0]!.bytes.toString()).toBe('document');
    expect(read[1]!.bytes.equals(file)).toBe(true);
  });

  it('refuses a body cut off before its closing boundary, or without any', async () => {
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    const { bytes, boundary } = await encode(form);
    await expect(parts(chunked(bytes.subarray(0, bytes.length - 10), 16), boundary)).rejects.toThrow(MultipartError);
    await expect(parts(chunked(Buffer.from('just some text'), 4), boundary)).rejects.toThrow('no multipart boundary');
  });

  it('finds the boundary in a Content-Type', () => {
    expect(boundaryOf('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(boundaryOf('application/json')).toBeNull();
    expect(boundaryOf('multipart/form-data')).toBeNull();
    expect(boundaryOf(null)).toBeNull();
  });
});
