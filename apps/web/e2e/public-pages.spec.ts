/**
 * The public face of a part, set up from the web page: component codes switched to signed item
 * URLs, the page's fields and maker chosen, a recall of part of a lot issued and its affected
 * items listed; the items' own pages then show the notice (or not), a forged code is refused, and
 * the lot's scans are counted on the page. The code choice is put back afterwards, as other
 * journeys expect bare-UID codes.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, screens, signIn } from './helpers.js';

const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** Calls the API with the page's own session. */
function call(page: Page, method: string, url: string, body?: unknown) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const { accessToken } = JSON.parse(sessionStorage.getItem('qrforge.session')!) as {
        accessToken: string;
      };
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    { method, url, body },
  );
}

test('signed item codes, a public page with a recall, forged codes refused, lot scans', async ({
  page,
  baseURL,
}) => {
  const lot = `PUB${Date.now().toString(36).toUpperCase().slice(-5)}`;
  await signIn(page);
  await page.getByRole('link', { name: 'Public pages', exact: true }).click();
  await expect(page).toHaveURL(/\/public-pages$/);
  try {
    const content = page.getByRole('form', { name: 'What component codes hold' });
    await content.getByRole('combobox', { name: 'New codes encode' }).click();
    await page.getByRole('option', { name: /A public item page/ }).click();
    await content.getByRole('textbox', { name: 'Your address' }).fill(baseURL!);
    await content.getByRole('switch', { name: /Signed codes/ }).click({ force: true });
    await content.getByRole('button', { name: 'Save' }).click();
    await expect(content.getByRole('status')).toContainText('Saved');

    const shown = page.getByRole('form', { name: 'What public item pages show' });
    await shown.getByRole('checkbox', { name: 'Lot number' }).check();
    await shown.getByRole('textbox', { name: "Maker's name" }).fill('Acme Brakes');
    await shown.getByRole('button', { name: 'Save' }).click();
    await expect(shown.getByRole('status')).toContainText('Saved');

    // Four parts of a new lot; their codes now hold signed item URLs.
    await call(page, 'POST', '/api/v1/inventory/types', { code: 'PUB', name: 'Brake pad' });
    const made = await call(page, 'POST', '/api/v1/inventory/generate', {
      componentType: 'PUB',
      vendorCode: 'V0100',
      lotNumber: lot,
      manufacturingDate: '2026-03-01',
      warrantyYears: 2,
      count: 4,
      location: 'Secret shelf 7',
    });
    expect(made.status).toBe(201);
    const uids = (made.body as { items: { uid: string }[] }).items.map((i) => i.uid);
    const urls = await Promise.all(
      uids.map(
        async (uid) =>
          (
            (await call(page, 'GET', `/api/v1/inventory/items/${uid}`)).body as {
              codeContent: string;
            }
          ).codeContent,
      ),
    );
    expect(urls[0]).toMatch(new RegExp(`^${baseURL}/i/.+\\?s=[\\w-]{11}$`));

    // A recall of serials 2 to 3 only, from the page.
    const recall = page.getByRole('form', { name: 'New recall' });
    await recall.getByRole('textbox', { name: 'Lot' }).fill(lot);
    await recall.getByRole('textbox', { name: 'From serial' }).fill('2');
    await recall.getByRole('textbox', { name: 'To serial' }).fill('3');
    await recall
      .getByRole('textbox', { name: 'Notice shown on every affected page' })
      .fill('Stop using this pad: the friction layer may come loose.');
    await recall.getByRole('button', { name: 'Recall' }).click();
    const row = page
      .getByRole('table', { name: 'Recalls' })
      .getByRole('row')
      .filter({ hasText: lot });
    await expect(row).toContainText('2 items');
    await row.getByRole('button', { name: '2 items' }).click();
    const affected = page.getByTestId('recall-affected');
    await expect(affected.getByRole('row')).toHaveCount(3);
    await expect(affected).toContainText(uids[1]);
    await expect(affected).toContainText('never scanned');

    // The parts' pages, as a customer's phone sees them.
    const view = (url: string) => page.request.get(url, { headers: { 'user-agent': PHONE } });
    await expect.poll(async () => (await view(urls[1])).status()).toBe(200);
    const recalled = await (await view(urls[1])).text();
    expect(recalled).toContain('Recall notice');
    expect(recalled).toContain('friction layer may come loose');
    expect(recalled).toContain('Acme Brakes');
    expect(recalled).toContain(lot);
    expect(recalled).not.toContain('Secret shelf');
    const fine = await (await view(urls[0])).text();
    expect(fine).not.toContain('Recall notice');
    const forged = await view(urls[0].replace(/\?s=.*$/, '?s=AAAAAAAAAAA'));
    expect(forged.status()).toBe(403);

    // Scans per lot: at least the three genuine page views.
    const lotScans = page.getByTestId('lot-scans');
    await lotScans.getByRole('combobox', { name: 'Lot' }).click();
    await page.getByRole('option', { name: lot, exact: true }).click();
    await expect
      .poll(async () => parseInt((await lotScans.getByTestId('scan-totals').textContent()) ?? ''), {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(3);
    await expect(
      lotScans.getByTestId('chart-by-device').locator('.recharts-bar-rectangle'),
    ).toHaveCount(1);
    await page.screenshot({ path: `${screens}/public-pages.png`, fullPage: true });
    await expectAccessible(page);
  } finally {
    await call(page, 'PUT', '/api/v1/inventory/code-content', { mode: 'uid', baseUrl: null });
  }
});
