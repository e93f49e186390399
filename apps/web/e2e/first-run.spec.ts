/**
 * A first start, as `npm ci && npm start` gives it: nobody can sign in yet, so the sign-in page
 * (opened on the server machine) creates the first account, which lands signed in with the
 * Batches and History pages.
 */
import { expect, test } from '@playwright/test';
import { FRESH_PORT } from '../playwright.config.js';
import { expectAccessible, screens } from './helpers.js';

test.use({ baseURL: `http://127.0.0.1:${FRESH_PORT}` });

test('first run: the first account is created on the sign-in page, then signed in', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Batches', exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to QR Forge' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Organisation' }).fill('Line 3 Parts');
  await page.getByRole('textbox', { name: 'E-mail' }).fill('owner@example.com');
  const [password, repeat] = [page.getByLabel(/^Password/), page.getByLabel('Repeat the password')];
  await password.fill('short');
  await expect(page.getByText('At least 10 characters', { exact: true })).toBeVisible();
  await password.fill('a long first-run passphrase');
  await repeat.fill('a different passphrase');
  await expect(page.getByText('The passwords differ')).toBeVisible();
  await repeat.fill('a long first-run passphrase');
  await page.screenshot({ path: `${screens}/first-run-light.png`, fullPage: true });
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Create the account' }).click();

  await expect(page.getByRole('button', { name: 'Account: owner@example.com' })).toBeVisible();
  await expect(page).toHaveURL(/\/generate$/);
  await page.getByRole('link', { name: 'Batches', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Batches', exact: true })).toBeVisible();

  // Done once: after signing out, the page is a plain sign-in again.
  await page.getByRole('button', { name: 'Account: owner@example.com' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
