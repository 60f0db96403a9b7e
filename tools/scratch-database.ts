// What the database benchmarks (bench:list, bench:analytics) share: a scratch PostgreSQL database that is
// created fresh, migrated and dropped afterwards; the business numbers they seed; and how a query is timed.

import postgres from 'postgres';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';

/** phone_number_id, display number, share of the seeded traffic (%). */
export const BENCH_BUSINESS_NUMBERS = [
  ['106540352242922', '15551234567', 45],
  ['106540352243011', '5215598765432', 30],
  ['106540352243125', '447700900456', 15],
  ['106540352243377', '4930901820555', 10],
] as const;

/** Masks hashint8extended() to a non-negative bigint, for deterministic pseudo-random seeding in SQL. */
export const MAX_BIGINT = '9223372036854775807';

/** The URL of database `name` on the server at `adminUrl`. */
export function scratchDatabaseUrl(adminUrl: string, name: string): URL {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url;
}

/**
 * Runs `work` on a fresh, migrated database `name` on the server at `adminUrl`, then drops it
 * (or keeps it and prints its URL, for EXPLAIN ANALYZE). `reuse`: the database a kept run left, migrated
 * to the latest schema and kept again; `work` is told whether it is fresh.
 */
export async function withScratchDatabase(
  options: { script: string; adminUrl: string; name: string; keep: boolean; poolMax: number; reuse?: boolean },
  work: (database: Database, fresh: boolean) => Promise<void>,
): Promise<void> {
  const admin = postgres(options.adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (err) {
    await admin.end({ timeout: 1 });
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${options.script} needs PostgreSQL: ${options.adminUrl} does not answer (${why}). Set DATABASE_URL.`);
  }
  const url = scratchDatabaseUrl(options.adminUrl, options.name);
  const [kept] = await admin`select 1 from pg_database where datname = ${options.name}`;
  const fresh = !(options.reuse === true && kept !== undefined);
  if (fresh) {
    await admin.unsafe(`drop database if exists ${options.name} with (force)`);
    await admin.unsafe(`create database ${options.name}`);
  }
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: url.toString(), poolMax: options.poolMax });
    await migrateDatabase(database);
    await work(database, fresh);
  } finally {
    await database?.close();
    if (options.keep || options.reuse) console.log(`\nkept: ${url.toString()}`);
    else await admin.unsafe(`drop database if exists ${options.name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** p50/p95 of `runs` timed calls after 3 warm-up calls, and what the last call returned. */
export async function timeQuery<T>(run: () => Promise<T>, runs: number): Promise<{ p50: number; p95: number; last: T }> {
  let last = await run();
  for (let i = 0; i < 2; i++) last = await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    last = await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), last };
}
