import type { Page } from '@playwright/test';
import { E2E_USERS, expect, test } from './helpers';

// Sign-in, sign-out and who may see what, in a real browser against `next start`.

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the form and returns the HTTP status of the sign-in request. */
async function signInAnswer(page: Page, email: string, password: string): Promise<number> {
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/sign-in/email');
  await signIn(page, email, password);
  return (await answer).status();
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test.describe('signed out', () => {
  test('an admin signs in to the inbox and signs out again', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL('/login');

    await signIn(page, E2E_USERS.admin.email, E2E_USERS.admin.password);
    await expect(page).toHaveURL('/');
    await expect(mainNav(page).getByRole('link', { name: 'Inbox' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'Users' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'API keys' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL('/login');
    // The session is gone on the server, not only in this page.
    await page.goto('/');
    await expect(page).toHaveURL('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  test('a wrong password or an unknown email gets the same error, naming neither', async ({ page }) => {
    await page.goto('/login');
    // Next's route announcer is an (empty) alert too: look inside the page's main content.
    const alert = page.getByRole('main').getByRole('alert');

    const wrongPassword = await signInAnswer(page, E2E_USERS.admin.email, 'not-the-password-at-all');
    await expect(alert).toContainText('email or password');
    const message = (await alert.textContent()) ?? '';
    expect(message).not.toMatch(/password (is )?(wrong|incorrect|invalid)|(no|unknown) (user|account|email)|not found|does not exist/i);
    await expect(page).toHaveURL('/login');

    const unknownEmail = await signInAnswer(page, 'nobody@ticks.test', 'not-the-password-at-all');
    expect(unknownEmail).toBe(wrongPassword);
    await expect(alert).toHaveText(message);
    await expect(page).toHaveURL('/login');
  });

  test('a page opened while signed out comes back after signing in', async ({ page }) => {
    await page.goto('/conversations/123');
    await expect(page).toHaveURL('/login?next=%2Fconversations%2F123');

    await signIn(page, E2E_USERS.admin.email, E2E_USERS.admin.password);
    await expect(page).toHaveURL('/conversations/123');
  });

  test('the API answers 401 without a session', async ({ request }) => {
    const response = await request.get('/api/conversations');
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe('unauthorized');
  });
});

test.describe('as an agent', () => {
  test.use({ role: 'agent' });

  test('sees the inbox without the admin links', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL('/');
    await expect(mainNav(page).getByRole('link', { name: 'Inbox' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'Users' })).toHaveCount(0);
    await expect(mainNav(page).getByRole('link', { name: 'API keys' })).toHaveCount(0);
  });

  test('gets "Admins only" (403) on an admin page', async ({ page }) => {
    const response = await page.goto('/admin/users');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading', { name: 'Admins only' })).toBeVisible();
  });

  test('gets 403 from an admin API', async ({ page }) => {
    const response = await page.request.get('/api/admin/users');
    expect(response.status()).toBe(403);
  });
});
