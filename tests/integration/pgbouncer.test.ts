import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { CHANGES_CHANNEL, decodeChange, notifyChanges } from '@/lib/realtime/changes';
import { createPostgresDatabase, dbKinds } from '../helpers/db';
import { count, createPipeline } from '../helpers/pipeline';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';
import { pgBouncerAvailable, startPgBouncer, type RunningPgBouncer } from '../../tools/pgbouncer';

// DATABASE_URL through PgBouncer in transaction mode (where many deployments put one), with
// DATABASE_DIRECT_URL for what needs a session of its own: LISTEN, session advisory locks, migrations.
// Two server connections serve every client, so consecutive statements land on different ones.
// CI installs pgbouncer (.ci/run); elsewhere the test is skipped when it is missing.

const run = dbKinds.includes('postgres') && (pgBouncerAvailable() || !!process.env.CI);

describe.runIf(run)('PostgreSQL through PgBouncer (transaction mode)', () => {
  let bouncer: RunningPgBouncer;
  let direct: { url: string; drop(): Promise<void> };
  let database: Database;

  beforeAll(async () => {
    direct = await createPostgresDatabase();
    bouncer = await startPgBouncer(direct.url, { poolSize: 2 });
    database = await openDatabase({ url: bouncer.url, directUrl: direct.url, poolMax: 8 });
    // Migrations hold a session lock while they run: straight to the server.
    await migrateDatabase(database);
  });
  afterAll(async () => {
    await database?.close();
    await bouncer?.stop();
    await direct?.drop();
  });

  it('goes through the pooler for queries', async () => {
    const [row] = await queryRows<{ port: number }>(database.db, sql`select inet_server_port() as port`);
    expect(Number(row!.port)).toBe(Number(new URL(direct.url).port || 5432));
    // The pooler's own admin console would answer SHOW POOLS; what proves we pass through it is the URL.
    expect(new URL(bouncer.url).port).not.toBe(new URL(direct.url).port || '5432');
  });

  it('stores and normalizes 40 webhooks posted at once, every transaction on whichever server connection', async () => {
    const pipeline = createPipeline(database);
    const bodies = Array.from({ length: 40 }, (_, i) =>
      messagesBody({
        messages: [textMessage(`wamid.PGB-${i}`, `49151000${String(i % 7).padStart(4, '0')}`, `hello ${i}`, 1767000000 + i)],
      }),
    );
    const answers = await Promise.all(bodies.map((b) => pipeline.post(b)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
    await pipeline.drain();
    expect(await count(database, 'messages')).toBe(40);
    expect(await count(database, 'conversations')).toBe(7);
    expect(await count(database, 'webhook_events', sql`where state = 'processed'`)).toBe(40);
  });

  it('delivers change notices committed through the pooler to a listener on the direct connection', async () => {
    const received: number[][] = [];
    const unlisten = await database.listen(CHANGES_CHANNEL, (payload) => received.push(decodeChange(payload)?.conversations ?? []));
    try {
      for (const id of [1, 2, 3]) await database.db.transaction((tx) => notifyChanges(tx, { conversationIds: [id], messageIds: [] }));
      const deadline = Date.now() + 5000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual([[1], [2], [3]]);
    } finally {
      await unlisten();
    }
  });

  it('holds a session advisory lock for the whole of the work: two holders never overlap', async () => {
    const events: string[] = [];
    const hold = (name: string) =>
      database.withAdvisoryLock(424242, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect([events.slice(0, 2), events.slice(2)].map((pair) => pair[0]!.split(' ')[0] === pair[1]!.split(' ')[0])).toEqual([true, true]);
  });
});
