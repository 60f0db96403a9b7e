import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// What the browser bundles must stay client-safe: every module marked 'use client', and everything it
// imports however deep, never reaches the database (db/), Node's own modules, the process-wide app or
// its environment and log. The server side is marked by lib/app.ts's `import 'server-only'`; this
// checks the other direction by machine, so a client component cannot drag in SQL by an innocent import.

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER_ONLY = /^(node:|server-only$|postgres$|@electric-sql\/pglite|drizzle-orm|pino$|prom-client$|better-auth$)/;
const SERVER_FILES = /^(db\/|lib\/app\.ts$|lib\/env\.ts$|lib\/log\.ts$|lib\/http\/serve\.ts$|lib\/auth\/auth\.ts$)/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

/** The modules a file loads at run time (type-only imports are erased by the compiler). */
function runtimeImports(file: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const found = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm),
    ...source.matchAll(/import\('([^']+)'\)/g),
  ];
  return found.map((m) => m[1]!);
}

/** A repo file for an import, or null for a package. */
function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.join(path.dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    const full = path.join(ROOT, candidate);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return path.normalize(candidate);
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

const clientModules = [...sourceFiles('app'), ...sourceFiles('lib')].filter((file) =>
  /^\s*['"]use client['"]/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')),
);

describe('client modules', () => {
  it('there are some (the check below is not vacuous)', () => {
    expect(clientModules.length).toBeGreaterThan(10);
  });

  it.each(clientModules)('%s reaches no server-only module, however deep', (entry) => {
    const seen = new Set<string>();
    const offences: string[] = [];
    const visit = (file: string, via: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      if (SERVER_FILES.test(file)) {
        offences.push([...via, file].join(' → '));
        return;
      }
      for (const specifier of runtimeImports(file)) {
        if (SERVER_ONLY.test(specifier)) offences.push([...via, file, specifier].join(' → '));
        const target = resolve(file, specifier);
        if (target) visit(target, [...via, file]);
      }
    };
    visit(entry, []);
    expect(offences).toEqual([]);
  });
});
