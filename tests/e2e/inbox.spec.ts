import { randomInt } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { SIMULATED_NUMBERS } from '../../tools/simulated-traffic';
import {
  deliver,
  expect,
  inboundMessage,
  inboundOfType,
  newCustomer,
  newWamid,
  statusUpdate,
  test,
  waitForProcessed,
  type Customer,
} from './helpers';

// The inbox in a browser: what each message type looks like, untrusted text, search, the business-number
// filter, unread counts across browsers, the keyboard, a missing conversation and a phone-sized screen.
// Every test makes its own customers (unique names and numbers): the database is shared by the whole run.

test.use({ role: 'admin' });

/** Letters only, so a name never matches a search for digits. */
function token(length = 8): string {
  return Array.from({ length }, () => String.fromCharCode(97 + randomInt(26))).join('');
}

/** A customer with a name nobody else in the run has. */
const uniqueCustomer = (first: string): Customer => newCustomer(`${first} ${token().replace(/^./, (c) => c.toUpperCase())}`);

const rows = (page: Page) => page.getByTestId('conversation');
const rowOf = (page: Page, customer: Customer) => rows(page).filter({ hasText: customer.name });
const bubble = (page: Page, wamid: string) => page.locator(`[data-testid="message"][data-wamid="${wamid}"]`);
const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search conversations' });
const listPane = (page: Page) => page.locator('aside[aria-label="Conversations"]');
const threadPane = (page: Page) => page.locator('section[aria-label="Conversation"]');

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('the list and the thread show every message type as what it is', async ({ page }) => {
  const customer = uniqueCustomer('Tour');
  const at = nowSeconds() - 30;
  let tick = 0;
  const next = () => ({ customer, timestamp: at + tick++ });

  await page.goto('/');
  const row = rowOf(page, customer);

  // Each message in turn: the list's row previews it (the newest message of the conversation).
  const sent: Record<string, string> = {};
  async function post(key: string, built: { wamid: string; body: Parameters<typeof deliver>[0] }, preview: string) {
    await deliver(built.body);
    sent[key] = built.wamid;
    await expect(row, `the list's preview of the ${key}`).toContainText(preview);
  }

  await post('text', inboundMessage('text', 'Hello, are you open on Sunday?', next()), 'Hello, are you open on Sunday?');
  await post('image', inboundMessage('image', 'The box arrived damaged', next()), 'The box arrived damaged');
  await post('video', inboundMessage('video', 'Unboxing video', next()), 'Unboxing video');
  await post('voice note', inboundMessage('audio', '', next()), 'Audio');
  await post('document', inboundMessage('document', 'Invoice attached', next()), 'Invoice attached');
  await post('sticker', inboundMessage('sticker', '', next()), 'Sticker');
  await post('location', inboundMessage('location', 'Brandenburg Gate', next()), 'Brandenburg Gate');
  await post(
    'contact card',
    inboundOfType(
      'contacts',
      {
        contacts: [
          {
            name: { formatted_name: 'Anna Schmidt', first_name: 'Anna', last_name: 'Schmidt' },
            phones: [{ phone: '+49 151 2345 6789', wa_id: '4915123456789', type: 'MOBILE' }],
            emails: [{ email: 'anna@example.com', type: 'WORK' }],
            org: { company: 'Schmidt GmbH' },
          },
        ],
      },
      next(),
    ),
    'Anna Schmidt',
  );
  await post('button reply', inboundMessage('interactive', '✅ Confirm', next()), '✅ Confirm');
  await post(
    'list reply',
    inboundOfType(
      'interactive',
      { interactive: { type: 'list_reply', list_reply: { id: 'pizza', title: '🍕 Pizza', description: 'Large, extra cheese' } } },
      next(),
    ),
    '🍕 Pizza',
  );
  await post('template button', inboundMessage('button', 'Stop promotions', next()), 'Stop promotions');
  await post('reaction', inboundMessage('reaction', '👍', { ...next(), targetId: sent.text }), 'Reacted 👍');
  await post(
    'order',
    inboundOfType(
      'order',
      {
        order: {
          catalog_id: '1493025811456521',
          text: 'Please deliver after 5pm',
          product_items: [
            { product_retailer_id: 'jacket-m-blue', quantity: 1, item_price: 89.9, currency: 'EUR' },
            { product_retailer_id: 'scarf-wool', quantity: 2, item_price: 19.5, currency: 'EUR' },
          ],
        },
      },
      next(),
    ),
    'Order: 3 items',
  );
  const systemBody = `User ${customer.name} changed from ${customer.waId} to 4915199999999`;
  await post(
    'system notice',
    inboundOfType('system', { system: { body: systemBody, wa_id: '4915199999999', type: 'user_changed_number' } }, next()),
    systemBody,
  );
  await post(
    'text from an ad',
    inboundOfType(
      'text',
      {
        text: { body: 'Is the winter sale still on?' },
        referral: {
          source_url: 'https://fb.me/3cr4Wqqkv',
          source_id: '120226305854810726',
          source_type: 'ad',
          headline: 'Winter sale: 30% off',
          body: 'All jackets',
        },
      },
      next(),
    ),
    'Is the winter sale still on?',
  );
  await post(
    'unsupported message',
    inboundOfType(
      'unsupported',
      {
        unsupported: { type: 'poll_creation' },
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      },
      next(),
    ),
    'Unsupported message',
  );
  await post('unknown type', inboundOfType('hologram', { hologram: { projection: 'cube', frames: 3 } }, next()), 'Unsupported message');
  // A reply sent from another system, known only by its status.
  const outbound = newWamid(customer.waId);
  await deliver(statusUpdate(outbound, 'sent', { recipient: customer.waId, timestamp: at + tick++ }));
  await expect(row, 'the list shows the outbound placeholder').toContainText('Sent from another system');
  await expect(row.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();

  await row.click();
  await expect(page).toHaveURL(/\/conversations\/\d+$/);
  await expect(page.getByRole('heading', { name: customer.name })).toBeVisible();

  // Every message is a bubble (the outbound placeholder too), but the reaction: it sits on the text it reacts to.
  await expect(page.getByTestId('message')).toHaveCount(Object.keys(sent).length - 1 + 1);
  await expect(page.getByTestId('day-separator')).toHaveCount(1);

  const text = bubble(page, sent.text!);
  await expect(text).toContainText('Hello, are you open on Sunday?');
  await expect(text).toHaveAttribute('data-direction', 'inbound');
  await expect(text.getByRole('list', { name: 'Reactions' }).getByLabel('Customer reacted 👍')).toHaveText('👍');
  await expect(bubble(page, sent.reaction!)).toHaveCount(0);
  await expect(page.getByTestId('reaction-notice')).toHaveCount(0);

  await expectBubble(page, sent.image!, ['Photo', 'The box arrived damaged', 'image/jpeg']);
  await expectBubble(page, sent.video!, ['Video', 'Unboxing video', 'video/mp4']);
  await expectBubble(page, sent['voice note']!, ['Voice message']);
  await expectBubble(page, sent.document!, ['Document', 'invoice.pdf', 'Invoice attached']);
  await expectBubble(page, sent.sticker!, ['Sticker']);

  const location = await expectBubble(page, sent.location!, ['Brandenburg Gate', 'Alexanderplatz, Berlin']);
  const map = location.getByRole('link', { name: 'Open map' });
  await expect(map).toHaveAttribute('href', 'https://www.openstreetmap.org/?mlat=52.52&mlon=13.405');
  await expect(map).toHaveAttribute('rel', /noopener/);

  await expectBubble(page, sent['contact card']!, ['Anna Schmidt', '+49 151 2345 6789', 'anna@example.com', 'Schmidt GmbH']);
  await expectBubble(page, sent['button reply']!, ['Button reply', '✅ Confirm']);
  await expectBubble(page, sent['list reply']!, ['List reply', '🍕 Pizza', 'Large, extra cheese']);
  await expectBubble(page, sent['template button']!, ['Button reply', 'Stop promotions']);

  const order = await expectBubble(page, sent.order!, ['Order', 'jacket-m-blue', 'scarf-wool', 'Please deliver after 5pm']);
  await expect(order.getByRole('row').filter({ hasText: 'Total' })).toContainText('128.90');
  await expect(order.getByRole('row').filter({ hasText: 'scarf-wool' })).toContainText('2');

  await expectBubble(page, sent['system notice']!, [systemBody]);
  await expectBubble(page, sent['text from an ad']!, ['From ad: Winter sale: 30% off', 'Is the winter sale still on?']);
  await expectBubble(page, sent['unsupported message']!, ['Unsupported message', 'Type: poll_creation', 'Message type unknown']);
  await expectBubble(page, sent['unknown type']!, ['Unsupported message', 'Type: hologram']);

  const placeholder = await expectBubble(page, outbound, ['Sent from another system — content not available']);
  await expect(placeholder).toHaveAttribute('data-direction', 'outbound');
  await expect(placeholder.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();
});

/** The bubble is there, shows each of these texts, and is never blank. */
async function expectBubble(page: Page, wamid: string, texts: string[]): Promise<Locator> {
  const b = bubble(page, wamid);
  await expect(b).toBeVisible();
  for (const t of texts) await expect(b).toContainText(t);
  return b;
}

test('untrusted text is shown as text: no markup, no script, only http(s) links', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  const customer = uniqueCustomer('Mallory');
  const at = nowSeconds() - 10;
  const img = inboundMessage('text', '<img src=x onerror=alert(1)>', { customer, timestamp: at });
  const script = inboundMessage('text', '<script>alert("ticks")</script>', { customer, timestamp: at + 1 });
  const js = inboundMessage('text', 'javascript:alert(1)', { customer, timestamp: at + 2 });
  const link = inboundMessage('text', 'Our docs: https://example.com/help?topic=ticks. Thanks!', { customer, timestamp: at + 3 });
  for (const m of [img, script, js, link]) await deliver(m.body);
  const { conversationId } = await waitForProcessed(link.wamid);
  await Promise.all([img, script, js].map((m) => waitForProcessed(m.wamid)));

  await page.goto(`/conversations/${conversationId}`);
  await expect(bubble(page, img.wamid)).toContainText('<img src=x onerror=alert(1)>');
  await expect(bubble(page, script.wamid)).toContainText('<script>alert("ticks")</script>');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="message"] script')).toHaveCount(0);

  const jsBubble = bubble(page, js.wamid);
  await expect(jsBubble).toContainText('javascript:alert(1)');
  await expect(jsBubble.locator('a')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);

  const anchor = bubble(page, link.wamid).getByRole('link');
  await expect(anchor).toHaveCount(1);
  await expect(anchor).toHaveText('https://example.com/help?topic=ticks');
  await expect(anchor).toHaveAttribute('href', 'https://example.com/help?topic=ticks');
  await expect(anchor).toHaveAttribute('rel', /\bnoopener\b/);
  await expect(anchor).toHaveAttribute('target', '_blank');

  // The list's preview of the same text is literal too.
  await page.goto('/');
  await expect(rowOf(page, customer)).toContainText('Our docs: https://example.com/help?topic=ticks');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('search narrows the list by name, by number and by message text', async ({ page }) => {
  const wanted = uniqueCustomer('Searchable');
  const other = uniqueCustomer('Bystander');
  const phrase = `tangerine${token(6)}`;
  await deliver(inboundMessage('text', `Do you have the ${phrase} jacket in blue?`, { customer: wanted }).body);
  await deliver(inboundMessage('text', 'Hello there', { customer: other }).body);

  await page.goto('/');
  await expect(rowOf(page, wanted)).toBeVisible();
  await expect(rowOf(page, other)).toBeVisible();
  const onlyWanted = async (query: string) => {
    await searchBox(page).fill(query);
    await expect(rows(page), `searching "${query}"`).toHaveCount(1);
    await expect(rowOf(page, wanted)).toBeVisible();
  };

  await onlyWanted(wanted.name.split(' ')[1]!.toLowerCase()); // part of the name, in another case
  await onlyWanted(wanted.waId.slice(-8)); // the last digits of the number
  await onlyWanted(`+${wanted.waId.slice(0, 2)} ${wanted.waId.slice(2, 6)} ${wanted.waId.slice(6)}`); // the number as people write it
  await onlyWanted(phrase); // a word from a message

  await searchBox(page).fill('');
  await expect(rowOf(page, other)).toBeVisible();
  await expect(rowOf(page, wanted)).toBeVisible();

  const nothing = `nomatch${token(10)}`;
  await searchBox(page).fill(nothing);
  await expect(page.getByText(`No conversations match “${nothing}”`)).toBeVisible();
  await expect(rows(page)).toHaveCount(0);
});

test('the business-number filter shows only that number’s conversations', async ({ page }) => {
  const { sales, support } = SIMULATED_NUMBERS;
  const toSales = uniqueCustomer('Salma');
  const toSupport = uniqueCustomer('Suki');
  await deliver(inboundMessage('text', 'A question for sales', { customer: toSales, to: sales }).body);
  await deliver(inboundMessage('text', 'A question for support', { customer: toSupport, to: support }).body);

  await page.goto('/');
  const select = page.getByRole('combobox', { name: /Business number/ });
  await expect(select).toBeVisible();
  await expect(select.locator('option')).toContainText(['All numbers', `+${sales.displayPhoneNumber}`, `+${support.displayPhoneNumber}`]);
  await expect(rowOf(page, toSales)).toContainText(`via +${sales.displayPhoneNumber}`);
  await expect(rowOf(page, toSupport)).toContainText(`via +${support.displayPhoneNumber}`);

  await select.selectOption(support.phoneNumberId);
  await expect(rowOf(page, toSales)).toHaveCount(0);
  await expect(rowOf(page, toSupport)).toBeVisible();
  await expect(rows(page).filter({ hasNotText: `via +${support.displayPhoneNumber}` })).toHaveCount(0);

  await select.selectOption(sales.phoneNumberId);
  await expect(rowOf(page, toSupport)).toHaveCount(0);
  await expect(rowOf(page, toSales)).toBeVisible();
  await expect(rows(page).filter({ hasNotText: `via +${sales.displayPhoneNumber}` })).toHaveCount(0);

  await select.selectOption({ label: 'All numbers' });
  await expect(rowOf(page, toSupport)).toBeVisible();
  await expect(rowOf(page, toSales)).toBeVisible();
});

test('opening a conversation clears its unread count, in every open browser', async ({ page, browser, storageState, baseURL }) => {
  const customer = uniqueCustomer('Una');
  const at = nowSeconds() - 5;
  await deliver(inboundMessage('text', 'First question', { customer, timestamp: at }).body);
  const second = inboundMessage('text', 'Second question', { customer, timestamp: at + 1 });
  await deliver(second.body);
  await waitForProcessed(second.wamid);

  const other = await browser.newContext({ storageState, baseURL });
  try {
    const watcher = await other.newPage();
    await watcher.goto('/');
    await watcher.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await expect(rowOf(watcher, customer).getByLabel('2 unread messages')).toHaveText('2');

    await page.goto('/');
    const row = rowOf(page, customer);
    await expect(row.getByLabel('2 unread messages')).toBeVisible();
    await row.click();
    await expect(bubble(page, second.wamid)).toBeVisible();
    await expect(row).toHaveAttribute('aria-current', 'true');
    await expect(row.getByLabel(/unread message/)).toHaveCount(0);

    // The other browser hears of it without reloading.
    await expect(rowOf(watcher, customer).getByLabel(/unread message/)).toHaveCount(0);
    await expect(rowOf(watcher, customer)).toBeVisible();
    expect(await watcher.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  } finally {
    await other.close();
  }
});

test('messages that keep coming into the open conversation are marked read together, and it ends read', async ({ page }) => {
  const customer = uniqueCustomer('Rita');
  const first = inboundMessage('text', 'Opening line', { customer });
  await deliver(first.body);
  await waitForProcessed(first.wamid);

  // The mark on opening is held until five more messages are on screen: each of them asks for a mark
  // meanwhile, and those fold into one more, sent once the first is answered.
  const marks: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/conversations\/[^/]+\/read$/, async (route) => {
    marks.push(route.request().url());
    if (marks.length === 1) await released;
    await route.continue();
  });
  await page.goto('/');
  const row = rowOf(page, customer);
  await row.click();
  await expect(bubble(page, first.wamid)).toBeVisible();
  await expect.poll(() => marks.length).toBe(1);
  for (let i = 1; i <= 5; i++) {
    const next = inboundMessage('text', `Follow-up ${i}`, { customer });
    await deliver(next.body);
    await expect(bubble(page, next.wamid)).toBeVisible();
  }
  expect(marks).toHaveLength(1);
  release();

  await expect.poll(() => marks.length).toBe(2);
  await expect(row).toContainText('Follow-up 5');
  await expect(row.getByLabel(/unread message/)).toHaveCount(0);
  // No more come of it.
  await page.waitForTimeout(500);
  expect(marks).toHaveLength(2);
});

test('the keyboard moves through the list and opens a conversation', async ({ page }) => {
  const shared = `kbd${token(8)}`;
  const older = newCustomer(`Kay ${shared} Older`);
  const newer = newCustomer(`Kay ${shared} Newer`);
  const at = nowSeconds() - 5;
  const first = inboundMessage('text', 'From the older one', { customer: older, timestamp: at });
  await deliver(first.body);
  const { conversationId: olderId } = await waitForProcessed(first.wamid);
  await deliver(inboundMessage('text', 'From the newer one', { customer: newer, timestamp: at + 1 }).body);

  await page.goto('/');
  await searchBox(page).fill(shared);
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).nth(0)).toContainText(newer.name);
  await expect(rows(page).nth(1)).toContainText(older.name);

  // One tab stop for the list: the first row.
  await expect(rows(page).nth(0)).toHaveAttribute('tabindex', '0');
  await expect(rows(page).nth(1)).toHaveAttribute('tabindex', '-1');
  await rows(page).nth(0).focus();
  await page.keyboard.press('ArrowDown');
  await expect(rowOf(page, older)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(rowOf(page, newer)).toBeFocused();
  await page.keyboard.press('End');
  await expect(rowOf(page, older)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(rowOf(page, newer)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(rowOf(page, older)).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(`/conversations/${olderId}`);
  await expect(page.getByRole('heading', { name: older.name })).toBeVisible();
  await expect(bubble(page, first.wamid)).toContainText('From the older one');
  await expect(rowOf(page, older)).toHaveAttribute('aria-current', 'true');
});

test('a long thread loads older messages as you scroll up, shows a reply to one of them, and offers a way down to new ones', async ({
  page,
}) => {
  const customer = uniqueCustomer('Lena');
  const start = nowSeconds() - 3600;
  // 70 messages: more than one page (50). The last one replies to the very first.
  const first = inboundMessage('text', 'message number 1', { customer, timestamp: start });
  await deliver(first.body);
  const wamids = [first.wamid];
  for (let i = 2; i <= 69; i++) {
    const message = inboundMessage('text', `message number ${i}`, { customer, timestamp: start + i });
    wamids.push(message.wamid);
    await deliver(message.body);
  }
  const reply = inboundMessage('text', 'about that first one', { customer, timestamp: start + 70 });
  const item = (reply.body.entry[0]!.changes[0]!.value as { messages: Record<string, unknown>[] }).messages[0]!;
  item.context = { from: customer.waId, id: first.wamid };
  await deliver(reply.body);
  const { conversationId } = await waitForProcessed(reply.wamid);

  await page.goto(`/conversations/${conversationId}`);
  const thread = threadPane(page);
  await expect(bubble(page, reply.wamid)).toBeVisible();
  // The quoted message is older than the first page: it is fetched on its own.
  await expect(bubble(page, reply.wamid)).toContainText('message number 1');
  await expect(thread.getByTestId('message')).toHaveCount(50);

  // Scrolling to the top brings the rest, and the reader stays where they were.
  const anchorBubble = bubble(page, wamids[20]!); // the oldest of the first page: at the top before scrolling
  await thread.locator('div.overflow-y-auto').evaluate((el) => el.scrollTo(0, 0));
  await expect(thread.getByTestId('message')).toHaveCount(70);
  await expect(bubble(page, first.wamid)).toBeAttached();
  await expect(anchorBubble).toBeInViewport();

  // Reading further up, a new message does not pull the reader down: it offers a way there.
  const later = inboundMessage('text', 'a new one meanwhile', { customer, timestamp: start + 80 });
  await deliver(later.body);
  const jump = thread.getByRole('button', { name: 'New messages ↓' });
  await expect(jump).toBeVisible();
  await expect(anchorBubble).toBeInViewport();
  await jump.click();
  await expect(bubble(page, later.wamid)).toBeInViewport();
  await expect(jump).toHaveCount(0);
});

test('a conversation that does not exist says so, with a way back', async ({ page }) => {
  await page.goto('/conversations/999999999');
  await expect(page.getByText('This conversation does not exist.')).toBeVisible();
  const back = page.getByRole('link', { name: 'Back to the inbox' });
  await expect(back).toBeVisible();
  await back.click();
  await expect(page).toHaveURL('/');
  await expect(page.getByText('Pick a conversation')).toBeVisible();
});

test.describe('on a phone-sized screen', () => {
  test.use({ viewport: { width: 390, height: 800 } });

  test('the list and the thread are two views, with a way back', async ({ page }) => {
    const customer = uniqueCustomer('Pia');
    const message = inboundMessage('text', 'Typed on my phone', { customer });
    await deliver(message.body);

    await page.goto('/');
    await expect(listPane(page)).toBeVisible();
    await expect(threadPane(page)).toBeHidden();

    await rowOf(page, customer).click();
    await expect(page).toHaveURL(/\/conversations\/\d+$/);
    await expect(bubble(page, message.wamid)).toContainText('Typed on my phone');
    await expect(threadPane(page)).toBeVisible();
    await expect(listPane(page)).toBeHidden();

    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await expect(page).toHaveURL('/');
    await expect(listPane(page)).toBeVisible();
    await expect(rowOf(page, customer)).toBeVisible();
    await expect(threadPane(page)).toBeHidden();
  });
});
