import fs from 'node:fs';
import { type Download, type Page, request } from '@playwright/test';
import { deliver, expect, inboundMessage, newCustomer, serverUrl, test, waitForProcessed, type Customer } from './helpers';
import { storageStatePath } from './shared';

// Exports and erasure in a browser: from a conversation's menu anyone downloads the conversation or the
// customer as JSON; an admin erases the customer behind a dialog that lists what goes and asks to type
// ERASE, lands on the inbox, and the conversation is gone. On /admin/export an admin downloads a date
// range as NDJSON and sees how many messages came. Agents see the exports, not the erase.

async function customerWrites(customer: Customer, ...texts: string[]): Promise<string> {
  let conversationId = '';
  for (const text of texts) {
    const message = inboundMessage('text', text, { customer });
    await deliver(message.body);
    conversationId = String((await waitForProcessed(message.wamid)).conversationId);
  }
  return conversationId;
}

const threadHeader = (page: Page) => page.locator('section[aria-label="Conversation"] header');
const readDownload = async (download: Download) => fs.readFileSync((await download.path())!, 'utf8');

async function menuItem(page: Page, name: string) {
  await threadHeader(page).getByRole('button', { name: 'Conversation actions' }).click();
  return page.getByRole('menuitem', { name });
}

async function download(page: Page, name: string): Promise<Download> {
  const item = await menuItem(page, name);
  const [file] = await Promise.all([page.waitForEvent('download'), item.click()]);
  return file;
}

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('exports a conversation and its customer, then erases the customer after a confirmation listing what goes', async ({ page }) => {
    const customer = newCustomer('Erin Erasable');
    const conversationId = await customerWrites(customer, 'My card ends in 4242', 'Please call me back');
    await page.goto(`/conversations/${conversationId}`);
    await expect(threadHeader(page).getByRole('heading', { name: customer.name })).toBeVisible();

    const conversationFile = await download(page, 'Export conversation');
    expect(conversationFile.suggestedFilename()).toBe(`ticks-conversation-${conversationId}.json`);
    const exported = JSON.parse(await readDownload(conversationFile)) as {
      contact: { waId: string };
      conversations: { messages: { text: string }[] }[];
    };
    expect(exported.contact.waId).toBe(customer.waId);
    expect(exported.conversations[0]!.messages.map((m) => m.text)).toEqual(['My card ends in 4242', 'Please call me back']);
    const customerFile = await download(page, 'Export customer');
    expect(customerFile.suggestedFilename()).toMatch(/^ticks-contact-\d+\.json$/);

    await (await menuItem(page, 'Erase customer…')).click();
    const dialog = page.getByRole('dialog', { name: `Erase ${customer.name}` });
    await expect(dialog).toBeVisible();
    const counts = dialog.getByRole('list', { name: 'What will be deleted' });
    await expect(counts).toContainText('1 conversation');
    await expect(counts).toContainText('2 messages');
    await expect(dialog).toContainText(`+${customer.waId}`);
    const erase = dialog.getByRole('button', { name: 'Erase customer' });
    await expect(erase).toBeDisabled();
    await dialog.getByLabel('Type ERASE to confirm').fill('erase');
    await expect(erase).toBeDisabled();
    await dialog.getByLabel('Type ERASE to confirm').fill('ERASE');
    await erase.click();

    await expect(page).toHaveURL('/');
    await expect(page.getByRole('list', { name: 'Conversation list' }).getByText(customer.name)).toHaveCount(0);
    await page.goto(`/conversations/${conversationId}`);
    await expect(page.getByText('This conversation does not exist.')).toBeVisible();

    // The audit says who erased which contact, not whom by name.
    await page.goto('/admin/audit');
    const entry = page.getByTestId('audit-entry').filter({ hasText: 'erased customer #' }).first();
    await expect(entry).toBeVisible();
    await expect(entry).not.toContainText(customer.name);
  });

  test('exports a date range as NDJSON from the admin page, counting the messages as they come', async ({ page }) => {
    const customer = newCustomer('Nadia Ndjson');
    await customerWrites(customer, 'Line one', 'Line two');
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Export' }).click();
    await expect(page).toHaveURL('/admin/export');
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From').fill(today);
    await page.getByLabel('To (included)').fill(today);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(file.suggestedFilename()).toMatch(/^ticks-messages-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.ndjson$/);
    const lines = (await readDownload(file))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; total?: number; count?: number; message?: { text: string; contact: { waId: string } } });
    const header = lines[0]!;
    expect(header.kind).toBe('export');
    expect(lines.at(-1)).toEqual({ kind: 'end', count: header.total });
    const theirs = lines.filter((l) => l.message?.contact.waId === customer.waId).map((l) => l.message!.text);
    expect(theirs).toEqual(['Line one', 'Line two']);
    await expect(page.getByRole('status')).toContainText(`${header.total!.toLocaleString('en-US')} messages`);
  });
});

test.describe('as an agent', () => {
  test.use({ role: 'agent' });

  test('exports a conversation but is not offered the erase, which the API refuses too', async ({ page }) => {
    const customer = newCustomer('Ada Agentview');
    const conversationId = await customerWrites(customer, 'Hello agent');
    await page.goto(`/conversations/${conversationId}`);
    await expect(threadHeader(page).getByRole('heading', { name: customer.name })).toBeVisible();
    const file = await download(page, 'Export conversation');
    expect(JSON.parse(await readDownload(file)).conversations[0].messages[0].text).toBe('Hello agent');
    await threadHeader(page).getByRole('button', { name: 'Conversation actions' }).click();
    await expect(page.getByRole('menuitem', { name: 'Export customer' })).toBeVisible();
    await expect(page.getByRole('menuitem', { name: 'Erase customer…' })).toHaveCount(0);

    const agent = await request.newContext({
      baseURL: serverUrl(),
      storageState: storageStatePath('agent'),
      extraHTTPHeaders: { origin: serverUrl() },
    });
    try {
      const conversation = (await (await agent.get(`/api/conversations/${conversationId}`)).json()) as { contactId: string };
      expect((await agent.post(`/api/contacts/${conversation.contactId}/erase`)).status()).toBe(403);
    } finally {
      await agent.dispose();
    }
  });
});
