/**
 * Engraving from the web page: a simulated GRBL machine added, a lot queued at the seed's settings
 * with a material preset, the job followed live on its page (progress, piece by piece) to the end,
 * the toolpath preview shown, and an item's timeline naming the machine. The lot has 5 items;
 * E2E_ENGRAVE_LOT=100 runs the 100-piece lot (about two minutes).
 */
import { expect, test } from '@playwright/test';
import { expectAccessible, screens, signIn } from './helpers.js';

test('a lot is engraved on a simulated machine, followed live, and the items move to engraved', async ({
  page,
}) => {
  const pieces = Number(process.env.E2E_ENGRAVE_LOT ?? 5);
  test.setTimeout(120_000 + pieces * 3000);
  const lot = `E${Date.now().toString(36).toUpperCase()}`;
  await signIn(page);
  await page.goto('/inventory/generate');
  const generate = page.getByRole('form', { name: 'Generate a lot' });
  await generate.getByRole('textbox', { name: 'Component type' }).fill('ENG');
  await generate.getByRole('textbox', { name: 'Vendor' }).fill('V1');
  await generate.getByRole('textbox', { name: 'Lot' }).fill(lot);
  await generate.getByRole('textbox', { name: 'How many' }).fill(String(pieces));
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('link', { name: "See the lot's items" })).toBeVisible();

  await page.getByRole('link', { name: 'Engraving', exact: true }).click();
  await expect(page).toHaveURL(/\/engraving$/);
  const machine = page.getByRole('form', { name: 'Add a machine' });
  const name = `Diode ${lot}`;
  await machine.getByRole('textbox', { name: 'Name' }).fill(name);
  await machine.getByRole('textbox', { name: 'Simulation speed' }).fill('5000');
  await machine.getByRole('button', { name: 'Add' }).click();
  const card = page.getByTestId('machine').filter({ hasText: name });
  await expect(card).toContainText('idle');
  await card.getByRole('button', { name: 'Check now' }).click();
  await expect(card).toContainText('Last report: Idle at X0 Y0');

  const job = page.getByRole('form', { name: 'Engrave a lot' });
  await job.getByRole('textbox', { name: 'Lot' }).fill(lot);
  await job.getByRole('combobox', { name: 'Machine' }).click();
  await page.getByRole('option', { name }).click();
  await job.getByRole('combobox', { name: 'Material preset' }).click();
  await page.getByRole('option', { name: 'Anodised aluminium' }).click();
  await job.getByRole('button', { name: 'Queue' }).click();
  await page.getByRole('table', { name: 'Engraving jobs' }).getByRole('link').first().click();
  await expect(page).toHaveURL(/\/engraving\/jobs\/[0-9a-f-]{36}$/);

  // Followed live: the counter climbs piece by piece to the end.
  const progress = page.getByTestId('job-progress');
  await expect(progress).toContainText(
    new RegExp(`\\b[1-${Math.min(9, pieces - 1)}] of ${pieces}\\b`),
    {
      timeout: 60_000,
    },
  );
  await expect(page.getByTestId('job-status')).toHaveText('completed', {
    timeout: 60_000 + pieces * 3000,
  });
  await expect(progress).toContainText(`${pieces} of ${pieces}`);
  await expect(page.getByRole('img', { name: /Toolpath of piece 1/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Pieces' })).not.toContainText('pending');
  await page.screenshot({ path: `${screens}/engraving-job.png`, fullPage: true });
  await expectAccessible(page);

  await page.goto(`/inventory/items/ENG-V1-${lot}-00003`);
  await expect(page.getByTestId('timeline')).toContainText('generated → engraved');
  await page.goto('/engraving');
  await expect(page.getByTestId('machine').filter({ hasText: name })).toContainText('idle');
  await page.screenshot({ path: `${screens}/engraving.png`, fullPage: true });
  await expectAccessible(page);
});
