import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The inbox renders a message from its typed `content` (lib/whatsapp/message-types), never from Meta's
// raw item: Meta's format is parsed once, at ingest. This scan keeps it so for the browser side.

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['app', 'lib/inbox'];

/** Server code that serves `raw` to integrators (the read API and its routes): passing it on is its job. */
const SERVES_RAW = [/^app\/api\//, /^lib\/inbox\/read-api\.ts$/];

/** Reading a `raw` field: `m.raw`, `m?.raw`, `m['raw']`, or destructuring `{ raw }` / `{ raw: x }`. */
const READS_RAW = /(\?)?\.raw\b|\[\s*['"`]raw['"`]\s*\]|\{[^}]*\braw\b[^}]*\}\s*(=|:\s*ApiMessage)|\(\s*\{[^}]*\braw\b[^}]*\}\s*\)/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

function rawReads(file: string, source: string): string[] {
  return source.split('\n').flatMap((line, i) => (READS_RAW.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('the inbox renders content, never raw', () => {
  const files = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
    .map((file) => path.relative(ROOT, file))
    .filter((file) => !SERVES_RAW.some((pattern) => pattern.test(file)));

  it('scans the pages, components and the view model', () => {
    expect(files).toContain('lib/inbox/message-view.ts');
    expect(files).toContain('app/_components/message-bubble.tsx');
    expect(files.length).toBeGreaterThan(30);
  });

  it('finds no read of raw in app/ or lib/inbox/', () => {
    expect(files.flatMap((file) => rawReads(file, fs.readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('catches each way of reading it', () => {
    for (const sample of ['const x = m.raw;', 'field(m?.raw, "text")', "m['raw']", 'const { raw } = m;', 'function f({ raw, text }) {}']) {
      expect(rawReads('x.ts', sample), sample).not.toEqual([]);
    }
    for (const sample of ['const rawBody = event.rawBody;', '// the raw body, pretty-printed', 'drawRaw()']) {
      expect(rawReads('x.ts', sample), sample).toEqual([]);
    }
  });
});
