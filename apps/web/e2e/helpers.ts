/** Shared steps of the end-to-end journeys. */
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { ADMIN } from '../playwright.config.js';

/** Screenshots of each page go here (CI keeps test-results/ as an artefact). */
export const screens = fileURLToPath(new URL('../test-results/screens', import.meta.url));

/** axe-core on the page as it stands: no serious or critical violations. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) =>
        `${v.id}: ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join(', ')}`,
    ),
  ).toEqual([]);
}

/** Signs in as the e2e admin through the sign-in page. */
export async function signIn(page: Page) {
  await page.goto('/sign-in');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(ADMIN.email);
  await page.locator('input[type=password]').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('button', { name: `Account: ${ADMIN.email}` })).toBeVisible();
}
