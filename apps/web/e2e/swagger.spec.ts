/**
 * Swagger UI at /docs is usable as a client: Authorize with a bearer token and with an API key,
 * then "Try it out" on operations that need each (regression: no operation declared `security`,
 * so Swagger UI sent no credentials and every call answered 401).
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN } from '../playwright.config.js';

async function authorize(page: Page, scheme: 'bearer' | 'apiKey', value: string) {
  await page.locator('.auth-wrapper button.authorize').click();
  const box = page.locator('.auth-container').filter({ hasText: scheme });
  await box.locator('input').fill(value);
  await box.getByRole('button', { name: 'Apply credentials' }).click();
  await page.getByRole('button', { name: 'Close' }).first().click();
}

async function tryIt(page: Page, anchor: string): Promise<string> {
  const operation = page.locator(`#${anchor}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const status = operation.locator('.live-responses-table tbody .response-col_status').first();
  await expect(status).toHaveText(/\d{3}/, { timeout: 15_000 });
  return (await status.textContent())!.trim();
}

test('Authorize with a bearer token, then with an API key, and call the API from the page', async ({
  page,
  request,
}) => {
  const login = await request.post('/api/v1/auth/login', { data: ADMIN });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const key = await request.post('/api/v1/api-keys', {
    headers: { authorization: `Bearer ${accessToken}` },
    data: { name: `swagger-${Date.now()}`, role: 'viewer' },
  });
  expect(key.status()).toBe(201);
  const { key: apiKey } = (await key.json()) as { key: string };

  await page.goto('/docs');
  await expect(page.locator('.swagger-ui .info')).toContainText('QR Forge API');
  await authorize(page, 'bearer', accessToken);
  expect(await tryIt(page, 'operations-auth-getAuthMe')).toBe('200');
  await expect(page.locator('#operations-auth-getAuthMe .live-responses-table')).toContainText(
    ADMIN.email,
  );

  await page.reload();
  await authorize(page, 'apiKey', apiKey);
  expect(await tryIt(page, 'operations-inventory-getInventoryItems')).toBe('200');
});
