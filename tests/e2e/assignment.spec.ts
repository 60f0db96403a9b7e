import type { Page } from '@playwright/test';
import { type Customer, customerWrites, E2E_USERS, expect, openLive, serverUrl, test, uniqueCustomer } from './helpers';
import { E2E_ENV, storageStatePath } from './shared';

// Assignment in two browsers, an agent's and an admin's: the agent takes a conversation ("Assign to me")
// and finds it in Mine while the admin's list shows the assignee live; the admin takes it over and it
// leaves the agent's Mine live; Unassigned lists what nobody has; /admin/settings saves auto-assignment.

test.use({ role: 'agent' });

// Two browsers through a whole story each: on two busy cores (CI) more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

const rowOf = (page: Page, customer: Customer) => page.getByTestId('conversation').filter({ hasText: customer.name });
const threadHeader = (page: Page) => page.locator('section[aria-label="Conversation"] header');
/**
 * The answer to this page's next change of availability. The switch and the box change at once
 * (optimistically): reloading before the server has the change would race it.
 */
const availabilitySaved = (page: Page) =>
  page.waitForResponse((r) => new URL(r.url()).pathname === '/api/me/availability' && r.request().method() === 'PUT');
async function assigneeByApi(conversationId: string): Promise<{ id: string; name: string } | null> {
  const res = await fetch(`${serverUrl()}/api/conversations/${conversationId}`, {
    headers: { authorization: `Bearer ${process.env[E2E_ENV.apiKey]}` },
  });
  return ((await res.json()) as { assignee: { id: string; name: string } | null }).assignee;
}

test('an agent assigns to themselves and finds it in Mine; the admin sees it live, takes it over, and it leaves Mine live', async ({
  page,
  browser,
}) => {
  const customer = uniqueCustomer('Asta');
  const id = await customerWrites(customer, 'Can someone help me?');
  const adminContext = await browser.newContext({ storageState: storageStatePath('admin'), baseURL: serverUrl() });
  try {
    const admin = await adminContext.newPage();
    await openLive(admin, '/');
    await expect(rowOf(admin, customer)).toBeVisible();
    await expect(rowOf(admin, customer).getByTestId('assignee-badge')).toHaveCount(0);

    // Unassigned lists it; Mine does not (yet).
    await openLive(page, `/conversations/${id}`);
    await page.getByTestId('view-unassigned').click();
    await expect(page).toHaveURL(/[?&]view=unassigned/);
    await expect(rowOf(page, customer)).toBeVisible();
    await page.getByTestId('view-mine').click();
    await expect(page).toHaveURL(/[?&]view=mine/);
    await expect(rowOf(page, customer)).toHaveCount(0);

    // The agent takes it.
    await expect(threadHeader(page).getByTestId('assignee-control')).toContainText('Unassigned');
    await threadHeader(page).getByTestId('assignee-control').click();
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect(threadHeader(page).getByTestId('assignee-control')).toContainText(E2E_USERS.agent.name);
    await expect(rowOf(page, customer)).toBeVisible();
    await expect(rowOf(page, customer).getByRole('img', { name: `Assigned to ${E2E_USERS.agent.name}` })).toBeVisible();
    expect((await assigneeByApi(id))?.name).toBe(E2E_USERS.agent.name);

    // The admin's list shows who has it, without a reload.
    await expect(rowOf(admin, customer).getByRole('img', { name: `Assigned to ${E2E_USERS.agent.name}` })).toBeVisible();

    // The admin takes it over from the thread's menu (the team, with who is online).
    await admin.goto(`/conversations/${id}`);
    await threadHeader(admin).getByTestId('assignee-control').click();
    const menu = admin.getByRole('group', { name: 'Assign to' });
    await expect(menu.getByRole('button', { name: E2E_USERS.agent.name })).toBeVisible();
    await menu.getByRole('button', { name: 'Assign to me' }).click();
    await expect(threadHeader(admin).getByTestId('assignee-control')).toContainText(E2E_USERS.admin.name);

    // It leaves the agent's Mine live; in All it shows the admin.
    await expect(rowOf(page, customer)).toHaveCount(0);
    await expect(threadHeader(page).getByTestId('assignee-control')).toContainText(E2E_USERS.admin.name);
    await page.getByTestId('view-all').click();
    await expect(rowOf(page, customer).getByRole('img', { name: `Assigned to ${E2E_USERS.admin.name}` })).toBeVisible();

    // Unassign: back in Unassigned.
    await threadHeader(admin).getByTestId('assignee-control').click();
    await admin.getByRole('group', { name: 'Assign to' }).getByRole('button', { name: 'Unassign' }).click();
    await expect(threadHeader(admin).getByTestId('assignee-control')).toContainText('Unassigned');
    await page.getByTestId('view-unassigned').click();
    await expect(rowOf(page, customer)).toBeVisible();
    await expect(rowOf(page, customer).getByTestId('assignee-badge')).toHaveCount(0);
  } finally {
    await adminContext.close();
  }
});

