import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql, type AnyColumn, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { isProcessAlive } from '../lib/process-alive';
import * as schema from './schema';

// The ONE place that picks the driver: postgres.js when a URL is given, embedded PGlite otherwise.

/** The database: a postgres.js pool or the embedded PGlite, behind one drizzle type. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** What `db.transaction` hands its callback. */
export type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];
/**
 * What every query function in db/queries and db/writes takes: the database, or a transaction on it
 * (drizzle's PgTransaction extends PgDatabase, so both drivers' transactions fit without a cast).
 */
export type Executor = Db | Transaction;

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Db;
  /** Calls `onPayload` for every NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Runs `fn` while holding a PostgreSQL session advisory lock (one process at a time across instances). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on a database without the statement timeout (migrations). On PostgreSQL with a timeout
   * set: two connections of their own, closed after; otherwise this same database.
   */
  withoutStatementTimeout<T>(fn: (database: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; unset → PGlite. */
  url?: string;
  /**
   * A direct connection when `url` goes through a transaction-mode pooler (PgBouncer): LISTEN, session
   * advisory locks and migrations need one server connection for their whole session, which a pooler
   * only lends for a transaction. Unset: `url` is direct, and does all of it.
   */
  directUrl?: string;
  /** PGlite data directory; unset with no url → in memory (tests). */
  dataDir?: string;
  /**
   * In memory only: start from this dump of a PGlite data directory (PGlite's dumpDataDir) instead of a new
   * cluster, whose initdb is most of a PGlite's start (6 s against 1.6 s from a dump, on 2 busy cores). The
   * tests open theirs from a migrated database's dump (tests/helpers/global-setup.ts).
   */
  pgliteDump?: Blob;
  poolMax?: number;
  /** Seconds to wait for a PostgreSQL connection before failing. */
  connectTimeout?: number;
  /**
   * PostgreSQL cancels any statement on these connections that runs longer (SQLSTATE 57014), so one slow
   * search cannot hold a pooled connection. Unset or 0: no limit. PGlite accepts the setting but never
   * enforces it (no timer signals in WebAssembly), so it is not set there.
   */
  statementTimeoutMs?: number;
  /**
   * Let PostgreSQL keep a generic plan for a prepared statement once it costs no more than planning each
   * run (its default, plan_cache_mode = auto). Unset: every run is planned for its own values, which the
   * processor needs (generic plans of its batch statements made it 2-3× slower) and searches too (one
   * generic plan would serve a rare term as a common one). The outbox sender's pool sets it: its statements
   * all find rows by key, where planning was most of the work. A transaction can ask for it (genericPlansHere).
   */
  genericPlans?: boolean;
}

/** Extensions the migrations create (PGlite bundles them but loads only what is named here). */
const PGLITE_EXTENSIONS = { pg_trgm };

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir, options.pgliteDump);
}

