import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { dropStaleTestDatabases } from './stale-databases';

// Integration tests run against PGlite always, and against PostgreSQL at TEST_DATABASE_URL
// (default: the local server on 127.0.0.1:5432). CI sets TEST_DATABASE_URL, and then it must answer.
export default async function setup(project: TestProject) {
  const explicit = process.env.TEST_DATABASE_URL;
  const url = explicit || 'postgres://postgres@127.0.0.1:5432/test';
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    project.provide('pgUrl', url);
    await dropStaleTestDatabases(sql).catch((err) => console.warn(`could not drop stale test databases: ${String(err)}`));
  } catch (err) {
    if (explicit) throw new Error(`TEST_DATABASE_URL (${url}) does not answer: ${String(err)}`);
    console.warn(`\n⚠ No PostgreSQL at ${url}: PostgreSQL integration tests are skipped (PGlite ones still run).\n`);
    project.provide('pgUrl', '');
  } finally {
    await sql.end({ timeout: 1 });
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
