import type { Browser, Page } from '@playwright/test';
import {
  clickNotification,
  customerWrites,
  E2E_USERS,
  expect,
  openLive,
  showOnlyNumber,
  recordNotifications,
  serverUrl,
  shownNotifications,
  test,
  uniqueBusinessNumber,
  uniqueCustomer,
} from './helpers';
import { storageStatePath } from './shared';

// Working side by side (issue 13 §6, §7, §9): the admin and the agent in two browsers on one conversation
// see each other viewing and typing, and one closing their page is gone at once; Send warns when the other
// answered meanwhile; the shortcuts; the tab title counting a new message in an unassigned conversation.
// Each test has its own customer, so it runs beside the other specs.

test.use({ role: 'admin' });

// Two browsers through a whole story each: on two busy cores (CI) more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

/** The agent in a browser of their own. */
async function agentPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStatePath('agent'), baseURL: serverUrl() });
  return context.newPage();
}

const viewers = (page: Page) => page.getByTestId('viewers');
const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message' });

test('each sees the other viewing and typing; the one who closes the page is gone at once', async ({ page, browser }) => {
  const customer = uniqueCustomer('Vera');
  const id = await customerWrites(customer, 'Is anyone there?');
  const agent = await agentPage(browser);
  try {
    await openLive(page, `/conversations/${id}`);
    await openLive(agent, `/conversations/${id}`);

    await expect(viewers(page).getByTestId('viewer')).toHaveText([/Alex Agent/]);
    await expect(viewers(page)).toHaveAttribute('title', `Also viewing: ${E2E_USERS.agent.name}`);
    await expect(viewers(agent).getByTestId('viewer')).toHaveText([/Admin/]);
    // Nobody types yet.
    await expect(page.getByTestId('typing-line')).toHaveCount(0);

    await messageBox(agent).pressSequentially('Let me check');
    await expect(page.getByTestId('typing-line')).toHaveText(`${E2E_USERS.agent.name} is typing a reply…`);
    await expect(viewers(page).getByTestId('viewer')).toHaveAttribute('data-typing', 'true');
    // Emptying the draft is stopping.
    await messageBox(agent).fill('');
    await expect(page.getByTestId('typing-line')).toHaveCount(0);

    // Closing the page says goodbye: gone well before a minute without beats would take.
    await agent.close();
    await expect(viewers(page)).toHaveCount(0, { timeout: 10_000 });
  } finally {
    await agent.context().close();
  }
});

