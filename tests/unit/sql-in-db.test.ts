import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// SQL lives in db/ (queries/ for reads and small writes, writes/ for the webhook store's set-based
// statements); lib/ and app/ call those functions and keep the orchestration. This scan keeps it so:
// no query builder, table, raw statement or driver outside db/.

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['lib', 'app'];

const RULES: { reason: string; pattern: RegExp }[] = [
  { reason: 'imports drizzle-orm (query helpers belong in db/)', pattern: /from\s+['"]drizzle-orm(\/[^'"]*)?['"]/ },
  { reason: 'imports db/schema tables (query them in db/queries or db/writes)', pattern: /from\s+['"](@\/db|(\.\.\/)+db)\/schema['"]/ },
  {
    reason: 'imports raw SQL helpers from db/client',
    pattern: /import\s*(type\s*)?\{[^}]*\b(sql|queryRows|jsonb)\b[^}]*\}\s*from\s+['"](@\/db|(\.\.\/)+db)\/client['"]/,
  },
  { reason: 'imports a database driver', pattern: /from\s+['"](postgres|@electric-sql\/pglite[^'"]*|better-auth\/adapters\/[^'"]*)['"]/ },
  { reason: 'writes a sql`` template', pattern: /\bsql(\.raw)?\s*(`|\()/ },
  { reason: 'runs a statement (.execute)', pattern: /\.execute\s*\(/ },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** `file:line: reason` for every line breaking a rule. */
function sqlOutsideDb(file: string, source: string): string[] {
  // Imports may span lines: test each statement as one line, reported at its first line.
  const found: string[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i]!;
    if (/^\s*import\b/.test(text) && !/from\s+['"]|^\s*import\s+['"]/.test(text)) {
      for (let j = i + 1; j < lines.length && !/from\s+['"]/.test(text); j++) text += ` ${lines[j]}`;
    }
    for (const rule of RULES) if (rule.pattern.test(text)) found.push(`${file}:${i + 1}: ${rule.reason}`);
  }
  return found;
}

describe('SQL stays in db/', () => {
  const files = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir)));

  it('scans the sources of lib/ and app/', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('finds no query builder, table, statement or driver in lib/ or app/', () => {
    const found = files.flatMap((file) => sqlOutsideDb(path.relative(ROOT, file), fs.readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });

  it('catches each kind of SQL it is meant to', () => {
    const samples = [
      `import { eq } from 'drizzle-orm';`,
      `import type { SQL } from 'drizzle-orm/pg-core';`,
      `import { users } from '@/db/schema';`,
      `import {\n  queryRows,\n  type Db,\n} from '@/db/client';`,
      `import postgres from 'postgres';`,
      'await tx.execute(sql`select 1`);',
    ];
    for (const sample of samples) expect(sqlOutsideDb('x.ts', sample), sample).not.toEqual([]);
    // Types and the functions of db/queries are what lib/ is meant to use.
    expect(
      sqlOutsideDb('x.ts', `import type { Db, Executor } from '@/db/client';\nimport { listUsers } from '@/db/queries/users';`),
    ).toEqual([]);
  });
});
