/**
 * The production-line journey in a real browser: a lot of 10,000 component IDs generated from the
 * page (a job: the progress bar follows it to 100 %), its label sheet downloaded (a PDF, one label
 * per item), the lot filtered in the item list, a selection moved through the lifecycle in bulk,
 * an item's page with its timeline, a low-stock alert from the types page, and the dashboard's
 * charts. Every inventory page is checked with axe in both themes.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, screens, signIn } from './helpers.js';

const LOT = `L${Date.now().toString(36).toUpperCase().slice(-6)}`;
const COUNT = 10_000;

async function go(page: Page, tab: string) {
  await page.getByRole('tab', { name: tab }).click();
}

test('a lot of 10,000: generated with progress, labels, bulk moves, timeline, alerts, charts', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.getByRole('link', { name: 'Inventory', exact: true }).click();
  await expect(page).toHaveURL(/\/inventory$/);
  await go(page, 'Generate');
  await expect(page).toHaveURL(/\/inventory\/generate$/);

  const form = page.getByRole('form', { name: 'Generate a lot' });
  await form.getByRole('textbox', { name: 'Component type' }).fill('pad');
  await form.getByRole('textbox', { name: 'Vendor' }).fill('V0100');
  await form.getByRole('textbox', { name: 'Lot' }).fill(LOT);
  await form.getByRole('textbox', { name: 'How many' }).fill(String(COUNT));
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Generate' }).click();

  // Over the server's sync limit: a job, followed live until 100 %.
  const progress = page.getByRole('progressbar', { name: 'Generation progress' });
  await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  const status = page.getByRole('status').filter({ hasText: 'items made' });
  await expect(status).toHaveText(
    `10,000 items made: PAD-V0100-${LOT}-00001 to PAD-V0100-${LOT}-10000`,
  );

  // The label sheet: a PDF with a label for each item (A4, the default 4 x 6 grid).
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download label sheet (PDF)' }).click();
  const pdf = await readFile(await (await download).path());
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? [];
  expect(pages.length).toBe(Math.ceil(COUNT / 24));

  // The lot's items, filtered by the link; three of them moved to engraved in one request.
  await page.getByRole('link', { name: "See the lot's items" }).click();
  await expect(page).toHaveURL(new RegExp(`/inventory\\?lot=${LOT}$`));
  const table = page.getByTestId('items-table');
  await expect(table.getByRole('row')).toHaveCount(51); // header + a page of 50
  await page.getByRole('textbox', { name: 'Search UID' }).fill(`${LOT}-0000`);
  await expect(table.getByRole('row')).toHaveCount(10); // serials 00001-00009
  for (const serial of ['00001', '00002', '00003'])
    await page.getByRole('checkbox', { name: `Select PAD-V0100-${LOT}-${serial}` }).check();
  await page.getByRole('combobox', { name: 'Move selected to' }).click();
  await page.getByRole('option', { name: 'engraved' }).click();
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'moved to' })).toContainText(
    '3 items moved to engraved.',
  );
  await page.screenshot({ path: `${screens}/inventory-items-light.png`, fullPage: true });
  await expectAccessible(page);

  // An illegal bulk move changes nothing and says why.
  await page.getByRole('checkbox', { name: `Select PAD-V0100-${LOT}-00004` }).check();
  await page.getByRole('checkbox', { name: `Select PAD-V0100-${LOT}-00001` }).check();
  await page.getByRole('combobox', { name: 'Move selected to' }).click();
  await page.getByRole('option', { name: 'verified' }).click();
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('1 of 2 items cannot move to verified');

  // The item's page: its code, the moves it allows, its timeline.
  await page.getByRole('link', { name: `PAD-V0100-${LOT}-00001` }).click();
  await expect(page.getByRole('heading', { name: `PAD-V0100-${LOT}-00001` })).toBeVisible();
  await expect(page.getByRole('img', { name: `QR code of PAD-V0100-${LOT}-00001` })).toBeVisible();
  await page.getByRole('textbox', { name: 'Location (optional)' }).fill('Bay 4');
  await page.getByRole('button', { name: 'verified' }).click();
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toContainText('generated → engraved');
  await expect(timeline).toContainText('engraved → verified');
  await expect(timeline).toContainText('location: Bay 4');
  await page.screenshot({ path: `${screens}/inventory-item-light.png`, fullPage: true });
  await expectAccessible(page);

  // Lots, then a minimum above the available stock: a low-stock alert.
  await go(page, 'Lots');
  await expect(page.getByTestId('lots-table')).toContainText(LOT);
  await expectAccessible(page);
  await go(page, 'Types & alerts');
  await page.getByRole('textbox', { name: 'Minimum stock of PAD' }).fill('5');
  await page
    .getByTestId('types-table')
    .getByRole('row', { name: /PAD/ })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect(page.getByTestId('open-alerts')).toContainText('PAD (0 of 5)');
  await page.screenshot({ path: `${screens}/inventory-types-light.png`, fullPage: true });
  await expectAccessible(page);

  // The dashboard: four charts drawn from the data above.
  await go(page, 'Analytics');
  for (const chart of ['Items', 'Throughput', 'Scrap rate', 'Warranty expiries'])
    await expect(page.getByTestId(`chart-${chart}`).locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('chart-Items')).toContainText('generated');
  await page.screenshot({ path: `${screens}/inventory-analytics-light.png`, fullPage: true });
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: `${screens}/inventory-analytics-dark.png`, fullPage: true });
  await expectAccessible(page);
  for (const tab of ['Items', 'Generate', 'Lots', 'Types & alerts']) {
    await go(page, tab);
    await page.waitForLoadState('networkidle');
    await expectAccessible(page);
  }
});
