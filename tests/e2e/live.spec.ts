import type { Page } from '@playwright/test';
import {
  type Customer,
  deliver,
  type E2eRole,
  expect,
  inboundMessage,
  isEventStream,
  newCustomerNumber,
  newWamid,
  openLive as openInbox,
  REENGAGEMENT_ERROR,
  statusUpdate,
  test,
  uniqueCustomer,
  waitForProcessed,
} from './helpers';

// Live updates: with the inbox open, webhooks show up without a reload (Server-Sent Events on
// /api/events), and when that stream is down the page says so and polls instead.

const rows = (page: Page) => page.getByTestId('conversation');
const rowOf = (page: Page, customer: Customer | string) =>
  rows(page).filter({ hasText: typeof customer === 'string' ? customer : customer.name });
const bubble = (page: Page, wamid: string) => page.locator(`[data-testid="message"][data-wamid="${wamid}"]`);
const offlineBanner = (page: Page) => page.getByRole('status').filter({ hasText: 'Offline:' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Opens a page of the inbox and waits until its change stream is connected; marks the document to prove later that it never reloaded. */
async function openLive(page: Page, path: string) {
  await openInbox(page, path);
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
}

async function expectNotReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), 'the page was reloaded').toBe(true);
}

for (const role of ['admin', 'agent'] as const satisfies readonly E2eRole[]) {
  test.describe(`as ${role === 'admin' ? 'an admin' : 'an agent'}`, () => {
    test.use({ role });

    test('a new customer’s message appears in the list, and the next one in the open thread', async ({ page }) => {
      await openLive(page, '/');
      const customer = uniqueCustomer('Nova');
      const first = inboundMessage('text', 'Hi, I just found you!', { customer });
      await deliver(first.body);

      const row = rowOf(page, customer);
      await expect(row).toContainText('Hi, I just found you!');
      await expect(row.getByLabel('1 unread message')).toBeVisible();

      await row.click();
      await expect(bubble(page, first.wamid)).toContainText('Hi, I just found you!');
      const second = inboundMessage('text', 'Are you there?', { customer });
      await deliver(second.body);
      await expect(bubble(page, second.wamid)).toContainText('Are you there?');
      await expect(row).toContainText('Are you there?');
      // The open conversation stays read.
      await expect(row.getByLabel(/unread message/)).toHaveCount(0);
      await expectNotReloaded(page);
    });
  });
}

