/**
 * Dynamic codes from the web page: one made, its short address followed (302), its target changed
 * after "printing" and followed again, scans from a phone and a laptop counted on the page with
 * charts, the CSV downloaded, and the code switched off (its address then shows a page saying so).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectAccessible, screens, signIn } from './helpers.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

test('a dynamic code is made, retargeted after printing, counted and switched off', async ({
  page,
}) => {
  const name = `Manual ${Date.now().toString(36)}`;
  await signIn(page);
  await page.getByRole('link', { name: 'Links', exact: true }).click();
  await expect(page).toHaveURL(/\/links$/);
  const form = page.getByRole('form', { name: 'New dynamic code' });
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByRole('textbox', { name: 'Leads to' }).fill('https://example.com/manual-v1');
  await form.getByRole('button', { name: 'Create' }).click();
  const row = page.getByRole('row').filter({ hasText: name });
  const shortUrl = (await row.getByTestId('short-url').textContent())!;
  expect(shortUrl).toMatch(/\/q\/[A-Za-z0-9]{9}$/);

  const follow = (ua = IPHONE) =>
    page.request.get(shortUrl, { maxRedirects: 0, headers: { 'user-agent': ua } });
  expect((await follow()).headers().location).toBe('https://example.com/manual-v1');

  await row.getByRole('button', { name: 'Change' }).click();
  await row.getByRole('textbox', { name: `New target of ${name}` }).fill('https://example.com/v2');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('https://example.com/v2');
  expect((await follow()).headers().location).toBe('https://example.com/v2');
  await follow();
  await follow(
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  );

  const analytics = page.getByTestId('code-analytics');
  await expect(analytics.getByTestId('scan-totals')).toContainText('4 scans', { timeout: 15_000 });
  await expect(
    analytics.getByTestId('chart-by-device').locator('.recharts-bar-rectangle'),
  ).toHaveCount(2);
  const download = page.waitForEvent('download');
  await analytics.getByRole('button', { name: 'Export scans (CSV)' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8')
    .trim()
    .split('\r\n');
  expect(csv[0]).toMatch(/^at,result,code_id/);
  expect(csv).toHaveLength(5);
  await page.screenshot({ path: `${screens}/links.png`, fullPage: true });
  await expectAccessible(page);

  await row.getByRole('switch', { name: `${name} on` }).click({ force: true });
  await expect(analytics.getByText('off', { exact: true })).toBeVisible();
  const off = await follow();
  expect(off.status()).toBe(410);
  expect(await off.text()).toContain('This code is switched off');
});

test('the generator makes a dynamic code whose printed address follows its target', async ({
  page,
}) => {
  const target = `https://example.com/made-${Date.now().toString(36)}`;
  await signIn(page);
  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await page.getByRole('textbox', { name: 'URL' }).fill(target);
  await page.getByRole('switch', { name: /^Dynamic/ }).click({ force: true });
  await page.getByRole('button', { name: 'Make dynamic code' }).click();
  const shortUrl = (await page.getByTestId('dynamic-url').textContent())!;
  expect(shortUrl).toMatch(/\/q\/[A-Za-z0-9]{9}$/);
  // The preview (checked by the decoder in the page) now holds the short address.
  await expect(page.getByTestId('preview')).toHaveAttribute('data-content', shortUrl);
  await expect(page.getByTestId('scan-check')).toHaveText('Scans: checked by a decoder');
  const followed = await page.request.get(shortUrl, { maxRedirects: 0 });
  expect(followed.headers().location).toBe(target);

  await page.getByRole('link', { name: 'Links page' }).click();
  const row = page.getByRole('row').filter({ hasText: target.replace('https://', '') });
  await row.getByRole('button').first().click();
  await expect(page.getByTestId('dynamic-code-image')).toHaveAttribute('data-content', shortUrl);
  const download = page.waitForEvent('download');
  await page.getByTestId('code-analytics').getByRole('button', { name: 'SVG' }).click();
  expect((await download).suggestedFilename()).toMatch(/^dynamic-[A-Za-z0-9]{9}\.svg$/);
});
