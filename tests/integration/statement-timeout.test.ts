import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openDatabase, queryRows, sql, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { parseEnv } from '@/lib/env';
import { withApiErrors } from '@/lib/http/errors';
import { normalizeWebhook } from '@/lib/whatsapp/normalize';
import { storeBatches } from '@/lib/whatsapp/store';
import { createPostgresDatabase, dbKinds } from '../helpers/db';
import { messagesBody, status } from '../../tools/meta-envelopes';

// DATABASE_STATEMENT_TIMEOUT_MS: PostgreSQL cancels a request's statement that runs too long, the API
// answers 503 with a message, and migrations are never under the limit.

describe('DATABASE_STATEMENT_TIMEOUT_MS', () => {
  const base = { WHATSAPP_APP_SECRET: 'secret-one-1234', WHATSAPP_VERIFY_TOKEN: 'token' };
  it('is 10 seconds unless set; 0 turns it off', () => {
    expect(parseEnv(base).DATABASE_STATEMENT_TIMEOUT_MS).toBe(10_000);
    expect(parseEnv({ ...base, DATABASE_STATEMENT_TIMEOUT_MS: '0' }).DATABASE_STATEMENT_TIMEOUT_MS).toBe(0);
    expect(() => parseEnv({ ...base, DATABASE_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });
});

describe.runIf(dbKinds.includes('postgres'))('statement timeout on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  let database: Database;

  beforeAll(async () => {
    ({ url, drop } = await createPostgresDatabase());
    database = await openDatabase({ url, poolMax: 3, statementTimeoutMs: 300 });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('cancels a statement of the pool that runs longer, and the connection serves the next one', async () => {
    const [setting] = await queryRows<{ statement_timeout: string }>(database.db, sql`show statement_timeout`);
    expect(setting!.statement_timeout).toBe('300ms');
    const started = Date.now();
    const error = await database.db.execute(sql`select pg_sleep(5)`).then(
      () => null,
      (err: unknown) => err,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    const causes: unknown[] = [];
    for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) causes.push(e);
    expect(causes.some((e) => (e as { code?: unknown }).code === '57014')).toBe(true);
    // Every connection of the pool has the limit, and none is left stuck.
    const all = await Promise.all(
      [1, 2, 3].map(() => queryRows<{ t: string }>(database.db, sql`select current_setting('statement_timeout') as t`)),
    );
    expect(all.map(([r]) => r!.t)).toEqual(['300ms', '300ms', '300ms']);
  });

  it('answers 503 with a message, not a 500', async () => {
    const route = withApiErrors(async () => {
      await database.db.execute(sql`select pg_sleep(5)`);
      return new Response('too late');
    });
    const res = await route(new Request('http://ticks.test/api/conversations?q=slow'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'unavailable', message: 'The database took too long to answer. Try again, or narrow your search.' },
    });
  });

  it('runs migrations without the limit, waiting for another instance to finish its own', async () => {
    // Another instance holds the migration lock for longer than the timeout.
    const other = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const conn = await other.reserve();
      await conn`select pg_advisory_lock(${7_452_019_331})`;
      const release = setTimeout(() => void conn`select pg_advisory_unlock(${7_452_019_331})`.then(() => conn.release()), 1000);
      const started = Date.now();
      await migrateDatabase(database);
      clearTimeout(release);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await other.end({ timeout: 5 });
    }
    const [row] = await queryRows<{ n: string | number }>(database.db, sql`select count(*) as n from messages`);
    expect(Number(row!.n)).toBe(0);
    // And on the pool itself, still the limit.
    await expect(database.db.execute(sql`select pg_sleep(5)`)).rejects.toThrow();
  });

  it('is not set without the option (the processor worker and scripts)', async () => {
    const plain = await openDatabase({ url, poolMax: 1 });
    try {
      const [setting] = await queryRows<{ statement_timeout: string }>(plain.db, sql`show statement_timeout`);
      expect(setting!.statement_timeout).toBe('0');
    } finally {
      await plain.close();
    }
  });

  it('does not cut short the processor storing a batch on the same pool (next dev)', async () => {
    const batch = normalizeWebhook(JSON.parse(messagesBody({ statuses: [status('wamid.SLOW', 'delivered', 1767000012)] })));
    // storeBatches lifts the limit for the rest of its transaction: a slow statement after it still runs.
    await database.db.transaction(async (tx) => {
      await storeBatches(tx, [{ eventId: 1, batch }]);
      await tx.execute(sql`select pg_sleep(0.5)`);
    });
    const [row] = await queryRows<{ status: string }>(database.db, sql`select status from messages where wamid = 'wamid.SLOW'`);
    expect(row!.status).toBe('delivered');
  });
});

describe('statement timeout on PGlite', () => {
  it('opens and migrates with the option set; PGlite cannot enforce it, so nothing is set', async () => {
    const database = await openDatabase({ statementTimeoutMs: 50 });
    try {
      await migrateDatabase(database);
      const [setting] = await queryRows<{ statement_timeout: string }>(database.db, sql`show statement_timeout`);
      expect(setting!.statement_timeout).toBe('0');
    } finally {
      await database.close();
    }
  });
});
