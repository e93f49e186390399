/**
 * The generator in a real browser: the live preview follows the form, validation speaks next
 * to the field, a downloaded PNG decodes (ZXing) to the exact Wi-Fi string, sign-in and the
 * history work, and the theme toggle persists. (pages.spec.ts checks every page's accessibility,
 * both themes and the phone size.)
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { decodeFile } from '../../../packages/server/test/helpers/decode.js';
import { ADMIN, FLAGS_FILE } from '../playwright.config.js';
import { expectAccessible, screens, signIn } from './helpers.js';

async function chooseContent(page: Page, label: string) {
  await page.getByRole('combobox', { name: 'Content' }).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

test('a Wi-Fi code: live preview, PNG download that decodes to the exact string', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/generate$/);
  await chooseContent(page, 'Wi-Fi');
  await page.getByRole('textbox', { name: 'Network name (SSID)' }).fill('Line 3');
  await page.locator('input[type=password]').fill('correct horse');
  const expected = 'WIFI:T:WPA;S:Line 3;P:correct horse;;';
  await expect(page.getByTestId('preview')).toHaveAttribute('data-content', expected);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download PNG' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('qr-wifi.png');
  const png = await readFile(await download.path());
  expect(await decodeFile(png, 'image/png')).toEqual([expected]);
});

test('styled with a logo: the SVG download carries it and still decodes', async ({ page }) => {
  await page.goto('/generate');
  await page.getByRole('textbox', { name: 'URL' }).fill('https://example.com/logo');
  await page.getByRole('radiogroup', { name: 'Module shape' }).getByText('rounded').click();
  const logo =
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#c00"/></svg>';
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(logo) });
  await expect(page.getByTestId('scan-check')).toHaveText('Scans: checked by a decoder');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download SVG' }).click(),
  ]);
  const svg = await readFile(await download.path());
  expect(svg.toString()).toContain('<image');
  expect(await decodeFile(svg, 'image/svg+xml')).toEqual(['https://example.com/logo']);
});

test('every content type draws a code once its form is filled', async ({ page }) => {
  await page.goto('/generate');
  const cases: [string, [string, string][], RegExp][] = [
    ['Text', [['Text', 'hello']], /^hello$/],
    ['E-mail', [['To', 'parts@example.com']], /^mailto:parts@example\.com/],
    ['SMS', [['Phone number', '+441234567']], /^SMSTO:\+441234567/],
    ['Phone', [['Phone number', '+15550100']], /^tel:\+15550100$/],
    [
      'Contact (vCard)',
      [
        ['First name', 'Ada'],
        ['Last name', 'Lovelace'],
      ],
      /^BEGIN:VCARD/,
    ],
    ['GS1 Digital Link', [['GTIN (with check digit)', '09506000134352']], /\/01\/09506000134352/],
    [
      'Location',
      [
        ['Latitude', '51.5'],
        ['Longitude', '-0.12'],
      ],
      /^geo:51\.5,-0\.12/,
    ],
  ];
  for (const [type, fields, expected] of cases) {
    await chooseContent(page, type);
    for (const [label, value] of fields)
      await page.getByRole('textbox', { name: label }).fill(value);
    await expect(page.getByTestId('preview')).toHaveAttribute('data-content', expected);
  }
});

test('validates as you type, next to the field', async ({ page }) => {
  await page.goto('/generate');
  const url = page.getByRole('textbox', { name: 'URL' });
  await url.fill('not a web address');
  await expect(page.getByText('an absolute URL such as https://example.com/')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download PNG' })).toBeDisabled();
  await url.fill('https://example.com/parts/42');
  await expect(page.getByTestId('preview')).toHaveAttribute(
    'data-content',
    'https://example.com/parts/42',
  );
  await expect(page.getByRole('button', { name: 'Download PNG' })).toBeEnabled();
});

test('the preview says whether the styled code still scans (decoded in the browser)', async ({
  page,
}) => {
  await page.goto('/generate');
  await page.getByRole('textbox', { name: 'URL' }).fill('https://example.com/scan');
  await expect(page.getByTestId('scan-check')).toHaveText('Scans: checked by a decoder');
  // Pale grey on white: the contrast warning shows and the decoder no longer reads it.
  const dark = page.getByRole('textbox', { name: 'Dark colour' });
  await dark.fill('#f4f4f4');
  await dark.press('Enter');
  await expect(page.getByText('Low contrast')).toBeVisible();
  await expect(page.getByTestId('scan-check')).toHaveText('Does not scan: change the style');
});

test('sign in, save a code to the history, sign out; a wrong password is named', async ({
  page,
}) => {
  await page.goto('/generate');
  await expect(page.getByRole('button', { name: 'Save to history' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('textbox', { name: 'E-mail' }).fill(ADMIN.email);
  await page.locator('input[type=password]').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('alert')).toContainText('Could not sign in');
  await page.screenshot({ path: `${screens}/sign-in-error.png`, fullPage: true });
  await expectAccessible(page);
  await page.locator('input[type=password]').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('button', { name: `Account: ${ADMIN.email}` })).toBeVisible();

  await page.getByRole('textbox', { name: 'URL' }).fill('https://example.com/saved');
  await page.getByRole('button', { name: 'Save to history' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved to history' })).toBeVisible();
  // The history really holds it: asked through the API with the page's own session.
  const codes = await page.evaluate(async () => {
    const { accessToken } = JSON.parse(sessionStorage.getItem('qrforge.session')!) as {
      accessToken: string;
    };
    const response = await fetch('/api/v1/codes', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return ((await response.json()) as { codes: { summary: string }[] }).codes.map(
      (c) => c.summary,
    );
  });
  expect(codes.join(' ')).toContain('https://example.com/saved');

  // The history page shows it with its thumbnail; deleting it leaves the empty state.
  await page.getByRole('link', { name: 'History' }).click();
  const card = page.getByTestId('history-card').filter({ hasText: 'https://example.com/saved' });
  await expect(card).toBeVisible();
  const thumbnail = card.getByRole('img');
  await expect(thumbnail).toHaveAttribute('src', /^blob:/);
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expectAccessible(page);
  // Filters: another content type hides it; today's date range and "made by me" keep it.
  await page.getByRole('combobox', { name: 'Content type' }).click();
  await page.getByRole('option', { name: 'Wi-Fi', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('No saved codes match these filters.');
  await page.getByRole('combobox', { name: 'Content type' }).click();
  await page.getByRole('option', { name: 'Web address', exact: true }).click();
  const today = new Date().toLocaleDateString('en-CA'); // yyyy-mm-dd, local time
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('checkbox', { name: 'Made by me' }).check();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toHaveText('No saved codes match these filters.');

  await page.getByRole('button', { name: `Account: ${ADMIN.email}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('dark theme: toggled, kept after a reload, accessible in both themes', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/generate');
  await page.getByRole('textbox', { name: 'URL' }).fill('https://example.com');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.getByRole('textbox', { name: 'URL' }).fill('https://example.com');
  await expectAccessible(page);
});

test("the Dynamic switch follows the tenant's dynamic-codes flag", async ({ page, baseURL }) => {
  const { accessToken } = (await (
    await fetch(`${baseURL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
  ).json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };
  const me = (await (await fetch(`${baseURL}/api/v1/auth/me`, { headers: auth })).json()) as {
    tenants: { tenantId: string }[];
  };
  const flag = async () =>
    (
      (await (await fetch(`${baseURL}/api/v1/features`, { headers: auth })).json()) as {
        flags: Record<string, boolean>;
      }
    ).flags['dynamic-codes'];
  const dynamicSwitch = page.getByRole('switch', { name: /^Dynamic: print a short address/ });

  await signIn(page);
  await page.goto('/generate');
  await expect(dynamicSwitch).toBeVisible();
  writeFileSync(
    FLAGS_FILE,
    JSON.stringify({
      'dynamic-codes': { default: true, tenants: { [me.tenants[0].tenantId]: false } },
    }),
  );
  try {
    await expect.poll(flag, { timeout: 10_000 }).toBe(false);
    await page.reload();
    // Signed in again (the session loaded), then the flags: the switch goes.
    await expect(page.getByRole('button', { name: `Account: ${ADMIN.email}` })).toBeVisible();
    await expect(dynamicSwitch).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible();
  } finally {
    writeFileSync(FLAGS_FILE, '{}');
  }
  await expect.poll(flag, { timeout: 10_000 }).toBe(true);
  await page.reload();
  await expect(dynamicSwitch).toBeVisible();
});
