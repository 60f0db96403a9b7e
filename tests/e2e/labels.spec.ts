import { randomBytes } from 'node:crypto';
import { type Page, request } from '@playwright/test';
import { type Customer, customerWrites, expect, newCustomer, openLive, serverUrl, test } from './helpers';
import { storageStatePath } from './shared';

// Labels in a browser: an admin manages them on /admin/labels (create with a colour, rename, delete with a
// confirmation that says how many conversations carry it); an agent puts one on a conversation from the
// thread, sees it in the thread and the list, filters the list by it and takes it off, while a second
// browser sees the chip come and go live. Every label and customer is this run's own.

const unique = () => randomBytes(4).toString('hex');
/** A label made by an admin through the API: its id. */
async function createLabelAsAdmin(name: string, colour: string): Promise<string> {
  const admin = await request.newContext({
    baseURL: serverUrl(),
    storageState: storageStatePath('admin'),
    extraHTTPHeaders: { origin: serverUrl() },
  });
  try {
    const res = await admin.post('/api/admin/labels', { data: { name, colour } });
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  } finally {
    await admin.dispose();
  }
}

const rowItem = (page: Page, customer: Customer) =>
  page.getByRole('list', { name: 'Conversation list' }).getByRole('listitem').filter({ hasText: customer.name });
const threadHeader = (page: Page) => page.locator('section[aria-label="Conversation"] header');

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('creates a label with a colour, renames it, and deletes it after a confirmation naming it and its conversations', async ({
    page,
  }) => {
    const name = `Billing ${unique()}`;
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Labels' }).click();
    await expect(page).toHaveURL('/admin/labels');

    await page.getByLabel('Name').fill(name);
    await page.getByRole('radio', { name: 'Pink' }).check();
    await page.getByRole('button', { name: 'Create label' }).click();
    await expect(page.getByRole('status')).toContainText(`Label “${name}” created.`);
    const row = page.getByTestId('label-row').filter({ hasText: name });
    await expect(row).toContainText('Pink · 0 conversations');

    // A second label of the same name, whatever the case, is refused in words.
    await page.getByLabel('Name').fill(name.toUpperCase());
    await page.getByRole('button', { name: 'Create label' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'already exists' })).toBeVisible();

    await row.getByRole('button', { name: `Edit label ${name}` }).click();
    const renamed = `Invoices ${unique()}`;
    const editor = page.getByTestId('label-row').filter({ has: page.getByRole('button', { name: 'Save' }) });
    await editor.getByLabel(`Name of “${name}”`).fill(renamed);
    await editor.getByRole('radio', { name: 'Violet' }).check();
    await editor.getByRole('button', { name: 'Save' }).click();
    const renamedRow = page.getByTestId('label-row').filter({ hasText: renamed });
    await expect(renamedRow).toContainText('Violet · 0 conversations');

    // Put on a conversation (by the API), the count shows, and the confirmation says so.
    const customer = newCustomer(`Lena ${unique()}`);
    const conversationId = await customerWrites(customer, 'Invoice please');
    const labels = (await (await page.request.get('/api/labels')).json()) as { labels: { id: string; name: string }[] };
    const labelId = labels.labels.find((l) => l.name === renamed)!.id;
    const put = await page.request.put(`/api/conversations/${conversationId}/labels/${labelId}`, { headers: { origin: serverUrl() } });
    expect(put.status()).toBe(200);
    await page.reload();
    await expect(renamedRow).toContainText('1 conversation');

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await renamedRow.getByRole('button', { name: `Delete label ${renamed}` }).click();
    await expect(page.getByRole('status')).toContainText(`Label “${renamed}” deleted.`);
    expect(asked).toContain(`“${renamed}”`);
    expect(asked).toContain('1 conversation will lose it');
    await expect(renamedRow).toHaveCount(0);
  });
});

test.describe('as an agent', () => {
  test.use({ role: 'agent' });

  test('adds a label from the thread, sees it in the list, filters by it and takes it off; a second browser sees it live', async ({
    page,
    browser,
  }) => {
    // Two browsers through a whole story: on two busy cores (CI) more than the default 30 s.
    test.setTimeout(60_000);
    const labelName = `VIP ${unique()}`;
    const labelId = await createLabelAsAdmin(labelName, 'amber');
    const customer = newCustomer(`Marta ${unique()}`);
    const other = newCustomer(`Otto ${unique()}`);
    const conversationId = await customerWrites(customer, 'Hello, I ordered twice');
    await customerWrites(other, 'Unrelated question');

    const second = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
    try {
      const watcher = await second.newPage();
      await openLive(watcher, '/');
      await expect(rowItem(watcher, customer)).toBeVisible();
      await expect(rowItem(watcher, customer).getByTestId('label-chip')).toHaveCount(0);

      await openLive(page, `/conversations/${conversationId}`);
      await threadHeader(page).getByRole('button', { name: 'Add label' }).click();
      await page.getByRole('list', { name: 'Labels to add' }).getByRole('button', { name: labelName }).click();

      const chip = threadHeader(page).getByTestId('label-chip').filter({ hasText: labelName });
      await expect(chip).toBeVisible();
      await expect(rowItem(page, customer).getByTestId('label-chip')).toHaveText(labelName);
      // The other browser, without a reload.
      await expect(rowItem(watcher, customer).getByTestId('label-chip')).toHaveText(labelName);
      // Already on it: no longer offered.
      await threadHeader(page).getByRole('button', { name: 'Add label' }).click();
      await expect(page.getByRole('list', { name: 'Labels to add' }).getByRole('button', { name: labelName })).toHaveCount(0);
      await page.keyboard.press('Escape');

      // The filter: only conversations carrying it, within the Open tab.
      await expect(rowItem(page, other)).toBeVisible();
      await page.getByRole('combobox', { name: 'Label' }).selectOption(labelId);
      await expect(rowItem(page, customer)).toBeVisible();
      await expect(rowItem(page, other)).toHaveCount(0);
      await expect(page.getByRole('tab', { name: /^Open/ })).toHaveAttribute('aria-selected', 'true');

      await chip.getByRole('button', { name: `Remove label ${labelName}` }).click();
      await expect(chip).toHaveCount(0);
      // Filtered by it, the list no longer holds the conversation; the other browser loses the chip live.
      await expect(rowItem(page, customer)).toHaveCount(0);
      await expect(page.getByText(`No conversations labelled “${labelName}” in Open.`)).toBeVisible();
      await expect(rowItem(watcher, customer)).toBeVisible();
      await expect(rowItem(watcher, customer).getByTestId('label-chip')).toHaveCount(0);
    } finally {
      await second.close();
    }
  });

  test('a label an admin makes shows in an open inbox’s Label filter without a reload', async ({ page }) => {
    await openLive(page, '/');
    const labelName = `Fresh ${unique()}`;
    const filter = page.getByRole('combobox', { name: 'Label' });
    await expect(filter.getByRole('option', { name: labelName })).toHaveCount(0);
    const labelId = await createLabelAsAdmin(labelName, 'violet');
    await expect(filter.getByRole('option', { name: labelName })).toHaveCount(1);
    await filter.selectOption(labelId);
    await expect(page.getByText(`No conversations labelled “${labelName}” in Open.`)).toBeVisible();
  });

  test('an agent has no Labels page and cannot manage labels', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Labels' })).toHaveCount(0);
    const res = await page.request.post('/api/admin/labels', {
      data: { name: `Nope ${unique()}`, colour: 'red' },
      headers: { origin: serverUrl() },
    });
    expect(res.status()).toBe(403);
  });
});
