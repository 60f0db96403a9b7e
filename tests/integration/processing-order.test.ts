import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesBody, textMessage } from '../../tools/meta-envelopes';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/db';
import { createPipeline, messageRow } from '../helpers/pipeline';

// Below a backlog the processor stores one batch at a time (lib/whatsapp/processor.ts, `claim`): a message is
// never visible while one delivered to the same instance before it is not. Batches side by side commit in
// the order they reach the apply turn, and a later one used to commit first (the contract check saw a
// webhook's message, and not those posted before it). PostgreSQL only: on PGlite one batch is in flight
// at a time anyway.

describe.runIf(dbKinds.includes('postgres'))('processing order on postgres', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await test.drop();
  });

  it('does not commit a later message while an earlier one is held up', async () => {
    const pipeline = createPipeline(test.database, { processor: { batchesInFlight: 3, pollMs: 50 } });
    const earlyNumber = { phoneNumberId: '109000000000771', display: '15550007001' };
    const lateNumber = { phoneNumberId: '109000000000772', display: '15550007002' };
    // The early number exists; the next body names it with a new display number, so storing it updates its row.
    expect((await pipeline.post(messagesBody({ messages: [textMessage('wamid.ORDER-0', '4977', 'known')] }, earlyNumber))).status).toBe(
      200,
    );
    await pipeline.drain();

    // Another transaction holds that row: the early batch waits there, before its apply turn.
    const holder = postgres(test.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`select 1 from business_numbers where phone_number_id = ${earlyNumber.phoneNumberId} for update`;
      await released;
    });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const early = messagesBody(
        { messages: [textMessage('wamid.ORDER-EARLY', '4977', 'first')] },
        { ...earlyNumber, display: '15550007011' },
      );
      const late = messagesBody({ messages: [textMessage('wamid.ORDER-LATE', '4978', 'second')] }, lateNumber);
      expect((await pipeline.post(early)).status).toBe(200);
      pipeline.processor.start();
      // The early batch is claimed, and stuck; then the late message comes.
      await new Promise((r) => setTimeout(r, 300));
      expect((await pipeline.post(late)).status).toBe(200);
      pipeline.processor.notify();
      // Time for a second batch to be claimed, stored and (were it free to) committed.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await messageRow(test.database, 'wamid.ORDER-EARLY')).toBeUndefined();
      expect(await messageRow(test.database, 'wamid.ORDER-LATE')).toBeUndefined();
      release();
      await holding;
      await expect.poll(async () => !!(await messageRow(test.database, 'wamid.ORDER-LATE')), { timeout: 10_000 }).toBe(true);
      expect(await messageRow(test.database, 'wamid.ORDER-EARLY')).toBeDefined();
    } finally {
      release();
      await holding.catch(() => {});
      await pipeline.processor.stop();
      await holder.end({ timeout: 1 });
    }
  });
});
