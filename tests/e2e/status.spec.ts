import type { Locator, Page } from '@playwright/test';
import {
  type Customer,
  customerWrites,
  deliver,
  expect,
  inboundMessage,
  openLive,
  showOnlyNumber,
  readApi,
  serverUrl,
  test,
  uniqueBusinessNumber,
  uniqueCustomer,
} from './helpers';
import { E2E_ENV } from './shared';

// Conversation status in a browser, as an agent: Resolve and Reopen from the thread, the list's tabs and
// their counts, a customer writing again opening a resolved conversation live, Snooze (a preset, a date
// and time of one's own), and a snooze ending by itself while the inbox is open. Each test has its own
// customer. A test that reads the tabs' counts writes to a business number of its own and shows only it
// (ownNumber), so the counts are its conversation's alone: other specs resolve conversations too, and a
// test running beside its own repeat would move the same counts.

test.use({ role: 'agent' });

const rowOf = (page: Page, customer: Customer) => page.getByTestId('conversation').filter({ hasText: customer.name });
const tab = (page: Page, label: string) => page.getByRole('tab', { name: new RegExp(`^${label}`) });
const threadHeader = (page: Page) => page.locator('section[aria-label="Conversation"] header');
const badge = (page: Page) => threadHeader(page).getByTestId('conversation-status');
/**
 * The customer writes to a business number no other test uses; the page opens their conversation and
 * shows that number only. Once its Open tab counts 1, every count on the page is this conversation's.
 */
async function ownNumber(page: Page, customer: Customer, text: string) {
  const number = uniqueBusinessNumber();
  const id = await customerWrites(customer, text, { to: number });
  await openLive(page, `/conversations/${id}`);
  await showOnlyNumber(page, number);
  await expectCount(page, 'Open', 1);
  return { id, number };
}
const expectCount = (page: Page, label: string, n: number) =>
  expect(tab(page, label).getByTestId('status-count')).toHaveAttribute('title', n.toLocaleString('en-US'));

