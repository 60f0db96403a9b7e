import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { connectFakeGraph } from '../../tools/fake-graph';
import { customerWrites, E2E_USERS, expect, newCustomer, openLive, readApi, serverUrl, test } from './helpers';
import { E2E_ENV, storageStatePath } from './shared';

// Two browsers through a whole story each: on two busy cores (CI) more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

// Canned replies in a browser: an admin saves a shared one with variables on /admin/canned-replies
// (a taken shortcut is refused on the shortcut field); an agent whose conversation is already open types
// "/" and part of its shortcut, chooses it with the keyboard, finds the variables filled in, edits and
// sends it, and Meta receives exactly that. An agent's own reply stays theirs: the admin never sees it.
// Outside the 24-hour window "/" offers nothing. Every shortcut and customer is this run's own.

const unique = () => randomBytes(4).toString('hex');
const nowSeconds = () => Math.floor(Date.now() / 1000);

const graph = () => {
  const url = process.env[E2E_ENV.graphUrl];
  if (!url) throw new Error(`${E2E_ENV.graphUrl} is not set: run the e2e tests with \`npx playwright test\``);
  return connectFakeGraph(url);
};

const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const picker = (page: Page) => page.getByTestId('canned-reply-picker');

/** Fills in and submits the create form of a canned replies page. */
async function createReply(page: Page, shortcut: string, body: string, button: string) {
  const form = page.getByRole('region', { name: 'New canned reply' });
  await form.getByLabel('Shortcut').fill(shortcut);
  await form.getByLabel('Text').fill(body);
  await form.getByRole('button', { name: button }).click();
}

