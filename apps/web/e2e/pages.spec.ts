/**
 * Every page, in the light and the dark theme and on a phone-sized screen: a screenshot for the
 * artefacts, axe finds no serious or critical violations, and nothing scrolls sideways.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, screens, signIn } from './helpers.js';

/** A saved code and a small batch through the API, with the page's own session. */
async function seed(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const { accessToken } = JSON.parse(sessionStorage.getItem('qrforge.session')!) as {
      accessToken: string;
    };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    await fetch('/api/v1/codes', {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: 'https://example.com/pages', format: 'png', store: true }),
    });
    const response = await fetch('/api/v1/batches', {
      method: 'POST',
      headers,
      body: JSON.stringify({ rows: [{ data: 'one' }, { data: 'two' }, { data: '' }] }),
    });
    return ((await response.json()) as { id: string }).id;
  });
}

/** Each signed-in page: its name, path, and what shows once it has loaded. */
function pages(batchId: string): [string, string, (page: Page) => Promise<void>][] {
  return [
    [
      'generator',
      '/generate',
      async (p) => {
        await p.getByRole('textbox', { name: 'URL' }).fill('https://example.com/theme');
        await expect(p.getByTestId('scan-check')).toHaveText('Scans: checked by a decoder');
      },
    ],
    [
      'batches',
      '/batches',
      (p) => expect(p.getByTestId('recent-batches').getByRole('row').nth(1)).toBeVisible(),
    ],
    [
      'batch',
      `/batches/${batchId}`,
      (p) =>
        expect(p.getByRole('progressbar', { name: 'Batch progress' })).toHaveAttribute(
          'aria-valuenow',
          '100',
        ),
    ],
    ['history', '/history', (p) => expect(p.getByTestId('history-card').first()).toBeVisible()],
    [
      'scan',
      '/scan',
      (p) => expect(p.getByRole('form', { name: 'Start a scan session' })).toBeVisible(),
    ],
    [
      'engraving',
      '/engraving',
      (p) => expect(p.getByRole('heading', { name: 'Machines' })).toBeVisible(),
    ],
    [
      'links',
      '/links',
      (p) => expect(p.getByRole('form', { name: 'New dynamic code' })).toBeVisible(),
    ],
    [
      'public-pages',
      '/public-pages',
      (p) => expect(p.getByRole('heading', { name: 'Recalls' })).toBeVisible(),
    ],
  ];
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every page in the ${scheme} theme: screenshot, accessibility`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/sign-in');
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
    await page.screenshot({ path: `${screens}/sign-in-${scheme}.png`, fullPage: true });
    await expectAccessible(page);

    await signIn(page);
    const batchId = await seed(page);
    for (const [name, path, ready] of pages(batchId)) {
      // In-app navigation keeps the session (tab storage) and the theme.
      await page.evaluate((to) => {
        window.history.pushState({}, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }, path);
      await ready(page);
      await page.screenshot({ path: `${screens}/${name}-${scheme}.png`, fullPage: true });
      await expectAccessible(page);
    }
  });
}

test('every page fits a phone-sized screen; navigation opens from the menu button', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const batchId = await seed(page);
  const labels: Record<string, string> = {
    generator: 'Generate',
    batches: 'Batches',
    history: 'History',
    scan: 'Scan',
    engraving: 'Engraving',
    links: 'Links',
    'public-pages': 'Public pages',
  };
  for (const [name, path, ready] of pages(batchId)) {
    await page.getByRole('button', { name: 'Open navigation' }).click();
    const nav = page.getByRole('navigation', { name: 'Main (phone)' });
    await nav.getByRole('link', { name: labels[name] ?? 'Batches' }).click();
    await expect(nav).toHaveCount(0);
    if (name === 'batch')
      await page.getByTestId('recent-batches').getByRole('link').first().click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await ready(page);
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${screens}/${name}-phone.png`, fullPage: true });
  }
});
