/**
 * First contact on a real network: the page opened by a host name that is not localhost
 * (Chromium's --host-resolver-rules maps qrforge.test to the server) and by a non-loopback address
 * of this machine, over plain HTTP — regression: the CSP's upgrade-insecure-requests sent every
 * asset to https and the page was blank — and over HTTPS with the certificate `qrforge tls init`
 * made, trusted the way a phone trusts it (its CA in the browser's certificate store: an NSS
 * database in the browser's HOME), where the camera page works in the secure context.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { decodeFile } from '../../../packages/server/test/helpers/decode.js';
import { ADMIN, LAN } from '../playwright.config.js';
import { y4mOf } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--host-resolver-rules=MAP ${LAN.name} 127.0.0.1`,
];

/** A non-loopback IPv4 address of this machine, if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** Everything the console said that is an error (CSP refusals, failed loads, 404s). */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  return errors;
}

/** The generator draws a code that decodes, at `base`. */
async function generatorWorks(browser: Browser, base: string) {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors = consoleErrors(page);
  await page.goto(`${base}/generate`);
  await page.getByRole('textbox', { name: 'URL' }).fill(`${base}/reached`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download PNG' }).click(),
  ]);
  const png = await readFile(await download.path());
  expect(await decodeFile(png, 'image/png')).toEqual([`${base}/reached`]);
  // What search engines and home screens read: a description, icons, a manifest.
  expect(await page.locator('meta[name=description]').getAttribute('content')).toMatch(/QR codes/);
  // Fetched by the page (the host name resolves only in the browser).
  const fetched = await page.evaluate(async () => ({
    manifest: (await (await fetch('/manifest.webmanifest')).json()) as { name: string },
    favicon: (await fetch('/favicon.ico')).status,
  }));
  expect(fetched).toMatchObject({ manifest: { name: 'QR Forge' }, favicon: 200 });
  expect(errors).toEqual([]);
  await page.close();
}

test('plain HTTP by a host name and by a LAN address: the generator works', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    await generatorWorks(browser, `http://${LAN.name}:${LAN.port}`);
    if (lanAddress) await generatorWorks(browser, `http://${lanAddress}:${LAN.port}`);
    else
      console.warn(
        'this machine has no non-loopback IPv4 address: the LAN-address check is skipped',
      );
  } finally {
    await browser.close();
  }
});

test('HTTPS with the tls init certificate: trusted, secure, and the camera reads a code', async () => {
  // The browser's own certificate store, as a phone's: an NSS database holding our CA.
  const home = mkdtempSync(join(tmpdir(), 'qrforge-nss-'));
  const nss = join(home, '.pki', 'nssdb');
  mkdirSync(nss, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${nss}`,
    '-t',
    'C,,',
    '-n',
    'QR Forge local CA',
    '-i',
    join(LAN.tls, 'ca.pem'),
  ]);
  const video = join(home, 'code.y4m');
  writeFileSync(video, y4mOf('HTTPS-CAMERA-0001'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: home },
    args: [
      ...FLAGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const base = `https://${LAN.name}:${LAN.tlsPort}`;
    await generatorWorks(browser, base);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['camera'], { origin: base });
    const page = await context.newPage();
    const response = await page.goto(`${base}/sign-in`);
    // Trusted by the store, not by skipping checks: the certificate is for this name.
    expect((await response!.securityDetails())?.subjectName).toBeTruthy();
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await page.getByRole('textbox', { name: 'E-mail' }).fill(ADMIN.email);
    await page.locator('input[type=password]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await expect(page.getByRole('button', { name: `Account: ${ADMIN.email}` })).toBeVisible();
    await page.goto(`${base}/scan`);
    const start = page.getByRole('form', { name: 'Start a scan session' });
    await start.getByRole('textbox', { name: 'Session name' }).fill('Phone over HTTPS');
    await start.getByRole('button', { name: 'Start scanning' }).click();
    await expect(page).toHaveURL(/\/scan\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('last-scan')).toContainText('HTTPS-CAMERA-0001', {
      timeout: 20_000,
    });
    await context.close();
  } finally {
    await browser.close();
  }
  // The CA a phone downloads is the one the browser trusted.
  expect(readFileSync(join(LAN.tls, 'ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
});