test.describe('canned replies', () => {
  test.use({ role: 'agent' });

  test('an admin shares a reply with variables; an agent picks it with the keyboard, edits it and sends it', async ({ page, browser }) => {
    const tag = unique();
    const customer = newCustomer(`Nora ${tag}`);
    const conversationId = await customerWrites(customer, 'Do you ship to Madrid?');
    // The agent's composer is open (its list of replies loaded) before the admin saves the new ones.
    await openLive(page, `/conversations/${conversationId}`);
    await messageBox(page).fill('/');
    await expect(picker(page)).toBeVisible();
    await messageBox(page).fill('');

    const adminContext = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
    try {
      const admin = await adminContext.newPage();
      await openLive(admin, '/admin/canned-replies');
      await createReply(admin, `${tag}-bye`, 'Bye {{contact.name}}!', 'Create shared reply');
      await expect(admin.getByRole('status')).toHaveText(`Canned reply “/${tag}-bye” created.`);
      await createReply(
        admin,
        `${tag}-hello`,
        'Hello {{contact.name}}, {{agent.name}} here from {{business.number}}. Your order {{order.id}}:',
        'Create shared reply',
      );
      const rows = admin.getByRole('list', { name: 'Canned replies' }).getByTestId('canned-reply-row');
      await expect(rows.filter({ hasText: `/${tag}-hello` })).toBeVisible();
      // The same shortcut again, in another case: refused on the shortcut field.
      await createReply(admin, `${tag.toUpperCase()}-HELLO`, 'Again', 'Create shared reply');
      const form = admin.getByRole('region', { name: 'New canned reply' });
      await expect(form.getByRole('alert')).toHaveText(/a shared canned reply already has this shortcut/);
      await expect(form.getByLabel('Shortcut')).toHaveAttribute('aria-invalid', 'true');
    } finally {
      await adminContext.close();
    }

    // Both new replies reached the open composer through the change notice; the arrows choose, Enter takes.
    await messageBox(page).pressSequentially(`/${tag}`);
    const options = picker(page).getByRole('option');
    await expect(options).toHaveCount(2);
    await expect(options.nth(0)).toContainText(`/${tag}-bye`);
    await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
    await messageBox(page).press('ArrowDown');
    await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
    await messageBox(page).press('Enter');
    await expect(picker(page)).toBeHidden();

    const conversation = (await (await readApi(`/api/conversations/${conversationId}`)).json()) as { displayPhoneNumber: string };
    // The business number as the thread header shows it, with its "+".
    const businessNumber = `+${conversation.displayPhoneNumber.replace(/^\+/, '')}`;
    const filled = `Hello ${customer.name}, ${E2E_USERS.agent.name} here from ${businessNumber}. Your order {{order.id}}:`;
    await expect(messageBox(page)).toHaveValue(filled);
    // Nothing was sent yet: the agent edits, then sends.
    expect((await graph().accepted()).filter((a) => a.body.to === `+${customer.waId}`)).toHaveLength(0);
    await messageBox(page).press('End');
    await messageBox(page).pressSequentially(' A-1042 ships today.');
    await messageBox(page).press('Enter');

    const text = `${filled} A-1042 ships today.`;
    await expect(
      page.locator('[data-testid="message"][data-direction="outbound"]').filter({ hasText: 'A-1042 ships today.' }),
    ).toBeVisible();
    await expect
      .poll(async () => (await graph().accepted()).filter((a) => a.body.to === `+${customer.waId}`).map((a) => a.body.text))
      .toEqual([expect.objectContaining({ body: text })]);
  });

  test('Escape closes the list; "/" inside a word opens none', async ({ page }) => {
    const conversationId = await customerWrites(newCustomer(`Omar ${unique()}`), 'Hi');
    await openLive(page, `/conversations/${conversationId}`);
    await messageBox(page).pressSequentially('/');
    await expect(picker(page)).toBeVisible();
    await messageBox(page).press('Escape');
    await expect(picker(page)).toBeHidden();
    // Closed for this "/" while typing on; a new one after a space opens it again.
    await messageBox(page).pressSequentially('x');
    await expect(picker(page)).toBeHidden();
    await messageBox(page).pressSequentially(' and/or');
    await expect(picker(page)).toBeHidden();
    await messageBox(page).pressSequentially(' /');
    await expect(picker(page)).toBeVisible();
  });

  test('an agent’s own reply is theirs alone: the admin does not see it', async ({ page, browser }) => {
    const shortcut = `mine-${unique()}`;
    await openLive(page, '/canned-replies');
    await createReply(page, shortcut, 'Talk soon, {{contact.name}}. {{agent.name}}', 'Create reply');
    await expect(page.getByRole('status')).toHaveText(`Canned reply “/${shortcut}” created.`);
    const rows = page.getByRole('list', { name: 'Canned replies' }).getByTestId('canned-reply-row');
    await expect(rows.filter({ hasText: `/${shortcut}` })).toBeVisible();
    // The row by its id: while edited it shows fields, not the shortcut as text.
    const id = await rows.filter({ hasText: `/${shortcut}` }).getAttribute('data-reply-id');
    const mine = page.locator(`[data-testid="canned-reply-row"][data-reply-id="${id}"]`);

    // Edited in place; a bad shortcut is refused on its field.
    await mine.getByRole('button', { name: `Edit canned reply ${shortcut}` }).click();
    await mine.getByLabel('Shortcut').fill('has space');
    await mine.getByRole('button', { name: 'Save' }).click();
    await expect(mine.getByRole('alert')).toContainText('may contain only letters, digits');
    await mine.getByLabel('Shortcut').fill(shortcut);
    await mine.getByLabel('Text').fill('Talk soon!');
    await mine.getByRole('button', { name: 'Save' }).click();
    await expect(mine).toContainText('Talk soon!');

    const adminContext = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
    try {
      const admin = await adminContext.newPage();
      for (const path of ['/canned-replies', '/admin/canned-replies']) {
        await openLive(admin, path);
        await expect(admin.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(admin.getByText(`/${shortcut}`)).toHaveCount(0);
      }
      const listed = (await (await admin.request.get('/api/canned-replies')).json()) as { cannedReplies: { shortcut: string }[] };
      expect(listed.cannedReplies.map((r) => r.shortcut)).not.toContain(shortcut);
    } finally {
      await adminContext.close();
    }

    // Deleted after a confirmation.
    page.once('dialog', (dialog) => void dialog.accept());
    await mine.getByRole('button', { name: `Delete canned reply ${shortcut}` }).click();
    await expect(page.getByRole('status')).toHaveText(`Canned reply “/${shortcut}” deleted.`);
    await expect(mine).toHaveCount(0);
  });

  test('outside the 24-hour window, "/" offers nothing', async ({ page }) => {
    const conversationId = await customerWrites(newCustomer(`Ines ${unique()}`), 'Still there?', { timestamp: nowSeconds() - 25 * 3600 });
    await openLive(page, `/conversations/${conversationId}`);
    await expect(page.getByTestId('service-window')).toHaveAttribute('data-state', 'closed');
    await expect(messageBox(page)).toHaveCount(0);
    await page.keyboard.press('/');
    await page.keyboard.type('thanks');
    await expect(picker(page)).toHaveCount(0);
    await expect(page.getByRole('listbox', { name: 'Canned replies' })).toHaveCount(0);
  });
});
