import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, serverUrl, test } from './helpers';

// An admin's pages: people (add, deactivate, reactivate) and API keys (create, shown once, revoke),
// checked from the other side too: the new person's browser, and an integration holding the key.

test.use({ role: 'admin' });

const unique = () => randomBytes(4).toString('hex');

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an admin adds an agent, who signs in; deactivated, the agent is out at once; reactivated, back in', async ({ page, browser }) => {
  // Two browsers and three sign-ins (each a deliberately slow password hash).
  test.setTimeout(60_000);
  const person = { name: `Pat ${unique()}`, email: `pat-${unique()}@ticks.test`, password: 'pat-password-0123' };
  await page.goto('/admin/users');
  const form = page.getByRole('region', { name: 'Add a person' });
  await form.getByLabel('Name').fill(person.name);
  await form.getByLabel('Email').fill(person.email);
  await form.getByLabel('Password (12+ characters)').fill(person.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText(`${person.email} can now sign in as agent`);
  const row = page.locator(`[data-testid="user-row"][data-email="${person.email}"]`);
  await expect(row).toContainText(person.name);
  await expect(row).toContainText('Active');

  // The agent, in a browser of their own.
  const theirs = await browser.newContext({ baseURL: serverUrl(), storageState: undefined });
  const agentPage = await theirs.newPage();
  await signIn(agentPage, person.email, person.password);
  await expect(agentPage).toHaveURL('/');
  await expect(agentPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row).toContainText('Deactivated');
  await expect(page.getByRole('status')).toContainText('deactivated and signed out');
  // Their session is gone: the page they have open leaves by itself (its event stream says so; waited
  // for, or it would race the next navigation), the next page they open sends them to sign in, and
  // signing in fails.
  await expect(agentPage).toHaveURL(/\/login/);
  await agentPage.goto('/');
  await expect(agentPage).toHaveURL('/login');
  await signIn(agentPage, person.email, person.password);
  await expect(agentPage.getByRole('main').getByRole('alert')).toBeVisible();
  await expect(agentPage).toHaveURL(/\/login/);

  await row.getByRole('button', { name: 'Reactivate' }).click();
  await expect(row).toContainText('Active');
  await signIn(agentPage, person.email, person.password);
  await expect(agentPage).toHaveURL('/');
  await theirs.close();
});

test('an admin cannot lock themselves out', async ({ page }) => {
  await page.goto('/admin/users');
  const me = page.locator('[data-testid="user-row"][data-email="admin@ticks.test"]');
  await expect(me).toContainText('(you)');
  await expect(me.getByRole('button', { name: 'Deactivate' })).toHaveCount(0);
  await expect(me.getByRole('combobox')).toBeDisabled();
});

test('an API key is shown once, works for the read API, and stops working when revoked', async ({ page, request }) => {
  const name = `CRM ${unique()}`;
  await page.goto('/admin/api-keys');
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByTestId('new-api-key');
  await expect(shown).toHaveText(/^ticks_/);
  const key = (await shown.textContent())!.trim();

  const asIntegration = () => request.get('/api/conversations', { headers: { authorization: `Bearer ${key}` } });
  expect((await asIntegration()).status()).toBe(200);

  // Gone from the page once dismissed; the list shows only its first characters.
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toHaveCount(0);
  const row = page.getByTestId('api-key-row').filter({ hasText: name });
  await expect(row).toContainText(`${key.slice(0, 12)}…`);
  await expect(page.getByText(key)).toHaveCount(0);

  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  expect((await asIntegration()).status()).toBe(401);
});
