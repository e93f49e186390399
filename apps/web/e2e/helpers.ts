/** Shared steps of the end-to-end journeys. */
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { codeAt } from '../../../packages/server/test/helpers/images.js';
import { ADMIN } from '../playwright.config.js';

/** Screenshots of each page go here (CI keeps test-results/ as an artefact). */
export const screens = fileURLToPath(new URL('../test-results/screens', import.meta.url));

/** axe-core on the page as it stands: no serious or critical violations. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) =>
        `${v.id}: ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join(', ')}`,
    ),
  ).toEqual([]);
}

/** Signs in as the e2e admin through the sign-in page. */
export async function signIn(page: Page) {
  await page.goto('/sign-in');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(ADMIN.email);
  await page.locator('input[type=password]').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('button', { name: `Account: ${ADMIN.email}` })).toBeVisible();
}

/**
 * A Y4M (YUV4MPEG2, 4:2:0) video of `text`'s code, black on white in the middle of a grey frame,
 * as Chromium's --use-file-for-fake-video-capture reads it (looped).
 */
export function y4mOf(text: string, width = 640, height = 480, frames = 2): Buffer {
  const code = codeAt(text, 8);
  const left = Math.floor((width - code.side) / 2);
  const top = Math.floor((height - code.side) / 2);
  const luma = Buffer.alloc(width * height, 160);
  for (let y = 0; y < code.side; y++)
    for (let x = 0; x < code.side; x++)
      luma[(top + y) * width + left + x] = code.dark(x, y) ? 16 : 235;
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`),
    ...Array.from({ length: frames }, () => frame),
  ]);
}