function openPostgres(url: string, options: OpenOptions): Database {
  const timeoutMs = options.statementTimeoutMs ?? 0;
  const pooled = options.directUrl !== undefined;
  const client = postgres(url, {
    max: options.poolMax ?? 10,
    connect_timeout: options.connectTimeout ?? 5,
    idle_timeout: 60,
    onnotice: () => {},
    // A startup parameter: every connection of the pool has it from its first statement on. A pooler
    // refuses startup parameters it does not know (PgBouncer: "unsupported startup parameter"): there the
    // role's own setting applies (ALTER ROLE ... SET statement_timeout, see the README).
    // Named prepared statements live on one server connection; a transaction-mode pooler moves us between them.
    // Direct: each statement is planned for its own values (see preparing below), as it was unprepared.
    ...(pooled
      ? { prepare: false }
      : {
          connection: {
            ...(timeoutMs > 0 ? { statement_timeout: timeoutMs } : {}),
            plan_cache_mode: options.genericPlans ? 'auto' : 'force_custom_plan',
          },
        }),
  });
  // What needs a session of its own: LISTEN and session advisory locks (opened when first needed).
  let sessionClient: postgres.Sql | undefined;
  const session = () => {
    if (!pooled) return client;
    sessionClient ??= postgres(options.directUrl!, {
      max: 2,
      connect_timeout: options.connectTimeout ?? 5,
      idle_timeout: 60,
      onnotice: () => {},
    });
    return sessionClient;
  };
  const db = drizzlePostgres(pooled ? client : preparing(client), { schema }) as unknown as Db;
  const database: Database = {
    kind: 'postgres',
    db,
    async listen(channel, onPayload) {
      const sub = await session().listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async withAdvisoryLock(key, fn) {
      const conn = await session().reserve();
      try {
        await conn`select pg_advisory_lock(${key})`;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(${key})`;
        }
      } finally {
        conn.release();
      }
    },
    async withoutStatementTimeout(fn) {
      if (timeoutMs <= 0 && !pooled) return fn(database);
      // Two: withAdvisoryLock holds one while the work runs on the other. Straight to the server when
      // there is a pooler: migrations hold their lock for a whole session.
      const unbounded = openPostgres(options.directUrl ?? url, { ...options, directUrl: undefined, poolMax: 2, statementTimeoutMs: 0 });
      try {
        return await fn(unbounded);
      } finally {
        await unbounded.close();
      }
    },
    close: async () => {
      await client.end({ timeout: 5 });
      await sessionClient?.end({ timeout: 5 });
    },
  };
  return database;
}

/**
 * The pool, with every statement drizzle sends prepared (named, once per connection). drizzle sends them
 * all through postgres.js's `unsafe`, which prepares nothing: each statement with parameters then costs two
 * round trips (postgres.js asks for the parameter types, waits, then binds) and a parse. Prepared, the
 * second run of a statement on a connection is one round trip and no parse: under load those waits are
 * turns of a busy event loop (bench:send through the API: 107 → 134-166 posts/s).
 * Unless genericPlans, `plan_cache_mode = force_custom_plan` keeps every execution planned for its own
 * values, as before: PostgreSQL's generic plans made the processor 2-3× slower. Connections are recycled every 30-60 min
 * (postgres.js's max_lifetime), which bounds the statements each one keeps.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      switch (property) {
        case 'unsafe':
          return (query: string, params: unknown[] = [], options: object = {}) =>
            target.unsafe(query, params as postgres.ParameterOrJSON<never>[], { ...options, prepare: true });
        case 'begin':
          // The transaction's own sql, with the callback last (an options string may come first).
          return (...args: unknown[]) => {
            const fn = args.pop() as (tx: postgres.Sql) => unknown;
            return beginPipelined(target, typeof args[0] === 'string' ? args[0] : '', (tx) => fn(preparing(tx)));
          };
        case 'savepoint':
          return (...args: unknown[]) => {
            const fn = args.pop() as (tx: postgres.Sql) => unknown;
            const method = Reflect.get(target, property) as (...a: unknown[]) => unknown;
            return method.apply(target, [...args, (tx: postgres.Sql) => fn(preparing(tx))]);
          };
        default:
          return Reflect.get(target, property, receiver);
      }
    },
  });
}

/**
 * postgres.js's begin waits for BEGIN's answer before it runs the callback: a round trip of its own for
 * every transaction, and under load a turn of a busy event loop. Here BEGIN is sent, not awaited, and the
 * callback's first statements follow it in the same write; the connection runs them in order. BEGIN
 * fails only with its connection, and then so does everything after it. Savepoints as postgres.js makes
 * them (drizzle's nested transactions).
 */
async function beginPipelined(pool: postgres.Sql, options: string, fn: (tx: postgres.Sql) => unknown): Promise<unknown> {
  const connection = await pool.reserve();
  let savepoints = 0;
  let openSavepoints = 0;
  let committed = false;
  const tx: postgres.Sql = new Proxy(connection, {
    get(target, property, receiver) {
      if (property === COMMIT_NOW) {
        return async () => {
          if (openSavepoints > 0) throw new Error('commitNow inside a nested transaction');
          await afterStatementsIssued();
          committed = true;
          await target.unsafe('commit');
        };
      }
      if (property === 'unsafe' && committed) {
        // A statement after commitNow would run outside the transaction, in a transaction of its own.
        return () => {
          throw new Error('a statement after commitNow: commitNow goes beside the last statements only');
        };
      }
      if (property !== 'savepoint') return Reflect.get(target, property, receiver);
      return async (...args: unknown[]) => {
        const inner = args.pop() as (tx: postgres.Sql) => unknown;
        const name = `s${++savepoints}`;
        openSavepoints++;
        try {
          await target.unsafe(`savepoint ${name}`);
          try {
            const result = await inner(tx);
            await target.unsafe(`release savepoint ${name}`);
            return result;
          } catch (err) {
            await target.unsafe(`rollback to savepoint ${name}`);
            throw err;
          }
        } finally {
          openSavepoints--;
        }
      };
    },
  });
  try {
    const began = connection.unsafe(`begin ${options.replace(/[^a-z ]/gi, '')}`).execute();
    // Awaited below; a failure before then is not an unhandled one.
    began.catch(() => {});
    let result: unknown;
    try {
      result = await fn(tx);
    } finally {
      await began;
    }
    if (!committed) await connection.unsafe('commit');
    return result;
  } catch (err) {
    // After a commitNow whose batch failed, PostgreSQL has rolled back already (a COMMIT in a failed
    // transaction is a ROLLBACK), and this one only draws a notice.
    await connection.unsafe('rollback').catch(() => {});
    throw err;
  } finally {
    connection.release();
  }
}

async function openPglite(dataDir: string | undefined, dump: Blob | undefined): Promise<Database> {
  let releaseLock = () => {};
  let pg: PGlite;
  if (dataDir) {
    const dir = path.resolve(dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    releaseLock = lockDataDir(dir);
    try {
      pg = await PGlite.create(dir, { extensions: PGLITE_EXTENSIONS });
    } catch (err) {
      releaseLock();
      throw err;
    }
  } else {
    pg = await PGlite.create({ extensions: PGLITE_EXTENSIONS, ...(dump ? { loadDataDir: dump } : {}) });
  }
  const db = drizzlePglite(pg, { schema }) as unknown as Db;
  const database: Database = {
    kind: 'pglite',
    db,
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      return () => unlisten();
    },
    // One process owns a PGlite directory (see lockDataDir): nothing to coordinate with.
    withAdvisoryLock: (_key, fn) => fn(),
    withoutStatementTimeout: (fn) => fn(database),
    async close() {
      try {
        await pg.close();
      } finally {
        releaseLock();
      }
    },
  };
  return database;
}

/**
 * PGlite does not lock its directory: a second process opening it silently loses writes.
 * Hold a lock file with our pid; a lock whose pid is dead is stale and taken over.
 */
function lockDataDir(dir: string): () => void {
  const lockPath = path.join(dir, '..', 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {}
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockPath, 'utf8'));
      if (holder && holder !== process.pid && isProcessAlive(holder)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${holder}. ` +
            `Stop it, or give this process another DATA_DIR (or a DATABASE_URL).`,
        );
      }
      fs.unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Lifts the statement timeout (statementTimeoutMs above) until `tx` ends: for background work, not
 * requests. PGlite accepts the setting and has no timeout anyway.
 */
export async function liftStatementTimeout(tx: Transaction): Promise<void> {
  await tx.execute(sql`set local statement_timeout = 0`);
}

/**
 * A value as one jsonb parameter. Set-based writes send a whole batch of rows this way and unpack them
 * with jsonb_to_recordset, which behaves the same on postgres.js and PGlite.
 */
export const jsonb = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`;

/**
 * Keys as an array, from one jsonb parameter: `column = any(${keyArray(ids, 'bigint')})` is an index
 * condition in any plan, where `column in (select …)` or a join may be planned, on a young database without
 * statistics, as a scan of the whole table (and a prepared statement keeps that plan as the table grows).
 * One parameter, so the statement's text is the same whatever the list's length.
 */
export function keyArray(keys: readonly (string | number)[], type: 'text' | 'bigint' = 'text'): SQL {
  return type === 'bigint'
    ? sql`array(select jsonb_array_elements_text(${jsonb(keys)})::bigint)`
    : sql`array(select jsonb_array_elements_text(${jsonb(keys)}))`;
}

// Registered (Symbol.for): the pool is made by the instrumentation's copy of this module and a route's
// copy calls commitNow (lib/bundle-identity.ts). With a plain Symbol, commitNow did nothing in `next start`.
const COMMIT_NOW = Symbol.for('ticks.commitNow');

/**
 * Resolves once every promise chain running now has settled its synchronous steps: statements issued
 * beside the caller (drizzle takes a few microtasks to hand one to postgres.js) are queued on the connection
 * by then, while postgres.js has not written them yet (it writes on setImmediate). A tick queued from a
 * microtask runs when the microtask queue is empty; the microtask in between makes that hold when the
 * caller is not in one.
 */
const afterStatementsIssued = () => new Promise<void>((resolve) => process.nextTick(() => queueMicrotask(() => process.nextTick(resolve))));

/**
 * Starts each of `steps` (each one statement on a transaction) once the one before it is queued on the
 * connection, and resolves with all their results: sent in this order in one write, answered in one round
 * trip. With Promise.all alone they are queued in the order their builders finish (a prebuilt query is
 * quicker than a drizzle builder), and a read must follow the write it reads. A commitNow goes last.
 */
export async function inOrder<T extends unknown[]>(steps: [...{ [K in keyof T]: () => Promise<T[K]> }]): Promise<T> {
  const started: Promise<unknown>[] = [];
  for (const step of steps) {
    const run = step();
    // Awaited below, with the rest; a failure meanwhile is not an unhandled one.
    run.catch(() => {});
    started.push(run);
    await afterStatementsIssued();
  }
  return (await Promise.all(started)) as T;
}

/**
 * Commits transaction `tx` now, in the same write as the statements issued just before it: one round trip
 * less, and its locks go sooner (a posted message: bench:send). Only beside a transaction's last
 * statements, awaited together with them (`Promise.all`): nothing may run in `tx` after it. Should one of
 * them fail, PostgreSQL turns this COMMIT into a rollback, so they still commit all or none. Where the
 * transaction is not pipelined by us (PGlite, or through a pooler) it commits when its callback returns,
 * as any other.
 */
export async function commitNow(tx: Executor): Promise<void> {
  const client = driverClientOf(tx) as { [COMMIT_NOW]?: () => Promise<void> };
  await client[COMMIT_NOW]?.();
}

/**
 * drizzle's session of a database or transaction, and the driver client it runs statements on
 * (postgres.js's sql or reserved connection, PGlite or its transaction): not public in drizzle, so
 * reached here alone.
 */
const sessionOf = (db: Executor) => (db as unknown as { session: { client: object } }).session;
const driverClientOf = (db: Executor) => sessionOf(db).client;

/**
 * A drizzle query whose SQL is built once, on its first run, with its values as placeholders
 * (`sql.placeholder(name)`) given at each run. drizzle builds a query's text at every run otherwise:
 * 170 µs of CPU for findMessage's thirty columns, the most of anything a posted message does (bench:send).
 * It runs on whichever database or transaction it is given, its rows mapped as drizzle maps them.
 */
export function prebuilt<V extends Record<string, unknown>, T>(
  build: (db: Executor) => { prepare(name: string): { execute(values: V): Promise<T> } },
): (db: Executor, values: V) => Promise<T> {
  // One per driver (postgres.js, PGlite): drizzle's prepared query holds its session's client and runs
  // its text on it. Each run gets the built query with the client of the database or transaction at hand.
  const built = new Map<unknown, object>();
  return (db, values) => {
    const session = sessionOf(db);
    let template = built.get(session.constructor);
    if (!template) {
      // No name: a named statement would be prepared even through a pooler (preparing() prepares where it may).
      template = build(db).prepare(undefined as unknown as string);
      if (!('client' in template)) throw new Error('prebuilt: drizzle’s prepared query keeps its client elsewhere now');
      built.set(session.constructor, template);
    }
    const run = Object.create(template) as { client: unknown; execute(values: V): Promise<T> };
    run.client = session.client;
    return run.execute(values);
  };
}

/**
 * prebuilt for a query of a few shapes (a first page or a later one, which types are left out): built once
 * for each. Shapes come from code, never from input, so they stay a handful.
 */
export function prebuiltByShape<S, V extends Record<string, unknown>, T>(
  keyOf: (shape: S) => string,
  build: (shape: S) => (db: Executor) => { prepare(name: string): { execute(values: V): Promise<T> } },
): (shape: S) => (db: Executor, values: V) => Promise<T> {
  const queries = new Map<string, (db: Executor, values: V) => Promise<T>>();
  return (shape) => {
    const key = keyOf(shape);
    let query = queries.get(key);
    if (!query) {
      query = prebuilt(build(shape));
      queries.set(key, query);
    }
    return query;
  };
}

/**
 * For the rest of transaction `tx`: generic plans allowed (OpenOptions.genericPlans), for a transaction of
 * key lookups that runs all the time (a posted message). Sent along with its first statements: no round trip.
 */
export async function genericPlansHere(tx: Executor): Promise<void> {
  await tx.execute(sql`set local plan_cache_mode = auto`);
}

/**
 * A status's 1-based place in the delivery order (lib/whatsapp/status.ts DELIVERY_ORDER), null for a status
 * outside it: how SQL ranks statuses, from the one list of them. The names are our own constants (checked).
 */
export function statusRank(status: SQL | SQLWrapper, deliveryOrder: readonly string[]): SQL {
  if (!deliveryOrder.every((s) => /^[a-z_]+$/.test(s))) throw new Error('status names are lower-case words');
  return sql`array_position(${sql.raw(`array[${deliveryOrder.map((s) => `'${s}'`).join(',')}]::text[]`)}, ${status})`;
}

export { sql };

/** A sort key for cursors: exact to the microsecond, whatever precision a JS Date has. */
export const cursorTimestamp = <T extends string | null = string>(column: AnyColumn) =>
  sql<T>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Whether PostgreSQL answered with SQLSTATE `code` (or one of `code`), wherever drizzle put the driver's error (`cause`, a few deep). */
export function hasSqlState(err: unknown, code: string | readonly string[]): boolean {
  const codes: readonly string[] = typeof code === 'string' ? [code] : code;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const found = (e as { code?: unknown }).code;
    if (typeof found === 'string' && codes.includes(found)) return true;
  }
  return false;
}
