import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { queryRows, sql, type Database, type Executor } from '@/db/client';
import { deliveryTimingSummary, type AnalyticsWindow, type DeliveryTimingSummary } from '@/db/queries/analytics';
import { migrateDatabase } from '@/db/migrate';
import { insertStatusEvents, type StatusEventInsert } from '@/db/writes/status-events';
import { DELIVERY_ORDER, READ_STATUSES } from '@/lib/whatsapp/status';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { databaseBefore } from '../helpers/migrations';

// The funnel and medians from the daily rollups (migration 0018) against what the page computed before:
// percentile_cont over every delivery_timings row sent in the window. Random statuses go through the real
// writer (in and out of order, replays, deletions like erasure's), then random windows, aligned to nothing
// or to hours and days, on every number and one, must give exactly the same answer.

const A = '106540352242922';
const B = '106540352243011';
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 2, 10);

/** Deterministic pseudo-random numbers (mulberry32): a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One status of `wamid` at `at` (seconds), as the processor writes it. */
const statusEvent = (wamid: string, status: string, at: number, phoneNumberId: string): StatusEventInsert => ({
  wamid,
  status,
  occurredAt: new Date(at * 1000),
  recipientId: '4915112345678',
  recipientUserId: null,
  errors: [],
  pricing: null,
  conversation: null,
  raw: {},
  eventId: 1,
  phoneNumberId,
  errorCode: null,
});