/** Sets a status as an integrator would (an API key). */
async function setStatusByApi(conversationId: string, body: Record<string, unknown>) {
  const res = await fetch(`${serverUrl()}/api/conversations/${conversationId}/status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env[E2E_ENV.apiKey]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function expectSnoozedAbout(time: Locator, fromNowMs: number) {
  const at = Date.parse((await time.getAttribute('datetime'))!);
  expect(Math.abs(at - (Date.now() + fromNowMs))).toBeLessThan(2 * 60_000);
}

test('the counts come from their own route, not from /api/conversations/{id}', async () => {
  const res = await readApi('/api/conversations/counts');
  expect(res.status).toBe(200);
  const { counts } = (await res.json()) as { counts: Record<string, number> };
  expect(Object.keys(counts).sort()).toEqual(['open', 'pending', 'resolved', 'snoozed']);
  for (const n of Object.values(counts)) expect(Number.isInteger(n)).toBe(true);
});

test('Resolve moves the conversation from Open to Resolved; the customer writing again brings it back, live', async ({ page }) => {
  const customer = uniqueCustomer('Rosa');
  const { number } = await ownNumber(page, customer, 'Where is my parcel?');

  await expect(tab(page, 'Open')).toHaveAttribute('aria-selected', 'true');
  await expect(rowOf(page, customer)).toBeVisible();
  await expect(badge(page)).toHaveText('Open');
  await expectCount(page, 'Resolved', 0);

  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(badge(page)).toHaveText('Resolved');
  await expect(rowOf(page, customer)).toHaveCount(0);
  await expectCount(page, 'Resolved', 1);
  await expect(page.getByRole('button', { name: 'Resolve', exact: true })).toHaveCount(0);

  await tab(page, 'Resolved').click();
  await expect(tab(page, 'Resolved')).toHaveAttribute('aria-selected', 'true');
  await expect(rowOf(page, customer)).toBeVisible();

  // The customer writes again: out of Resolved, back in Open, in this page without a reload.
  await deliver(inboundMessage('text', 'Hello? Any news?', { customer, to: number }).body);
  await expect(rowOf(page, customer)).toHaveCount(0);
  await expect(badge(page)).toHaveText('Open');
  await expectCount(page, 'Resolved', 0);
  await tab(page, 'Open').click();
  await expect(rowOf(page, customer)).toContainText('Hello? Any news?');
});

test('Mark pending moves it under Pending; Reopen takes it back before the customer answers', async ({ page }) => {
  const customer = uniqueCustomer('Petra');
  await ownNumber(page, customer, 'Let me find my order number');
  await expectCount(page, 'Pending', 0);

  await page.getByRole('button', { name: 'Mark pending', exact: true }).click();
  await expect(badge(page)).toHaveText('Pending');
  await expect(rowOf(page, customer)).toHaveCount(0);
  await expectCount(page, 'Pending', 1);
  await expect(page.getByRole('button', { name: 'Mark pending', exact: true })).toHaveCount(0);

  await page.getByRole('button', { name: 'Reopen', exact: true }).click();
  await expect(badge(page)).toHaveText('Open');
  await expectCount(page, 'Pending', 0);
  await expect(rowOf(page, customer)).toBeVisible();
});

test('Snooze for 1 hour puts it under Snoozed with its time; Reopen brings it back', async ({ page }) => {
  const customer = uniqueCustomer('Otto');
  await ownNumber(page, customer, 'I will call you later');
  await expectCount(page, 'Snoozed', 0);

  await page.getByRole('button', { name: 'Snooze', exact: true }).click();
  await page
    .getByRole('group', { name: 'Snooze until' })
    .getByRole('button', { name: /^1 hour/ })
    .click();
  await expect(badge(page)).toContainText('Snoozed until');
  await expectSnoozedAbout(badge(page).locator('time'), 60 * 60_000);
  await expect(page.getByRole('group', { name: 'Snooze until' })).toHaveCount(0);
  await expect(rowOf(page, customer)).toHaveCount(0);
  await expectCount(page, 'Snoozed', 1);

  await tab(page, 'Snoozed').click();
  const item = page.getByRole('listitem').filter({ has: rowOf(page, customer) });
  await expect(item).toContainText('Snoozed until');
  await expectSnoozedAbout(item.locator('time[datetime]').last(), 60 * 60_000);

  await page.getByRole('button', { name: 'Reopen', exact: true }).click();
  await expect(badge(page)).toHaveText('Open');
  await expect(rowOf(page, customer)).toHaveCount(0);
  await expectCount(page, 'Snoozed', 0);
  await tab(page, 'Open').click();
  await expect(rowOf(page, customer)).toBeVisible();
});

test('Snooze until a date and time of one’s own; a past time is refused in words', async ({ page }) => {
  const customer = uniqueCustomer('Ines');
  const id = await customerWrites(customer, 'Back from holiday on the 20th');
  await openLive(page, `/conversations/${id}`);

  await page.getByRole('button', { name: 'Snooze', exact: true }).click();
  const menu = page.getByRole('group', { name: 'Snooze until' });
  await menu.getByRole('button', { name: 'Custom…' }).click();
  const input = menu.getByLabel('Date and time');
  await input.fill('2020-01-01T09:00');
  await menu.getByRole('button', { name: 'Snooze until' }).click();
  await expect(threadHeader(page).getByRole('alert')).toHaveText('The snooze time must be in the future.');
  await expect(badge(page)).toHaveText('Open');

  // Three days ahead, 10:30 in the browser's time zone.
  const until = await page.evaluate(() => {
    const d = new Date();
    const at = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 3, 10, 30);
    const pad = (n: number) => String(n).padStart(2, '0');
    return { value: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T10:30`, iso: at.toISOString() };
  });
  await input.fill(until.value);
  await menu.getByRole('button', { name: 'Snooze until' }).click();
  await expect(badge(page)).toContainText('Snoozed until');
  await expect(badge(page).locator('time')).toHaveAttribute('datetime', until.iso);
  await expect(threadHeader(page).getByRole('alert')).toHaveCount(0);
});

test('a snooze that ends reopens the conversation by itself in the open inbox', async ({ page }) => {
  const customer = uniqueCustomer('Wake');
  const id = await customerWrites(customer, 'Remind me in a moment');
  await openLive(page, '/');
  await expect(rowOf(page, customer)).toBeVisible();

  await setStatusByApi(id, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 3000).toISOString() });
  await expect(rowOf(page, customer)).toHaveCount(0);
  // The waker looks every 5 s on every instance: back within seconds of its time, without a reload.
  await expect(rowOf(page, customer)).toBeVisible({ timeout: 20_000 });
  const conversation = (await (await readApi(`/api/conversations/${id}`)).json()) as { status: string; snoozedUntil: string | null };
  expect(conversation).toMatchObject({ status: 'open', snoozedUntil: null });
});
