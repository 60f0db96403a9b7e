import { randomInt } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import postgres from 'postgres';
import {
  deliver,
  expect,
  inboundMessage,
  newWamid,
  REENGAGEMENT_ERROR,
  statusUpdate,
  test,
  uniqueCustomer,
  waitForProcessed,
} from './helpers';
import { E2E_ENV } from './shared';
import type { SimulatedBusinessNumber } from '../../tools/simulated-traffic';

// The error log (/errors). Every test uses its own business number, customers and wamids: the server and
// database are shared with the other specs, whose failures must not disturb these assertions.

/**
 * Clicks `button` and answers the confirm() it opens. Each answer waits for its own dialog: two
 * `page.once('dialog')` handlers in a row both caught the first when it opened late (the second then threw
 * "already handled", and the next confirm() was dismissed by default).
 */
async function answerConfirm(page: Page, button: Locator, answer: 'accept' | 'dismiss') {
  const opened = page.waitForEvent('dialog');
  const click = button.click();
  const dialog = await opened;
  await (answer === 'accept' ? dialog.accept() : dialog.dismiss());
  await click;
}

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const uniqueNumber = (): SimulatedBusinessNumber => ({
  phoneNumberId: `98${randomInt(10 ** 12, 10 ** 13)}`,
  displayPhoneNumber: `1555${randomInt(10 ** 6, 10 ** 7)}`,
});

