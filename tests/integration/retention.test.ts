import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '@/db/client';
import { RetentionPurger } from '@/lib/retention/purger';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { count, createPipeline, silentLog } from '../helpers/pipeline';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';

// Retention (lib/retention/purger.ts): old processed webhook bodies go, their rows and hashes stay (a late
// retry is still a duplicate); failed and recent events keep theirs; expired sessions and stale sign-in
// counters go too.

const DAY = 86_400_000;

describe.each(dbKinds)('retention on %s', (kind) => {
  let test: TestDatabase;
  let database: Database;
  let pipeline: ReturnType<typeof createPipeline>;
  let reports: unknown[];
  let purger: RetentionPurger;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    database = test.database;
  });
  afterAll(async () => {
    await test.drop();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    await database.db.execute(sql`delete from retention_watermarks`);
    pipeline = createPipeline(database);
    reports = [];
    purger = new RetentionPurger(database.db, { log: silentLog, rawEventRetentionDays: 30, onPurged: (r) => reports.push(r) });
  });

  const body = (n: number) => messagesBody({ messages: [textMessage(`wamid.R${n}`, '4915112345678', `message ${n}`, 1767000000 + n)] });
  const ageEvents = (days: number, where = sql`true`) =>
    database.db.execute(sql`update webhook_events set received_at = now() - make_interval(days => ${days}) where ${where}`);
  const bodySizes = async () =>
    (
      await queryRows<{ id: string | number; size: number; state: string; deleted: boolean }>(
        database.db,
        sql`select id, octet_length(body) as size, state, body_deleted_at is not null as deleted from webhook_events order by id`,
      )
    ).map((r) => [Number(r.size) > 0 ? 'body' : 'empty', r.state, r.deleted]);

  it('empties the bodies of processed events past the retention, and recognizes a late retry of one', async () => {
    for (let n = 1; n <= 3; n++) expect((await pipeline.post(body(n))).status).toBe(200);
    await pipeline.drain();
    await ageEvents(31, sql`id <= (select min(id) + 1 from webhook_events)`);

    const report = await purger.purge();
    expect(report).toEqual({ rawEventBodies: 2, sessions: 0, signInCounters: 0 });
    expect(reports).toEqual([report]);
    expect(await bodySizes()).toEqual([
      ['empty', 'processed', true],
      ['empty', 'processed', true],
      ['body', 'processed', false],
    ]);
    // Meta retrying the first body: the hash still knows it, so nothing is stored or processed twice.
    const retry = await pipeline.post(body(1));
    expect(retry.status).toBe(200);
    expect(await count(database, 'webhook_events')).toBe(3);
    expect(await count(database, 'messages')).toBe(3);

    // The next sweep starts where this one stopped and finds nothing new.
    expect((await purger.purge()).rawEventBodies).toBe(0);
  });

  it('keeps the bodies of failed and pending events, however old, and of those within the retention', async () => {
    for (let n = 1; n <= 4; n++) expect((await pipeline.post(body(n))).status).toBe(200);
    await pipeline.drain();
    const [first] = await queryRows<{ id: string | number }>(database.db, sql`select min(id) as id from webhook_events`);
    const id = Number(first!.id);
    await database.db.execute(sql`update webhook_events set state = 'failed', failed_at = now() where id = ${id}`);
    await database.db.execute(sql`update webhook_events set state = 'pending' where id = ${id + 1}`);
    await ageEvents(400, sql`id <= ${id + 2}`);
    await ageEvents(29, sql`id = ${id + 3}`);
    expect((await purger.purge()).rawEventBodies).toBe(1);
    expect(await bodySizes()).toEqual([
      ['body', 'failed', false],
      ['body', 'pending', false],
      ['empty', 'processed', true],
      ['body', 'processed', false],
    ]);
  });

  it('walks a long table in stretches, and sweeps events that arrive later in later runs', async () => {
    for (let n = 1; n <= 25; n++) expect((await pipeline.post(body(n))).status).toBe(200);
    await pipeline.drain();
    await ageEvents(60);
    const small = new RetentionPurger(database.db, { log: silentLog, rawEventRetentionDays: 30 });
    const { purgeRawEventBodies } = await import('@/db/queries/retention');
    expect(await purgeRawEventBodies(database.db, new Date(Date.now() - 30 * DAY), 4)).toBe(25);
    expect(await count(database, 'webhook_events', sql`where body_deleted_at is null`)).toBe(0);

    expect((await pipeline.post(body(26))).status).toBe(200);
    await pipeline.drain();
    expect((await small.purge()).rawEventBodies).toBe(0);
    await ageEvents(31, sql`body_deleted_at is null`);
    expect((await small.purge()).rawEventBodies).toBe(1);
  });

  it('deletes expired sessions and sign-in counters whose window is long over', async () => {
    await database.db.execute(sql`insert into users (id, name, email) values ('u1', 'Ana', 'ana@ticks.test')`);
    await database.db.execute(sql`insert into sessions (id, token, user_id, expires_at) values
      ('s-old', 't-old', 'u1', now() - interval '1 hour'), ('s-live', 't-live', 'u1', now() + interval '1 day')`);
    const now = Date.now();
    await database.db.execute(sql`insert into rate_limits (id, key, count, last_request) values
      ('r-old', 'k-old', 3, ${now - 2 * DAY}), ('r-live', 'k-live', 1, ${now - 1000})`);
    expect(await purger.purge()).toEqual({ rawEventBodies: 0, sessions: 1, signInCounters: 1 });
    expect(await queryRows(database.db, sql`select id from sessions`)).toEqual([{ id: 's-live' }]);
    expect(await queryRows(database.db, sql`select id from rate_limits`)).toEqual([{ id: 'r-live' }]);
  });
});
