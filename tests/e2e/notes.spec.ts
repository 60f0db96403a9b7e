import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import {
  clickNotification,
  customerWrites,
  E2E_USERS,
  expect,
  openLive,
  recordNotifications,
  serverUrl,
  shownNotifications,
  test,
  uniqueCustomer,
} from './helpers';
import { storageStatePath } from './shared';

// Private notes and the trail in a browser: an agent writes a note mentioning the admin picked from the
// @ list, it shows as a note (and never as a message), the admin's browser shows it live, Resolve,
// Reopen and the customer writing again leave system lines, a note can be written when the 24-hour window is closed, and the admin
// audit page lists a user change made here.

test.use({ role: 'agent' });

// Two browsers through a whole story each: on two busy cores (CI) more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

const nowSeconds = () => Math.floor(Date.now() / 1000);

const noteBox = (page: Page) => page.getByRole('combobox', { name: 'Note' });

test('a note with an @mention picked from the list shows as a note, live in a second browser; resolve and reopen show system lines', async ({
  page,
  browser,
}) => {
  const customer = uniqueCustomer('Nora');
  const id = await customerWrites(customer, 'My order never came');
  await openLive(page, `/conversations/${id}`);
  await expect(page.getByTestId('message').filter({ hasText: 'My order never came' })).toBeVisible();

  const adminContext = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
  try {
    const adminPage = await adminContext.newPage();
    await openLive(adminPage, `/conversations/${id}`);
    await expect(adminPage.getByTestId('message').filter({ hasText: 'My order never came' })).toBeVisible();

    await page.getByRole('tab', { name: 'Note' }).click();
    await expect(page.getByTestId('composer')).toHaveAttribute('data-mode', 'note');
    // Attachments and templates are for messages only.
    await expect(page.getByRole('button', { name: 'Attach' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Template' })).toHaveCount(0);

    const marker = randomUUID().slice(0, 8);
    await noteBox(page).pressSequentially(`Refund ${marker} agreed, @${E2E_USERS.admin.name.slice(0, 2)}`, { delay: 10 });
    const list = page.getByRole('listbox', { name: 'Mention someone' });
    await expect(list).toBeVisible();
    await list.getByRole('option', { name: new RegExp(`^${E2E_USERS.admin.name}`) }).click();
    await expect(list).toHaveCount(0);
    await expect(noteBox(page)).toHaveValue(`Refund ${marker} agreed, @${E2E_USERS.admin.name} `);
    await noteBox(page).pressSequentially('please approve', { delay: 10 });
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${id}/notes`) && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Add note' }).click();
    const response = await saved;
    expect(response.status()).toBe(201);
    const entry = (await response.json()) as { details: { mentions: { name: string }[] } };
    expect(entry.details.mentions.map((m) => m.name)).toEqual([E2E_USERS.admin.name]);
    await expect(noteBox(page)).toHaveValue('');

    for (const viewer of [page, adminPage]) {
      const note = viewer.getByTestId('note').filter({ hasText: marker });
      await expect(note).toBeVisible();
      await expect(note).toContainText('Note');
      await expect(note).toContainText(E2E_USERS.agent.name);
      await expect(note.getByTestId('note-mention')).toHaveText(`@${E2E_USERS.admin.name}`);
      // A note, not a message bubble.
      await expect(viewer.getByTestId('message').filter({ hasText: marker })).toHaveCount(0);
    }

    // Back to Reply, then resolve and reopen: each a system line in both browsers.
    await page.getByRole('tab', { name: 'Reply' }).click();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    const resolved = `Resolved by ${E2E_USERS.agent.name}`;
    await expect(page.getByTestId('activity-line').filter({ hasText: resolved })).toBeVisible();
    await expect(adminPage.getByTestId('activity-line').filter({ hasText: resolved })).toBeVisible();
    await page.getByRole('button', { name: 'Reopen', exact: true }).click();
    const reopened = `Reopened by ${E2E_USERS.agent.name}`;
    await expect(page.getByTestId('activity-line').filter({ hasText: reopened })).toBeVisible();
    await expect(adminPage.getByTestId('activity-line').filter({ hasText: reopened })).toBeVisible();

    // Resolved again, the customer's next message opens it: a line by the customer.
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect(page.getByTestId('activity-line').filter({ hasText: resolved })).toHaveCount(2);
    await customerWrites(customer, 'Any news?');
    const byCustomer = "Reopened by the customer's message";
    await expect(page.getByTestId('activity-line').filter({ hasText: byCustomer })).toBeVisible();
    await expect(adminPage.getByTestId('activity-line').filter({ hasText: byCustomer })).toBeVisible();

    // The admin reads the whole trail on its own page.
    await adminPage.getByRole('link', { name: 'Activity' }).click();
    await expect(adminPage).toHaveURL(new RegExp(`/conversations/${id}/activity$`));
    const entries = adminPage.getByTestId('activity-entry');
    await expect(entries.filter({ hasText: marker })).toHaveAttribute('data-action', 'note');
    await expect(entries.filter({ hasText: reopened })).toBeVisible();
    await expect(entries.filter({ hasText: resolved })).toHaveCount(2);
    await expect(entries.filter({ hasText: byCustomer })).toBeVisible();
  } finally {
    await adminContext.close();
  }
});

test('the admin mentioned in a note gets a browser notification that opens the conversation', async ({ page, browser }) => {
  const customer = uniqueCustomer('Ida');
  const id = await customerWrites(customer, 'Where is my parcel?');
  const adminContext = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
  await recordNotifications(adminContext);
  try {
    const adminPage = await adminContext.newPage();
    await openLive(adminPage, '/');
    // A kept-alive connection the server has just closed answers with a reset: that is one more poll, not a failure.
    await expect.poll(async () => (await adminPage.request.get('/api/me/notifications').catch(() => null))?.status()).toBe(200);

    await openLive(page, `/conversations/${id}`);
    await page.getByRole('tab', { name: 'Note' }).click();
    const marker = randomUUID().slice(0, 8);
    await noteBox(page).pressSequentially(`Parcel ${marker}, @${E2E_USERS.admin.name.slice(0, 2)}`, { delay: 10 });
    await page
      .getByRole('listbox', { name: 'Mention someone' })
      .getByRole('option', { name: new RegExp(`^${E2E_USERS.admin.name}`) })
      .click();
    await page.getByRole('button', { name: 'Add note' }).click();

    const title = `${E2E_USERS.agent.name} mentioned you (${customer.name})`;
    await expect
      .poll(() => shownNotifications(adminPage), { timeout: 15_000 })
      .toContainEqual({
        title,
        body: `Parcel ${marker}, @${E2E_USERS.admin.name} `.trim(),
      });
    await clickNotification(adminPage, title);
    await expect(adminPage).toHaveURL(new RegExp(`/conversations/${id}$`));
    await expect(adminPage.getByTestId('note').filter({ hasText: marker })).toBeVisible();
  } finally {
    await adminContext.close();
  }
});

test('a note can be written when the 24-hour window is closed', async ({ page }) => {
  const customer = uniqueCustomer('Olga');
  const id = await customerWrites(customer, 'Hello from yesterday', { timestamp: nowSeconds() - 25 * 3600 });
  await openLive(page, `/conversations/${id}`);
  await expect(page.getByTestId('service-window')).toHaveAttribute('data-state', 'closed');
  await page.getByRole('tab', { name: 'Note' }).click();
  await noteBox(page).fill('Customer wrote yesterday, call them back');
  await noteBox(page).press('Enter');
  await expect(page.getByTestId('note').filter({ hasText: 'call them back' })).toBeVisible();
});

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('the audit page lists user changes made here, newest first', async ({ page }) => {
    await page.goto('/admin/audit');
    await expect(page.getByRole('heading', { name: 'Audit' })).toBeVisible();
    const name = `Audit Person ${randomUUID().slice(0, 6)}`;
    const headers = { origin: serverUrl() };
    const created = await page.request.post('/api/admin/users', {
      headers,
      data: { email: `audit-${randomUUID().slice(0, 8)}@ticks.test`, name, password: 'audit-password-0123', role: 'agent' },
    });
    expect(created.status(), await created.text()).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };
    const changed = await page.request.patch(`/api/admin/users/${user.id}`, { headers, data: { name: `${name} Renamed` } });
    expect(changed.status(), await changed.text()).toBe(200);

    await page.reload();
    const entries = page.getByTestId('audit-entry');
    await expect(entries.filter({ hasText: `${E2E_USERS.admin.name} added ${name} (` })).toHaveAttribute('data-action', 'user.created');
    await expect(entries.filter({ hasText: `renamed ${name} to ${name} Renamed` })).toHaveAttribute('data-action', 'user.renamed');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' })).toHaveAttribute(
      'aria-current',
      'page',
    );
  });
});