test.describe('as an agent', () => {
  test.use({ role: 'agent' });

  test('sees a 131047 failure with its explanation, filters by code and opens the conversation', async ({ page }) => {
    const number = uniqueNumber();
    const alice = uniqueCustomer('Errol');
    const bob = uniqueCustomer('Fenna');
    // The customers write first (so the conversations have names), then our replies fail.
    for (const customer of [alice, bob]) {
      const hello = inboundMessage('text', 'Hello there', { customer, to: number });
      await deliver(hello.body);
      await waitForProcessed(hello.wamid);
    }
    const lateReply = newWamid(alice.waId);
    await deliver(statusUpdate(lateReply, 'failed', { recipient: alice.waId, from: number, errors: [REENGAGEMENT_ERROR] }));
    const undeliverable = newWamid(bob.waId);
    await deliver(
      statusUpdate(undeliverable, 'failed', {
        recipient: bob.waId,
        from: number,
        errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }],
      }),
    );
    await waitForProcessed(lateReply, { status: 'failed' });
    await waitForProcessed(undeliverable, { status: 'failed' });

    await page.goto('/errors');
    await expect(page.getByRole('heading', { name: 'Errors', level: 1 })).toBeVisible();
    const filters = page.getByRole('search', { name: 'Filter failed deliveries' });
    await filters.getByLabel('Business number').selectOption(number.phoneNumberId);

    const items = page.getByTestId('failed-delivery');
    const aliceItem = items.filter({ hasText: alice.name });
    const bobItem = items.filter({ hasText: bob.name });
    await expect(aliceItem).toHaveCount(1);
    await expect(bobItem).toHaveCount(1);
    await expect(aliceItem).toContainText('131047');
    await expect(aliceItem).toContainText('Re-engagement message');
    await expect(aliceItem).toContainText(`+${number.displayPhoneNumber}`);
    await expect(aliceItem).toContainText('Sent from another system');
    await expect(aliceItem.getByTestId('explanation')).toContainText('24-hour customer service window');
    await expect(aliceItem.getByTestId('explanation')).toContainText('What to do:');
    // No explanation of ours for 131026? There is one; either way Meta's title is shown.
    await expect(bobItem).toContainText('Message undeliverable');

    await filters.getByLabel('Error code').fill('131047');
    await expect(bobItem).toHaveCount(0);
    await expect(aliceItem).toHaveCount(1);

    await filters.getByLabel('Recipient').fill(bob.name);
    await expect(page.getByText('No failed deliveries match these filters.')).toBeVisible();
    await filters.getByLabel('Recipient').fill(alice.name);
    await expect(aliceItem).toHaveCount(1);

    await aliceItem.getByRole('link', { name: `Open the conversation with ${alice.name}` }).click();
    await expect(page).toHaveURL(/\/conversations\/\d+$/);
    await expect(page.getByText('Hello there').first()).toBeVisible();
  });
});

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('retries a processing failure, and it leaves the list', async ({ page }) => {
    const number = uniqueNumber();
    const customer = uniqueCustomer('Gisela');
    const marker = `retry-me-${letters(12)}`;
    const message = inboundMessage('text', marker, { customer, to: number });
    await deliver(message.body);
    await waitForProcessed(message.wamid);

    // Failing an event for good through HTTP takes five attempts with 2 s, 8 s, 32 s, 128 s of backoff, and
    // a body that fails for good and then succeeds on retry cannot be built. So this test takes a valid,
    // processed event and marks it failed directly in the e2e database, as the processor would have.
    const url = process.env[E2E_ENV.databaseUrl];
    test.skip(!url, 'the e2e server runs on PGlite: its database cannot be reached from the test');
    const db = postgres(url!, { max: 1, onnotice: () => {} });
    let eventId: string;
    try {
      const [row] = await db<{ id: string }[]>`
        update webhook_events set state = 'failed', attempts = 5, failed_at = now(), last_error = ${`e2e: simulated failure ${marker}`}
        where position(${marker}::bytea in body) > 0
        returning id::text as id`;
      eventId = row!.id;
    } finally {
      await db.end({ timeout: 1 });
    }

    await page.goto('/errors');
    const item = page.getByTestId('processing-failure').filter({ hasText: `Event #${eventId}` });
    await expect(item).toHaveCount(1);
    await expect(item).toContainText(`e2e: simulated failure ${marker}`);

    await item.getByRole('button', { name: `Show raw body of event ${eventId}` }).click();
    const body = item.getByLabel(`Raw body of event ${eventId}`);
    await expect(body).toContainText('"object": "whatsapp_business_account"');
    await expect(body).toContainText(marker);

    await item.getByRole('button', { name: `Retry event ${eventId}` }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Retried 1: 1 processed.' })).toBeVisible({ timeout: 15_000 });
    await expect(item).toHaveCount(0);
  });

  test('discards a processing failure after confirming, and it leaves the list for good', async ({ page }) => {
    const message = inboundMessage('text', `discard-me-${letters(12)}`, { customer: uniqueCustomer('Hedda'), to: uniqueNumber() });
    await deliver(message.body);
    await waitForProcessed(message.wamid);
    const url = process.env[E2E_ENV.databaseUrl];
    test.skip(!url, 'the e2e server runs on PGlite: its database cannot be reached from the test');
    const db = postgres(url!, { max: 1, onnotice: () => {} });
    let eventId: string;
    try {
      const [row] = await db<{ id: string }[]>`
        update webhook_events set state = 'failed', attempts = 5, failed_at = now(), last_error = 'e2e: given up on'
        where position(${message.wamid}::bytea in body) > 0
        returning id::text as id`;
      eventId = row!.id;
    } finally {
      await db.end({ timeout: 1 });
    }

    await page.goto('/errors');
    const item = page.getByTestId('processing-failure').filter({ hasText: `Event #${eventId}` });
    await expect(item).toHaveCount(1);
    // Dismissing the confirmation keeps it; accepting discards it.
    const discard = item.getByRole('button', { name: `Discard event ${eventId}` });
    await answerConfirm(page, discard, 'dismiss');
    await expect(item).toHaveCount(1);
    await answerConfirm(page, discard, 'accept');
    await expect(page.getByRole('status').filter({ hasText: `Discarded event ${eventId}.` })).toBeVisible();
    await expect(item).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('processing-failure').filter({ hasText: `Event #${eventId}` })).toHaveCount(0);
  });
});
