/**
 * The camera page on a phone-sized screen, fed by Chromium's fake camera: a Y4M video of a code
 * for the first item of a lot made in the test. The camera reads it (zxing-wasm from our own
 * files), a keyboard-wedge scan and a photo upload read the others, a scan made while offline is
 * sent when the network returns, and closing the session moves the items.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { codeAt, greyPng } from '../../../packages/server/test/helpers/images.js';
import { expectAccessible, screens, signIn, y4mOf } from './helpers.js';

const LOT = `C${Date.now().toString(36).toUpperCase()}`;
const uid = (serial: number) => `CAM-V1-${LOT}-${String(serial).padStart(5, '0')}`;
const folder = mkdtempSync(join(tmpdir(), 'qrforge-camera-'));

const video = join(folder, 'code.y4m');
writeFileSync(video, y4mOf(uid(1)));
const photo = join(folder, 'tray.png');
const third = codeAt(uid(3), 6, 30, 30);
writeFileSync(
  photo,
  greyPng(third.side + 60, third.side + 60, (x, y) => (third.dark(x, y) ? 20 : 240)),
);

test.use({
  viewport: { width: 390, height: 844 },
  permissions: ['camera'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  },
});

test('a phone scans a lot with the camera, a scanner and a photo, offline too, and closes the session', async ({
  page,
  context,
}) => {
  await signIn(page);
  await page.goto('/inventory/generate');
  const form = page.getByRole('form', { name: 'Generate a lot' });
  await form.getByRole('textbox', { name: 'Component type' }).fill('CAM');
  await form.getByRole('textbox', { name: 'Vendor' }).fill('V1');
  await form.getByRole('textbox', { name: 'Lot' }).fill(LOT);
  await form.getByRole('textbox', { name: 'How many' }).fill('3');
  await form.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('link', { name: "See the lot's items" })).toBeVisible();

  await page.goto('/scan');
  const start = page.getByRole('form', { name: 'Start a scan session' });
  await start.getByRole('textbox', { name: 'Session name' }).fill(`Engraving check ${LOT}`);
  await start.getByRole('textbox', { name: 'Expected lot' }).fill(LOT);
  await start.getByRole('combobox', { name: 'On closing, move ok items to' }).click();
  await page.getByRole('option', { name: 'engraved' }).click();
  await start.getByRole('button', { name: 'Start scanning' }).click();
  await expect(page).toHaveURL(/\/scan\/[0-9a-f-]{36}$/);
  const last = page.getByTestId('last-scan');
  const tally = page.getByTestId('tally');
  await expect(tally).toContainText('0 of 3 found');

  // The fake camera shows the first item's code: read once, however long it stays in view.
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('decoder')).toHaveText('Reading with zxing-wasm');
  await expect(last).toContainText('ok', { timeout: 20_000 });
  await expect(last).toContainText(uid(1));
  await expect(tally).toContainText('1 of 3 found');
  await page.waitForTimeout(2500);
  await expect(tally).toContainText('ok: 1');
  await expect(tally).toContainText('duplicate: 0');
  await page.screenshot({ path: `${screens}/scan-camera.png`, fullPage: true });
  await page.getByRole('button', { name: 'Stop camera' }).click();

  // A keyboard-wedge scanner types and presses Enter.
  const code = page.getByRole('textbox', { name: 'Code' });
  await code.fill(uid(2));
  await code.press('Enter');
  await expect(last).toContainText(`ok${uid(2)}`);
  await code.fill('hello world');
  await code.press('Enter');
  await expect(last).toContainText('invalid-id');

  // Offline: the scan waits in the outbox, then goes when the network is back.
  await context.setOffline(true);
  await code.fill(uid(1));
  await code.press('Enter');
  await expect(page.getByTestId('outbox')).toContainText('1 scan waiting for the network');
  await context.setOffline(false);
  await expect(page.getByTestId('outbox')).toBeHidden({ timeout: 15_000 });
  await expect(last).toContainText('duplicate');

  // The photo fallback.
  await page.locator('input[type=file]').setInputFiles(photo);
  await expect(last).toContainText(`ok${uid(3)}`);
  await expect(tally).toContainText('3 of 3 found · 0 missing');
  await expect(tally).toContainText('ok: 3');
  await page.screenshot({ path: `${screens}/scan-phone.png`, fullPage: true });
  await expectAccessible(page);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Close session' }).click();
  await expect(page.getByText('Closed: 3 items moved to engraved')).toBeVisible();
  await page.goto(`/inventory/items/${uid(1)}`);
  await expect(page.getByTestId('timeline')).toContainText('generated → engraved');
});