test('the view is kept in the URL: a reload with ?view=mine shows Mine', async ({ page }) => {
  await openLive(page, '/?view=mine');
  await expect(page.getByTestId('view-mine')).toHaveAttribute('aria-pressed', 'true');
  await page.reload();
  await expect(page.getByTestId('view-mine')).toHaveAttribute('aria-pressed', 'true');
});

test('an agent says Away in the header and Available again', async ({ page }) => {
  await page.goto('/');
  const toggle = page.getByRole('switch');
  await expect(toggle).toHaveText('Available');
  // Reloaded only once saved. (This test shares the e2e agent: run beside its own repeat, `--repeat-each`
  // on two workers, the two copies toggle the same person and fail each other.)
  const saved = availabilitySaved(page);
  await toggle.click();
  await expect(toggle).toHaveText('Away');
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(page.getByRole('switch')).toHaveText('Away');
  await page.getByRole('switch').click();
  await expect(page.getByRole('switch')).toHaveText('Available');
});

test.describe('as an admin', () => {
  test.use({ role: 'admin' });

  test('/admin/settings saves auto-assignment and its cap (and turns it off again)', async ({ page, playwright }) => {
    // While it is on, nobody may be eligible: other specs running beside this one keep their conversations
    // unassigned. The admin is away by default; the agent says Away for the length of this test.
    const agent = await playwright.request.newContext({ baseURL: serverUrl(), storageState: storageStatePath('agent') });
    const setAgent = async (availability: 'available' | 'away') =>
      expect((await agent.put('/api/me/availability', { data: { availability } })).status()).toBe(200);
    await setAgent('away');
    try {
      await settingsRoundTrip(page);
    } finally {
      await setAgent('available');
      await agent.dispose();
    }
  });

  async function settingsRoundTrip(page: Page) {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page).toHaveURL(/\/admin\/settings$/);
    const checkbox = page.getByRole('checkbox', { name: /Assign new and reopened conversations automatically/ });
    await expect(checkbox).not.toBeChecked();
    const cap = page.getByRole('spinbutton', { name: /Most open conversations per agent/ });
    await checkbox.check();
    await cap.fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();
    await page.reload();
    await expect(checkbox).toBeChecked();
    await expect(cap).toHaveValue('7');

    // Off again (the default other specs expect), the cap back to 10.
    await checkbox.uncheck();
    await cap.fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();
    await page.reload();
    await expect(checkbox).not.toBeChecked();
  }

  test('admins are away for auto-assignment until they tick "Available for assignment"', async ({ page }) => {
    await page.goto('/');
    const available = page.getByRole('checkbox', { name: /Available/ });
    const saved = () => availabilitySaved(page);
    await expect(available).not.toBeChecked();
    await Promise.all([saved(), available.check()]);
    await page.reload();
    await expect(page.getByRole('checkbox', { name: /Available/ })).toBeChecked();
    await Promise.all([saved(), page.getByRole('checkbox', { name: /Available/ }).uncheck()]);
    await page.reload();
    await expect(page.getByRole('checkbox', { name: /Available/ })).not.toBeChecked();
  });
});