/** What the page computed before migration 0018: every row sent in the window, sorted. */
async function summaryByPercentile(db: Executor, w: AnalyticsWindow): Promise<DeliveryTimingSummary> {
  const number = w.phoneNumberId === null ? sql`` : sql`and phone_number_id = ${w.phoneNumberId}`;
  const [row] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select count(*) as sent, count(delivered_after_s) as delivered, count(read_after_s) as read, count(failed_at) as failed,
          percentile_cont(0.5) within group (order by delivered_after_s) as delivered_median,
          percentile_cont(0.5) within group (order by read_after_s) as read_median
        from delivery_timings
        where sent_at is not null and sent_at >= ${w.from.toISOString()}::timestamptz and sent_at < ${w.to.toISOString()}::timestamptz ${number}`,
  );
  const n = (v: string | number | null | undefined) => (v == null ? null : Number(v));
  return {
    sent: n(row!.sent)!,
    delivered: n(row!.delivered)!,
    read: n(row!.read)!,
    failed: n(row!.failed)!,
    medianDeliveredSeconds: n(row!.delivered_median),
    medianReadSeconds: n(row!.read_median),
  };
}

/**
 * Statuses of `count` outbound messages sent over four days from START: seconds to delivery and to reading
 * from 0 to days (many ties among the small ones), some never sent (only delivered), some failed, in
 * shuffled batches, some statuses repeated, the sent status at times after the others.
 */
function randomStatuses(next: () => number, count: number, prefix: string): StatusEventInsert[][] {
  const seconds = () => {
    const r = next();
    if (r < 0.4) return Math.floor(next() * 40);
    if (r < 0.8) return Math.floor(next() * 4000);
    return Math.floor(next() * 400_000);
  };
  const events: StatusEventInsert[] = [];
  for (let i = 0; i < count; i++) {
    const wamid = `wamid.${prefix}${i}`;
    const number = next() < 0.6 ? A : B;
    const sent = Math.floor((START + next() * 4 * DAY_MS) / 1000);
    if (next() < 0.95) events.push(statusEvent(wamid, 'sent', sent, number));
    if (next() < 0.05) {
      events.push(statusEvent(wamid, 'failed', sent + seconds(), number));
      continue;
    }
    if (next() < 0.85) {
      const delivered = sent + seconds();
      events.push(statusEvent(wamid, 'delivered', delivered, number));
      if (next() < 0.7) events.push(statusEvent(wamid, next() < 0.1 ? 'played' : 'read', delivered + seconds(), number));
    }
    // Now and then an earlier sent status than the first one (least() moves sent_at back).
    if (next() < 0.03) events.push(statusEvent(wamid, 'sent', sent - Math.floor(next() * 3600), number));
  }
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  const batches: StatusEventInsert[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(next() * 60);
    // A batch never holds one status of a message twice (as one webhook body does not).
    const batch = [...new Map(events.slice(i, i + size).map((e) => [`${e.wamid} ${e.status}`, e])).values()];
    batches.push(batch);
    if (next() < 0.1) batches.push(batch.slice(0, 5)); // a replay
    i += size;
  }
  return batches;
}

async function store(db: Database['db'], batches: StatusEventInsert[][]): Promise<void> {
  for (const batch of batches) {
    await db.transaction((tx) => insertStatusEvents(tx, batch, { delivery: DELIVERY_ORDER, read: READ_STATUSES }));
  }
}

/** The rollups as kept, and as recounted from delivery_timings: what the triggers must keep equal. */
async function rollups(db: Executor): Promise<{ kept: unknown[]; recounted: unknown[] }> {
  const rows = (query: SQL) => queryRows<Record<string, unknown>>(db, query).then((r) => r.map((row) => JSON.stringify(row)));
  const day = sql`to_char(day at time zone 'UTC', 'YYYY-MM-DD')`;
  const recountedBuckets = sql`
    select date_trunc('day', t.sent_at, 'UTC') as day, t.phone_number_id, k.kind, k.bucket, count(*)::int as count
    from delivery_timings t
    cross join lateral (values ('sent', 0), ('failed', case when t.failed_at is not null then 0 end),
      ('delivered', delivery_seconds_bucket(t.delivered_after_s)), ('read', delivery_seconds_bucket(t.read_after_s))) k(kind, bucket)
    where t.sent_at is not null and k.bucket is not null group by 1, 2, 3, 4`;
  const recountedSeconds = sql`
    select k.kind, delivery_seconds_bucket(k.seconds) as bucket, date_trunc('day', t.sent_at, 'UTC') as day, t.phone_number_id,
      k.seconds, count(*)::int as count
    from delivery_timings t cross join lateral (values ('delivered', t.delivered_after_s), ('read', t.read_after_s)) k(kind, seconds)
    where t.sent_at is not null and k.seconds is not null group by 1, 2, 3, 4, 5`;
  const buckets = (from: SQL) =>
    rows(
      sql`select ${day} as day, phone_number_id, kind, bucket, count::int as count from (${from}) b where count <> 0 order by 1, 2, 3, 4`,
    );
  const seconds = (from: SQL) =>
    rows(sql`select kind, bucket, ${day} as day, phone_number_id, seconds, count::int as count from (${from}) s where count <> 0
             order by 1, 2, 3, 4, 5`);
  return {
    kept: [...(await buckets(sql`select * from delivery_timing_buckets`)), ...(await seconds(sql`select * from delivery_timing_seconds`))],
    recounted: [...(await buckets(recountedBuckets)), ...(await seconds(recountedSeconds))],
  };
}

async function expectRollupsKept(db: Executor): Promise<void> {
  const { kept, recounted } = await rollups(db);
  expect(recounted.length).toBeGreaterThan(0);
  expect(kept).toEqual(recounted);
}

describe.each(dbKinds)('delivery timing rollups on %s', (kind) => {
  let test: TestDatabase;
  let db: Database['db'];

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    db = test.database.db;
    const next = random(146);
    await store(db, randomStatuses(next, 700, 'R'));
    // Erasure deletes a customer's timings: the rollups lose them too.
    await db.execute(sql`delete from delivery_timings where wamid like 'wamid.R1%'`);
  }, 120_000);
  afterAll(async () => {
    await test?.drop();
  });

  it('keeps the daily rollups equal to a recount of delivery_timings through inserts, updates and deletes', async () => {
    await expectRollupsKept(db);
  });

  it('answers exactly as percentile_cont over the rows, for windows aligned to nothing, hours or days', async () => {
    const next = random(42);
    const second = (from: number, to: number) => Math.floor(from / 1000 + next() * ((to - from) / 1000)) * 1000;
    const align = (t: number, unit: number) => Math.floor(t / unit) * unit;
    const windows: [number, number][] = [
      [START - DAY_MS, START + 6 * DAY_MS], // everything
      [START + DAY_MS, START + 3 * DAY_MS], // whole days
      [START + 2 * DAY_MS + 3_600_000, START + 2 * DAY_MS + 7_200_000], // one hour
      [START - 10 * DAY_MS, START - 9 * DAY_MS], // nothing sent
    ];
    for (let i = 0; i < 60; i++) {
      const from = second(START - DAY_MS / 2, START + 4.5 * DAY_MS);
      const length = [60_000, 3_600_000 * 5, DAY_MS, 2.5 * DAY_MS][i % 4]! * (0.2 + next());
      const to = from + Math.max(1000, Math.floor(length / 1000) * 1000);
      if (i % 3 === 1) windows.push([align(from, 3_600_000), align(to, 3_600_000) + 3_600_000]);
      else windows.push([from, to]);
    }
    const totals = new Set<string>();
    for (const [from, to] of windows) {
      for (const phoneNumberId of [null, A]) {
        // `now` only picks which raw rows to read; anywhere, even inside the window, the answer is the same.
        const now = new Date(second(from - DAY_MS, to + DAY_MS));
        const w: AnalyticsWindow = { from: new Date(from), to: new Date(to), bucket: 'day', tz: 'UTC', phoneNumberId };
        const expected = await summaryByPercentile(db, w);
        expect(await deliveryTimingSummary(db, w, now), `${w.from.toISOString()} – ${w.to.toISOString()} ${phoneNumberId}`).toEqual(
          expected,
        );
        totals.add(`${expected.delivered % 2} ${expected.read % 2}`);
      }
    }
    // Both odd and even counts were compared (the even ones interpolate between two values).
    expect(totals.size).toBeGreaterThanOrEqual(3);
  });

  it('counts a message in the day it was first sent, moving it when an earlier sent status comes', async () => {
    const day = Date.UTC(2026, 5, 1);
    const w: AnalyticsWindow = { from: new Date(day), to: new Date(day + DAY_MS), bucket: 'day', tz: 'UTC', phoneNumberId: B };
    const at = (ms: number) => Math.floor(ms / 1000);
    const event = (status: string, seconds: number) => statusEvent('wamid.MOVED', status, seconds, B);
    // Delivered before any sent status: no time to count yet.
    await store(db, [[event('delivered', at(day + DAY_MS + 600_000))]]);
    expect(await deliveryTimingSummary(db, w)).toMatchObject({ sent: 0, delivered: 0 });
    await store(db, [[event('sent', at(day + DAY_MS + 60_000))]]);
    expect(await deliveryTimingSummary(db, { ...w, from: new Date(day + DAY_MS), to: new Date(day + 2 * DAY_MS) })).toMatchObject({
      sent: 1,
      delivered: 1,
      medianDeliveredSeconds: 540,
    });
    // An earlier sent status, the day before: the message moves there, with its longer delivery time.
    await store(db, [[event('sent', at(day + DAY_MS - 60_000))]]);
    expect(await deliveryTimingSummary(db, w)).toMatchObject({ sent: 1, delivered: 1, medianDeliveredSeconds: 660 });
    expect(await deliveryTimingSummary(db, { ...w, from: new Date(day + DAY_MS), to: new Date(day + 2 * DAY_MS) })).toMatchObject({
      sent: 0,
      delivered: 0,
      medianDeliveredSeconds: null,
    });
    await expectRollupsKept(db);
  });
});

describe.each(dbKinds)('migration 0018_count_rollups on %s', (kind) => {
  let database: Database;
  let drop = async () => {};
  afterAll(async () => {
    await drop();
  });

  it('fills the rollups from the delivery timings and the counts from the conversations already stored', async () => {
    ({ database, drop } = await databaseBefore(kind, '0018_count_rollups'));
    const { db } = database;
    await db.execute(sql`insert into business_numbers (phone_number_id) values (${A}), (${B})`);
    await db.execute(sql`insert into contacts (wa_id) select (4915100000000 + g)::text from generate_series(1, 30) g`);
    await db.execute(sql`
      insert into conversations (phone_number_id, contact_id, status, snoozed_until)
      select case when g % 3 = 0 then ${B} else ${A} end, g,
        case when g % 4 = 0 then 'resolved' when g % 4 = 1 then 'open' when g % 4 = 2 then 'pending' else 'snoozed' end,
        case when g % 4 = 3 then timestamptz '2027-01-01' end
      from generate_series(1, 30) g`);
    await db.execute(sql`
      insert into delivery_timings (wamid, phone_number_id, sent_at, delivered_at, read_at, failed_at)
      select 'wamid.M' || g, case when g % 3 = 0 then ${B} else ${A} end,
        case when g % 10 <> 0 then timestamptz '2026-03-10' + g * interval '37 minutes' end,
        case when g % 5 <> 0 then timestamptz '2026-03-10' + g * interval '37 minutes' + (g * g % 97) * interval '1 second' end,
        case when g % 2 = 0 then timestamptz '2026-03-10' + g * interval '37 minutes' + (g * g * g % 9000) * interval '1 second' end,
        case when g % 5 = 0 then timestamptz '2026-03-10' + g * interval '37 minutes' + interval '2 seconds' end
      from generate_series(1, 300) g`);

    await migrateDatabase(database);

    await expectRollupsKept(db);
    const kept = await queryRows(
      db,
      sql`select phone_number_id, status, sum(delta)::int as n from conversation_status_counts group by 1, 2 having sum(delta) <> 0 order by 1, 2`,
    );
    expect(kept).toEqual(
      await queryRows(db, sql`select phone_number_id, status, count(*)::int as n from conversations group by 1, 2 order by 1, 2`),
    );
    const w: AnalyticsWindow = {
      from: new Date('2026-03-10T05:30:00Z'),
      to: new Date('2026-03-12T17:00:00Z'),
      bucket: 'day',
      tz: 'UTC',
      phoneNumberId: null,
    };
    expect(await deliveryTimingSummary(db, w)).toEqual(await summaryByPercentile(db, w));
  });
});