test('Send warns when someone else answered after the agent opened and typed; Cancel keeps the draft, Send anyway sends', async ({
  page,
  browser,
}) => {
  const customer = uniqueCustomer('Colm');
  const id = await customerWrites(customer, 'My order never came');
  const agent = await agentPage(browser);
  try {
    await openLive(agent, `/conversations/${id}`);
    await messageBox(agent).fill('Sorry to hear that, I will look');

    // Meanwhile the admin answers from their browser.
    await openLive(page, `/conversations/${id}`);
    await messageBox(page).fill('We are sending a new one today.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const outboundOf = (p: Page, text: string) => p.locator('[data-testid="message"][data-direction="outbound"]').filter({ hasText: text });
    await expect(outboundOf(agent, 'We are sending a new one today.')).toBeVisible();

    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    const warning = agent.getByTestId('collision-warning');
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('Admin already replied while you were writing');
    await expect(warning).toContainText('We are sending a new one today.');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await expect(warning).toHaveCount(0);
    await expect(messageBox(agent)).toHaveValue('Sorry to hear that, I will look');
    await expect(outboundOf(agent, 'Sorry to hear that')).toHaveCount(0);

    // The admin writes once more: warned again, and this time the agent sends anyway.
    await messageBox(page).fill('Tracking number follows.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(outboundOf(agent, 'Tracking number follows.')).toBeVisible();
    await messageBox(agent).press('Enter');
    await expect(warning).toContainText('Tracking number follows.');
    await warning.getByRole('button', { name: 'Send anyway' }).click();
    await expect(warning).toHaveCount(0);
    await expect(outboundOf(agent, 'Sorry to hear that, I will look')).toBeVisible();
    await expect(messageBox(agent)).toHaveValue('');
    // The admin, who sent nothing since, sees it without being warned of anything.
    await expect(outboundOf(page, 'Sorry to hear that, I will look')).toBeVisible();
  } finally {
    await agent.context().close();
  }
});

test('a file the agent sends after someone else answered is held behind the same warning, and Send anyway sends it', async ({
  page,
  browser,
}) => {
  const customer = uniqueCustomer('Fenja');
  const id = await customerWrites(customer, 'Can I see a photo?');
  const agent = await agentPage(browser);
  try {
    await openLive(agent, `/conversations/${id}`);
    await agent.getByTestId('attach-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG_2X2 });
    const attachment = agent.getByTestId('attachment');
    await expect(attachment).toContainText('Ready to send');
    await attachment.getByRole('textbox', { name: 'Caption' }).fill('Here it is');

    await openLive(page, `/conversations/${id}`);
    await messageBox(page).fill('Sending you a photo now.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const outboundOf = (p: Page, text: string) => p.locator('[data-testid="message"][data-direction="outbound"]').filter({ hasText: text });
    await expect(outboundOf(agent, 'Sending you a photo now.')).toBeVisible();

    await attachment.getByRole('button', { name: 'Send file' }).click();
    const warning = agent.getByTestId('collision-warning');
    await expect(warning).toContainText('Sending you a photo now.');
    // Held: the file is still there, unsent.
    await expect(attachment).toBeVisible();
    await expect(outboundOf(agent, 'Here it is')).toHaveCount(0);
    await warning.getByRole('button', { name: 'Send anyway' }).click();
    await expect(warning).toHaveCount(0);
    await expect(attachment).toHaveCount(0);
    await expect(outboundOf(agent, 'Here it is')).toBeVisible();
  } finally {
    await agent.context().close();
  }
});

test('? lists the shortcuts and Esc closes them; j and k move through the list; r goes to the composer, where keys are text', async ({
  page,
}) => {
  const [first, second] = [uniqueCustomer('Jana'), uniqueCustomer('Kofi')];
  // To a business number of their own, shown alone: the list then holds these two conversations, and no
  // other test's message can move a row between them while j and k are pressed.
  const number = uniqueBusinessNumber();
  // A minute older by Meta's clock, so the list's order is never a tie.
  const older = await customerWrites(first, 'First question', { to: number, timestamp: Math.floor(Date.now() / 1000) - 60 });
  const newer = await customerWrites(second, 'Second question', { to: number });
  await openLive(page, `/conversations/${newer}`);
  await showOnlyNumber(page, number);
  await expect(page.getByTestId('conversation')).toHaveCount(2);
  await expect(page.getByTestId('conversation').first()).toHaveAttribute('data-conversation-id', newer);

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const label of [
    'Reply',
    'Resolve the conversation',
    'Assign the conversation to me',
    'Snooze',
    'Next conversation',
    'Previous conversation',
  ])
    await expect(help).toContainText(label);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // j: the row below the open one; k: back up.
  await page.keyboard.press('j');
  await expect(page).toHaveURL(new RegExp(`/conversations/${older}$`));
  await expect(page.locator(`[data-testid="conversation"][data-conversation-id="${older}"]`)).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('k');
  await expect(page).toHaveURL(new RegExp(`/conversations/${newer}$`));

  // r: the composer; there, j is a letter.
  await page.keyboard.press('r');
  await expect(messageBox(page)).toBeFocused();
  await page.keyboard.type('jk');
  await expect(messageBox(page)).toHaveValue('jk');
  await expect(page).toHaveURL(new RegExp(`/conversations/${newer}$`));

  // Out of the text box: s opens the snooze menu, e resolves.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('s');
  await expect(page.getByRole('group', { name: 'Snooze until' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('group', { name: 'Snooze until' })).toHaveCount(0);
  await page.keyboard.press('e');
  await expect(page.locator('section[aria-label="Conversation"] header').getByTestId('conversation-status')).toHaveText('Resolved');
  await expect(page.getByTestId('shortcut-message')).toHaveText('Resolved.');
});

test('the tab title counts a new message in an unassigned conversation once the agent asks for those', async ({ browser }) => {
  const agent = await agentPage(browser);
  try {
    await openLive(agent, '/');
    await agent.getByRole('button', { name: 'Notifications' }).click();
    const unassigned = agent.getByRole('checkbox', { name: /unassigned conversations/ });
    await expect(unassigned).toBeEnabled();
    if (!(await unassigned.isChecked())) await unassigned.check();
    await expect(unassigned).toBeChecked();

    const countIn = (title: string) => Number(/^\((\d+)\)/.exec(title)?.[1] ?? 0);
    // Settled: the count answers the setting just saved.
    // A kept-alive connection the server has just closed answers with a reset: that is one more poll, not a failure.
    await expect
      .poll(async () => (await agent.request.get('/api/me/notification-settings').catch(() => null))?.json())
      .toEqual({ notifyUnassigned: true });
    await agent.waitForTimeout(500);
    const before = countIn(await agent.title());
    await customerWrites(uniqueCustomer('Tilda'), 'Hello, anyone?');
    await expect.poll(async () => countIn(await agent.title())).toBeGreaterThan(before);
    expect(await agent.title()).toMatch(/^\(\d+\) .*Ticks/);
  } finally {
    await agent.context().close();
  }
});

test('a browser notification for a new message in an unassigned conversation opens it; none for the conversation on screen', async ({
  browser,
}) => {
  const context = await browser.newContext({ storageState: storageStatePath('agent'), baseURL: serverUrl() });
  await recordNotifications(context);
  const agent = await context.newPage();
  const shown = () => shownNotifications(agent);
  try {
    const res = await agent.request.put('/api/me/notification-settings', { data: { notifyUnassigned: true } });
    expect(res.status()).toBe(200);
    const open = uniqueCustomer('Otto');
    const openId = await customerWrites(open, 'I am the open one');
    await openLive(agent, `/conversations/${openId}`);
    await agent.getByRole('button', { name: 'Notifications' }).click();
    await expect(agent.getByText('Browser notifications are on for this browser.')).toBeVisible();
    await agent.keyboard.press('Escape');
    // Settled on the first answer: nothing is new yet.
    // A kept-alive connection the server has just closed answers with a reset: that is one more poll, not a failure.
    await expect.poll(async () => (await agent.request.get('/api/me/notifications').catch(() => null))?.status()).toBe(200);
    await agent.waitForTimeout(500);

    // The customer on screen writes again: no notification for them.
    await customerWrites(open, 'Still here');
    const other = uniqueCustomer('Nora');
    const otherId = await customerWrites(other, 'New question about invoices');
    await expect.poll(shown).toContainEqual({ title: other.name, body: 'New question about invoices' });
    expect((await shown()).filter((n) => n.title === open.name)).toEqual([]);

    await clickNotification(agent, other.name);
    await expect(agent).toHaveURL(new RegExp(`/conversations/${otherId}$`));
  } finally {
    await context.close();
  }
});

/** A 2×2 PNG. */
const PNG_2X2 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGOQizoBRAwQCgAgZgUBzVt+wAAAAABJRU5ErkJggg==',
  'base64',
);