test.describe('delivery ticks', () => {
  test.use({ role: 'admin' });

  test('an outbound message goes from Sent to Delivered to Read as its statuses arrive', async ({ page }) => {
    const recipient = newCustomerNumber();
    const wamid = newWamid(recipient);
    const at = nowSeconds() - 5;
    await deliver(statusUpdate(wamid, 'sent', { recipient, timestamp: at }));
    const { conversationId } = await waitForProcessed(wamid, { status: 'sent' });

    await openLive(page, `/conversations/${conversationId}`);
    const message = bubble(page, wamid);
    const row = rowOf(page, `+${recipient}`);
    await expect(message).toContainText('Sent from another system — content not available');
    await expect(message.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();
    await expect(row.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();

    await deliver(statusUpdate(wamid, 'delivered', { recipient, timestamp: at + 1 }));
    await expect(message.getByRole('img', { name: 'Delivered', exact: true })).toBeVisible();
    await expect(message.getByRole('img', { name: 'Sent', exact: true })).toHaveCount(0);
    await expect(row.getByRole('img', { name: 'Delivered', exact: true })).toBeVisible();

    await deliver(statusUpdate(wamid, 'read', { recipient, timestamp: at + 2 }));
    await expect(message.getByRole('img', { name: 'Read', exact: true })).toBeVisible();
    await expect(message.getByRole('img', { name: 'Delivered', exact: true })).toHaveCount(0);
    await expect(row.getByRole('img', { name: 'Read', exact: true })).toBeVisible();
    await expectNotReloaded(page);
  });

  test('an open thread shows a new message and its ticks from the stream itself, before its refetch answers', async ({ page }) => {
    const customer = uniqueCustomer('Iris');
    const first = inboundMessage('text', 'Good morning', { customer });
    await deliver(first.body);
    const { conversationId } = await waitForProcessed(first.wamid);
    await openLive(page, `/conversations/${conversationId}`);
    await expect(bubble(page, first.wamid)).toContainText('Good morning');

    // From now on the thread's refetches hang: what shows must have come with the change notices.
    const held: (() => Promise<void>)[] = [];
    let holding = true;
    await page.route(/\/api\/conversations\/[^/]+\/messages/, (route) =>
      holding ? void held.push(() => route.continue()) : route.continue(),
    );
    const second = inboundMessage('text', 'Is the shop open today?', { customer });
    await deliver(second.body);
    await expect(bubble(page, second.wamid)).toContainText('Is the shop open today?');

    const wamid = newWamid(customer.waId);
    await deliver(statusUpdate(wamid, 'delivered', { recipient: customer.waId }));
    await expect(bubble(page, wamid).getByRole('img', { name: 'Delivered', exact: true })).toBeVisible();
    await deliver(statusUpdate(wamid, 'read', { recipient: customer.waId }));
    await expect(bubble(page, wamid).getByRole('img', { name: 'Read', exact: true })).toBeVisible();
    expect(held.length, 'the thread asked again for its messages').toBeGreaterThan(0);

    // Once its refetches are answered, the thread still shows each message once, in order.
    holding = false;
    await Promise.all(held.map((go) => go()));
    await expect(page.getByTestId('message')).toHaveCount(3);
    await expect(page.getByTestId('message').last()).toHaveAttribute('data-wamid', wamid);
    await expectNotReloaded(page);
  });

  test('a failed message shows the Failed mark, and the error behind it on click', async ({ page }) => {
    const recipient = newCustomerNumber();
    const wamid = newWamid(recipient);
    const at = nowSeconds() - 5;
    await deliver(statusUpdate(wamid, 'sent', { recipient, timestamp: at }));
    const { conversationId } = await waitForProcessed(wamid, { status: 'sent' });

    await openLive(page, `/conversations/${conversationId}`);
    const message = bubble(page, wamid);
    await expect(message.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();

    await deliver(statusUpdate(wamid, 'failed', { recipient, timestamp: at + 1, errors: [REENGAGEMENT_ERROR] }));
    const failed = message.getByRole('button', { name: 'Failed', exact: true });
    await expect(failed).toBeVisible();
    await expect(message.getByRole('img', { name: 'Sent', exact: true })).toHaveCount(0);
    await expect(rowOf(page, `+${recipient}`).getByRole('img', { name: 'Failed', exact: true })).toBeVisible();

    await failed.click();
    const details = page.getByRole('dialog', { name: 'Delivery errors' });
    await expect(details).toBeVisible();
    await expect(details).toContainText('Not delivered');
    await expect(details).toContainText(REENGAGEMENT_ERROR.title);
    await expect(details).toContainText(`(${REENGAGEMENT_ERROR.code})`);
    await expect(details).toContainText(REENGAGEMENT_ERROR.error_data!.details);
    await expect(failed).toHaveAttribute('aria-expanded', 'true');

    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expectNotReloaded(page);
  });
});

test.describe('without the change stream', () => {
  test.use({ role: 'admin' });

  test('the page says it is offline, keeps up by polling, and goes live again', async ({ page }) => {
    // An open stream outlives any route set up after it: keep a handle on the page's EventSources so
    // the test can drop the connection the way a network failure does (close, then an "error" event).
    await page.addInitScript(() => {
      const Native = window.EventSource;
      const opened: EventSource[] = [];
      class Tracked extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          opened.push(this);
        }
      }
      window.EventSource = Tracked;
      (window as unknown as { dropEventStreams: () => void }).dropEventStreams = () => {
        for (const source of opened.splice(0)) {
          source.close();
          source.dispatchEvent(new Event('error'));
        }
      };
    });
    // Timers under Playwright's clock (flowing in real time): once unblocked, the reconnect can be
    // brought forward instead of waiting out the backoff.
    await page.clock.install();
    await openLive(page, '/');
    await expect(offlineBanner(page)).toHaveCount(0);

    // Every reconnect is refused from now on; then the open stream drops.
    let refused = 0;
    await page.route('**/api/events', (route) => {
      refused += 1;
      return route.abort('connectionrefused');
    });
    await page.evaluate(() => (window as unknown as { dropEventStreams: () => void }).dropEventStreams());
    await expect(offlineBanner(page)).toContainText('Offline: live updates paused');
    await expect.poll(() => refused, { message: 'the page tries to reconnect' }).toBeGreaterThan(0);

    const customer = uniqueCustomer('Polly');
    const message = inboundMessage('text', 'Anyone home?', { customer });
    await deliver(message.body);
    await expect(rowOf(page, customer)).toContainText('Anyone home?', { timeout: 10_000 });
    await expect(offlineBanner(page)).toBeVisible();

    await page.unroute('**/api/events');
    const reconnected = page.waitForResponse((r) => isEventStream(r.url()) && r.status() === 200);
    await page.clock.fastForward(60_000);
    await reconnected;
    await expect(offlineBanner(page)).toHaveCount(0);

    // Live again: the next message comes by the stream.
    const next = inboundMessage('text', 'Back online?', { customer });
    await deliver(next.body);
    await expect(rowOf(page, customer)).toContainText('Back online?');
    await expectNotReloaded(page);
  });
});
