/**
 * Pushing events to an ERP from the web page: a receiver (a real HTTP server in this test) is
 * added on the Webhooks page, its secret shown once; a test event and then a status change made
 * on the Inventory page arrive signed (verified with the Standard Webhooks library, as an ERP
 * would), and the delivery log shows them delivered.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { expect, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { expectAccessible, screens, signIn } from './helpers.js';

test('a webhook added on the page receives signed events from actions on the page', async ({
  page,
}) => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/erp`;
  try {
    await signIn(page);
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await expect(page).toHaveURL(/\/webhooks$/);
    await page.getByRole('textbox', { name: 'Receiver URL' }).fill(url);
    await page.getByRole('button', { name: 'Add' }).click();
    const secret = (await page.getByTestId('new-secret').locator('pre').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const card = page.getByTestId('webhook').filter({ hasText: url });
    await card.getByRole('button', { name: 'Send a test event' }).click();
    await expect(card.getByRole('table')).toContainText('webhook.test');
    await expect(card.getByRole('table')).toContainText('succeeded');
    await expect(card.getByRole('table')).toContainText('HTTP 204');
    await page.screenshot({ path: `${screens}/webhooks-light.png`, fullPage: true });
    await expectAccessible(page);

    // A lot made and an item moved on the Inventory page: the ERP hears about both.
    await page.getByRole('link', { name: 'Inventory', exact: true }).click();
    await page.getByRole('tab', { name: 'Generate' }).click();
    const form = page.getByRole('form', { name: 'Generate a lot' });
    await form.getByRole('textbox', { name: 'Component type' }).fill('HOOK');
    await form.getByRole('textbox', { name: 'Vendor' }).fill('V1');
    await form
      .getByRole('textbox', { name: 'Lot' })
      .fill(`W${Date.now().toString(36).toUpperCase()}`);
    await form.getByRole('textbox', { name: 'How many' }).fill('3');
    await form.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('link', { name: "See the lot's items" }).click();
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('button', { name: 'engraved' }).click();
    await expect(page.getByTestId('timeline')).toContainText('generated → engraved');

    const verifier = new Webhook(secret);
    await expect
      .poll(() => received.map((r) => (JSON.parse(r.body) as { type: string }).type), {
        timeout: 10_000,
      })
      .toEqual(['webhook.test', 'items.created', 'item.status.engraved']);
    for (const r of received)
      expect(() =>
        verifier.verify(r.body, {
          'webhook-id': String(r.headers['webhook-id']),
          'webhook-timestamp': String(r.headers['webhook-timestamp']),
          'webhook-signature': String(r.headers['webhook-signature']),
        }),
      ).not.toThrow();
  } finally {
    receiver.close();
  }
});
