/**
 * The batch page in a real browser: a 1,000-row CSV dropped on the page is previewed and mapped,
 * the progress bar follows the job to 100 %, failed rows are listed, and the ZIP and label sheet
 * download — the ZIP is opened and its entries counted. Leaving and coming back shows the job.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { expectAccessible, screens, signIn } from './helpers.js';

const ROWS = 1000;
/** Rows whose data cell is empty: the server reports them and makes the rest. */
const EMPTY = new Set([10, 500, 999]);

function partsCsv() {
  const lines = ['sku,url,label'];
  for (let i = 1; i <= ROWS; i++)
    lines.push(`P-${i},${EMPTY.has(i) ? '' : `https://example.com/p/${i}`},Part ${i}`);
  return lines.join('\n') + '\n';
}

test('a 1,000-row CSV: dropped, previewed, run with live progress, ZIP and sheet downloaded', async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Batches', exact: true }).click();
  await expect(page).toHaveURL(/\/batches$/);
  // Other runs against the same server may have left batches: this one has its own name.
  const fileName = `parts-1000-${Date.now()}.csv`;

  // Drag and drop, as a user would (a DataTransfer holding the file, dropped on the zone).
  const dataTransfer = await page.evaluateHandle(
    ([csv, name]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([csv], name, { type: 'text/csv' }));
      return transfer;
    },
    [partsCsv(), fileName],
  );
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('chosen-file')).toContainText(fileName);

  const preview = page.getByTestId('batch-preview');
  await expect(preview.getByRole('row')).toHaveCount(11); // header + the first 10 rows
  await expect(preview).toContainText('The first 10 rows (the file has more)');
  await expect(preview.getByRole('columnheader', { name: 'url (data)' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'File-name column' })).toHaveValue('sku');
  await expect(page.getByRole('combobox', { name: 'Label column' })).toHaveValue('label');
  await page.getByRole('combobox', { name: 'Label sheet (PDF)' }).click();
  await page.getByRole('option', { name: 'A4 sheet' }).click();
  // A tall window rather than fullPage: Chromium draws the fixed header mid-page in full-page shots.
  await page.setViewportSize({ width: 1280, height: 1800 });
  await page.screenshot({ path: `${screens}/batches-new-light.png` });
  await page.setViewportSize({ width: 1280, height: 720 });
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Start the batch' }).click();
  await expect(page).toHaveURL(/\/batches\/[0-9a-f-]{36}$/);
  const batchUrl = page.url();

  // The bar is fed by the job's event stream: watched every 20 ms, it only moves forward and
  // reaches 100 % with the counts.
  const progress = page.getByRole('progressbar', { name: 'Batch progress' });
  await progress.waitFor();
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    const read = () => {
      const bar = document.querySelector('[role=progressbar][aria-label="Batch progress"]');
      const value = Number(bar?.getAttribute('aria-valuenow'));
      if (seen.at(-1) !== value) seen.push(value);
      if (value < 100) setTimeout(read, 20);
    };
    read();
  });
  await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  const seen = await page.evaluate(async () => {
    const { progressSeen } = window as unknown as { progressSeen: number[] };
    while (progressSeen.at(-1) !== 100) await new Promise((resolve) => setTimeout(resolve, 20));
    return progressSeen;
  });
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  await expect(page.getByTestId('batch-counts')).toHaveText(
    `${(ROWS - EMPTY.size).toLocaleString('en')} of ${ROWS.toLocaleString('en')} rows made into codes, ${EMPTY.size} failed · 100 %`,
  );
  const failed = page.getByTestId('failed-rows');
  await expect(failed.getByRole('row')).toHaveCount(EMPTY.size + 1);
  for (const row of EMPTY)
    await expect(failed.getByRole('row', { name: new RegExp(`^${row} `) })).toContainText(
      'the data is empty',
    );
  await page.screenshot({ path: `${screens}/batch-light.png`, fullPage: true });
  await expectAccessible(page);

  const [zipDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download ZIP' }).click(),
  ]);
  const entries = Object.keys(unzipSync(await readFile(await zipDownload.path())));
  expect(entries).toHaveLength(ROWS - EMPTY.size);
  expect(entries).toContain('P-1.png');
  expect(entries).not.toContain('P-10.png');

  const [sheetDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download label sheet (PDF)' }).click(),
  ]);
  expect((await readFile(await sheetDownload.path())).subarray(0, 5).toString()).toBe('%PDF-');

  // Leave, come back: the list shows the job, and it opens the same batch.
  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await expect(page).toHaveURL(/\/generate$/);
  await page.getByRole('link', { name: 'Batches', exact: true }).click();
  const recent = page.getByTestId('recent-batches');
  await expect(recent.getByRole('row', { name: new RegExp(fileName) })).toContainText('completed');
  await recent.getByRole('link', { name: fileName }).click();
  expect(page.url()).toBe(batchUrl);
  await expect(progress).toHaveAttribute('aria-valuenow', '100');
});
