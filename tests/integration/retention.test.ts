import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '@/db/client';
import { ensureMonthPartitions, listMonthPartitions, monthStart, partitionName } from '@/db/queries/partitions';
import { createMetrics } from '@/lib/observability/metrics';
import { RetentionPurger } from '@/lib/retention/purger';
import { createTestDatabase, dbKinds, resetDatabase, type TestDatabase } from '../helpers/db';
import { count, createPipeline, silentLog } from '../helpers/pipeline';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';

// Retention (lib/retention/purger.ts): a month of webhook events past the retention goes whole once nothing
// in it is pending or failed; otherwise old processed bodies go, their rows stay; a hash within the
// retention still recognizes a retry; failed and recent events keep their bodies; expired sessions and
// stale sign-in counters go too.

const DAY = 86_400_000;
const nothing = { rawEventMonths: 0, rawEvents: 0, rawEventBodies: 0, rawEventHashes: 0, sessions: 0, signInCounters: 0 };

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
    expect(report).toEqual({ ...nothing, rawEventBodies: 2 });
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

  describe('by the month', () => {
    // Months long over, partitioned as they were when they were current.
    const now = new Date();
    const fourAgo = monthStart(now, -4);
    const threeAgo = monthStart(now, -3);
    const inMonth = (month: Date, day: number) => new Date(month.getTime() + day * DAY);
    const moveEvents = async (at: Date, where: ReturnType<typeof sql>) => {
      await database.db.execute(
        sql`update webhook_event_hashes set received_at = ${at.toISOString()}::timestamptz
            where sha256 in (select body_sha256 from webhook_events where ${where})`,
      );
      await database.db.execute(sql`update webhook_events set received_at = ${at.toISOString()}::timestamptz where ${where}`);
    };
    const months = async () => (await listMonthPartitions(database.db, 'webhook_events')).map((p) => p.name);

    beforeEach(async () => {
      await ensureMonthPartitions(database.db, fourAgo);
      // Only those two: the month after may or may not be past the retention, depending on today's date.
      await database.db.execute(sql.raw(`drop table "${partitionName('webhook_events', monthStart(now, -2))}"`));
      for (let n = 1; n <= 5; n++) expect((await pipeline.post(body(n))).status).toBe(200);
      await pipeline.drain();
      const [first] = await queryRows<{ id: string | number }>(database.db, sql`select min(id) as id from webhook_events`);
      const id = Number(first!.id);
      // Two events four months ago, two three months ago, one today.
      await moveEvents(inMonth(fourAgo, 3), sql`id in (${id}, ${id + 1})`);
      await moveEvents(inMonth(threeAgo, 20), sql`id in (${id + 2}, ${id + 3})`);
    });
    afterEach(async () => {
      // Months other tests do not expect.
      for (const name of await months())
        if (name < partitionName('webhook_events', monthStart(now))) await database.db.execute(sql.raw(`drop table "${name}"`));
    });

    it('drops a month past the retention whose events are all processed, and counts and logs what went', async () => {
      const lines: Record<string, unknown>[] = [];
      const log = pino(
        { level: 'info' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            lines.push(JSON.parse(chunk.toString('utf8')));
            done();
          },
        }),
      );
      const metrics = createMetrics(database.db, silentLog);
      const counted = new RetentionPurger(database.db, { log, rawEventRetentionDays: 30, onPurged: (r) => metrics.observePurge(r) });
      const report = await counted.purge(now);
      expect(report).toEqual({ ...nothing, rawEventMonths: 2, rawEvents: 4, rawEventHashes: 4 });
      expect(lines).toEqual([expect.objectContaining({ msg: 'retention sweep', ...report })]);
      const text = await metrics.render();
      expect(text).toContain('ticks_retention_purged_total{kind="raw_event_months"} 2');
      expect(text).toContain('ticks_retention_purged_total{kind="raw_events"} 4');
      expect(text).toContain('ticks_retention_purged_total{kind="raw_event_hashes"} 4');
      expect(await months()).not.toContain(partitionName('webhook_events', fourAgo));
      expect(await months()).not.toContain(partitionName('webhook_events', threeAgo));
      expect(await bodySizes()).toEqual([['body', 'processed', false]]);
      // The status history and the messages are not raw events: they stay.
      expect(await count(database, 'messages')).toBe(5);
      expect(await purger.purge(now)).toEqual(nothing);
    });

    it('keeps a month holding a failed or pending event, emptying the bodies it may', async () => {
      const [failed] = await queryRows<{ id: string | number }>(
        database.db,
        sql`select min(id) as id from webhook_events where received_at < ${threeAgo.toISOString()}::timestamptz`,
      );
      await database.db.execute(sql`update webhook_events set state = 'failed', failed_at = now() where id = ${Number(failed!.id)}`);
      await database.db.execute(
        sql`update webhook_events set state = 'pending' where id = (select max(id) from webhook_events where received_at < ${monthStart(now, -2).toISOString()}::timestamptz)`,
      );
      const report = await purger.purge(now);
      expect(report).toEqual({ ...nothing, rawEventBodies: 2, rawEventHashes: 4 });
      expect(await months()).toContain(partitionName('webhook_events', fourAgo));
      expect(await months()).toContain(partitionName('webhook_events', threeAgo));
      expect(await bodySizes()).toEqual([
        ['body', 'failed', false],
        ['empty', 'processed', true],
        ['empty', 'processed', true],
        ['body', 'pending', false],
        ['body', 'processed', false],
      ]);

      // Once the operator discards it and the processor is done, the month goes whole.
      await database.db.execute(sql`update webhook_events set state = 'discarded' where state = 'failed'`);
      await pipeline.drain();
      expect(await purger.purge(now)).toEqual({ ...nothing, rawEventMonths: 2, rawEvents: 4 });
    });

    it('recognizes a retry as long as its hash is within the retention, whatever happened to its month', async () => {
      // The hash of body 1 is a day inside the retention; its event's month is long gone.
      await database.db.execute(
        sql`update webhook_event_hashes set received_at = ${new Date(now.getTime() - 29 * DAY).toISOString()}::timestamptz
            where sha256 = (select sha256 from webhook_event_hashes where received_at < ${threeAgo.toISOString()}::timestamptz limit 1)`,
      );
      expect((await purger.purge(now)).rawEventMonths).toBe(2);
      const before = await count(database, 'webhook_events');
      for (let n = 1; n <= 5; n++) expect((await pipeline.post(body(n))).status).toBe(200);
      // Bodies 1–4 were dropped with their months: the one whose hash is kept is a duplicate, the three
      // whose hashes went with them are new again; body 5 (today) is a duplicate.
      expect(await count(database, 'webhook_events')).toBe(before + 3);
    });
  });

  it('deletes expired sessions and sign-in counters whose window is long over', async () => {
    await database.db.execute(sql`insert into users (id, name, email) values ('u1', 'Ana', 'ana@ticks.test')`);
    await database.db.execute(sql`insert into sessions (id, token, user_id, expires_at) values
      ('s-old', 't-old', 'u1', now() - interval '1 hour'), ('s-live', 't-live', 'u1', now() + interval '1 day')`);
    const now = Date.now();
    await database.db.execute(sql`insert into rate_limits (id, key, count, last_request) values
      ('r-old', 'k-old', 3, ${now - 2 * DAY}), ('r-live', 'k-live', 1, ${now - 1000})`);
    expect(await purger.purge()).toEqual({ ...nothing, sessions: 1, signInCounters: 1 });
    expect(await queryRows(database.db, sql`select id from sessions`)).toEqual([{ id: 's-live' }]);
    expect(await queryRows(database.db, sql`select id from rate_limits`)).toEqual([{ id: 'r-live' }]);
  });
});
