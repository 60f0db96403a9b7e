import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUpload } from '@/db/queries/uploads';
import type { PostUploadResponse } from '@/lib/contracts/uploads';
import { fileStorage } from '@/lib/media/storage';
import { postUpload, type UploadsApiDeps } from '@/lib/uploads/uploads-api';
import { sha256Hex } from '@/tools/fake-graph';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';

// POST /api/uploads on both databases: a file WhatsApp takes is streamed into media storage under its
// SHA-256 and recorded; its kind comes from its type unless given; a type or size WhatsApp refuses is a 400
// saying why (nothing stored); a body without a file, or not multipart, is refused plainly.

const API_KEY = 'uploads-test-key-0123456789';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2000, 7)]);

describe.each(dbKinds)('uploads on %s', (kind) => {
  let testDb: TestDatabase;
  let deps: UploadsApiDeps;
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticks-uploads-'));
  const storage = fileStorage(mediaDir);

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    deps = { db: testDb.database.db, apiKey: API_KEY, storage };
  });
  afterAll(async () => {
    await testDb?.drop();
    fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  const upload = (form: FormData | string, headers: Record<string, string> = {}) =>
    postUpload(
      new Request('http://ticks.test/api/uploads', {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, ...headers },
        body: form,
      }),
      deps,
    );
  const formWith = (bytes: Buffer, type: string, name = 'photo.png', extra: Record<string, string> = {}, kindFirst = true) => {
    const form = new FormData();
    if (kindFirst) for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
    if (!kindFirst) for (const [k, v] of Object.entries(extra)) form.append(k, v);
    return form;
  };
  const scratchFiles = () => (fs.existsSync(path.join(mediaDir, 'tmp')) ? fs.readdirSync(path.join(mediaDir, 'tmp')) : []);

  it('stores an accepted file under its SHA-256 and records it, its kind from its type', async () => {
    const res = await upload(formWith(PNG, 'image/png', 'C:\\fakepath\\photo.png'));
    expect(res.status).toBe(201);
    const answer = (await res.json()) as PostUploadResponse;
    expect(answer).toEqual({ id: expect.any(String), kind: 'image', mimeType: 'image/png', filename: 'photo.png', size: PNG.length });
    const row = await getUpload(deps.db, answer.id);
    expect(row).toMatchObject({
      kind: 'image',
      mimeType: 'image/png',
      size: PNG.length,
      storageKey: sha256Hex(PNG),
      createdByApiKeyId: null,
    });
    const stored = await storage.read(row!.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of stored) chunks.push(Buffer.from(chunk as Buffer));
    expect(Buffer.concat(chunks).equals(PNG)).toBe(true);
    expect(scratchFiles()).toEqual([]);
  });

  it('takes the kind given, before or after the file', async () => {
    const pdf = Buffer.from('%PDF-1.4 a small document');
    for (const kindFirst of [true, false]) {
      const res = await upload(formWith(pdf, 'application/pdf', 'offer.pdf', { kind: 'document' }, kindFirst));
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ kind: 'document', mimeType: 'application/pdf', filename: 'offer.pdf' });
    }
    const voice = await upload(formWith(Buffer.alloc(500, 1), 'audio/ogg; codecs=opus', 'voice.ogg'));
    expect(await voice.json()).toMatchObject({ kind: 'audio', mimeType: 'audio/ogg; codecs=opus' });
    // A PNG sent as a document is refused: documents are PDFs, text and Office files.
    const asDocument = await upload(formWith(PNG, 'image/png', 'photo.png', { kind: 'document' }, false));
    expect(asDocument.status).toBe(400);
    expect(await asDocument.json()).toMatchObject({ error: { message: expect.stringContaining('image/png as a document') } });
  });

  it('refuses a type or size WhatsApp would refuse, saying why, and keeps nothing', async () => {
    const before = await countUploads();
    const gif = await upload(formWith(Buffer.from('GIF89a....'), 'image/gif', 'funny.gif'));
    expect(gif.status).toBe(400);
    expect(await gif.json()).toEqual({
      error: { code: 'invalid_request', message: expect.stringContaining('WhatsApp does not accept image/gif') },
    });
    // 5 MB is the most for an image: found out after reading it when no kind was given …
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
    const tooLarge = await upload(formWith(big, 'image/jpeg', 'big.jpg'));
    expect(tooLarge.status).toBe(400);
    expect(((await tooLarge.json()) as { error: { message: string } }).error.message).toMatch(/WhatsApp takes an image up to 5 MB/);
    // … and while reading it when the kind came first.
    const capped = await upload(formWith(big, 'image/jpeg', 'big.jpg', { kind: 'image' }));
    expect(capped.status).toBe(400);
    expect(((await capped.json()) as { error: { message: string } }).error.message).toMatch(/larger than 5 MB/);
    const empty = await upload(formWith(Buffer.alloc(0), 'image/png'));
    expect(await empty.json()).toMatchObject({ error: { message: 'The file is empty.' } });
    expect(await countUploads()).toBe(before);
    expect(scratchFiles()).toEqual([]);
  });

  it('a missing file, an unknown kind or a body that is not multipart: 400 / 415', async () => {
    const noFile = new FormData();
    noFile.append('kind', 'image');
    const missing = await upload(noFile);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { message: expect.stringContaining('No file') } });
    const badKind = await upload(formWith(PNG, 'image/png', 'photo.png', { kind: 'gif' }));
    expect(badKind.status).toBe(400);
    expect(await badKind.json()).toMatchObject({ error: { message: expect.stringContaining('kind must be one of') } });
    const json = await upload(JSON.stringify({ file: 'x' }), { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    // Cut off before its closing boundary.
    const truncated = await upload(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc',
      {
        'content-type': 'multipart/form-data; boundary=b',
      },
    );
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toMatchObject({ error: { message: 'The upload ended early.' } });
    expect(scratchFiles()).toEqual([]);
  });

  async function countUploads() {
    const { count } = await import('../helpers/pipeline');
    return count(testDb.database, 'uploads');
  }
});
