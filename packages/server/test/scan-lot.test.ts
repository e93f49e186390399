/**
 * The "done when", end to end over HTTP: a lot of 100 engraved items, a folder of photos
 * of 98 of them (two pieces never photographed, one scrapped piece among them) uploaded ten at a
 * time to a scan session; the summary names what is missing and wrong, and closing moves the 97
 * good ones on in one step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { codeAt, greyPng } from './helpers/images.js';
import { multipart } from './helpers/multipart.js';

/** A photo of an engraved mark: dark grey on lighter metal, with a fixed grain. */
function engravedPhoto(uid: string): Buffer {
  const code = codeAt(uid, 5, 12, 12);
  const side = code.side + 24;
  return greyPng(side, side, (x, y) => {
    const grain = ((x * 7919 + y * 104729) % 23) - 11;
    return (code.dark(x, y) ? 85 : 165) + grain;
  });
}

describe.each(ENGINES)('a lot of 100 scanned from a folder of photos on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let cleanup: () => Promise<void>;
  let auth: Record<string, string>;
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url, payload, headers: auth });

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({ dataDir: opened.dataDir, jwtSecret: 'lot-scan-secret-lot-scan-secret-0123' }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)(
    'finds the missing and the wrong, and moves the good in one step',
    async () => {
      const made = await call('POST', '/api/v1/inventory/generate', {
        componentType: 'PAD',
        vendorCode: 'V0100',
        lotNumber: 'L2026-12',
        manufacturingDate: '2026-11-01',
        count: 100,
      });
      const uids = made.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
      expect(uids).toHaveLength(100);
      const lot = { uids, status: 'engraved' };
      expect((await call('POST', '/api/v1/inventory/items/status', lot)).statusCode).toBe(200);
      await call('POST', '/api/v1/inventory/items/status', {
        uids: [uids[49]],
        status: 'scrapped',
      });

      const session = (
        await call('POST', '/api/v1/scans/sessions', {
          name: 'Inspection L2026-12',
          expected: { kind: 'lot', lot: 'L2026-12' },
          targetStatus: 'verified',
        })
      ).json<{ id: string }>();
      // The folder: every piece but serials 7 and 8.
      const folder = uids
        .filter((_, i) => i !== 6 && i !== 7)
        .map((uid) => ({ name: `${uid}.png`, bytes: engravedPhoto(uid) }));
      for (let i = 0; i < folder.length; i += 10) {
        const body = multipart(folder.slice(i, i + 10));
        const res = await app.server.inject({
          method: 'POST',
          url: `/api/v1/scans/sessions/${session.id}/images`,
          payload: body.payload,
          headers: { ...auth, ...body.headers },
        });
        expect(res.statusCode).toBe(200);
        for (const image of res.json<{ images: { name: string; scans: unknown[] }[] }>().images)
          expect([image.name, image.scans.length]).toEqual([image.name, 1]);
      }

      const summary = (await call('GET', `/api/v1/scans/sessions/${session.id}`)).json<{
        summary: { expected: number; found: number; missing: number; byResult: object };
      }>().summary;
      expect(summary).toMatchObject({
        expected: 100,
        found: 98,
        missing: 2,
        byResult: { ok: 97, 'wrong-status': 1, duplicate: 0, unknown: 0 },
      });
      const missing = (await call('GET', `/api/v1/scans/sessions/${session.id}/missing`)).json<{
        items: { uid: string }[];
      }>().items;
      expect(missing.map((i) => i.uid)).toEqual([uids[6], uids[7]]);
      const wrong = (
        await call('GET', `/api/v1/scans/sessions/${session.id}/scans?result=wrong-status`)
      ).json<{ scans: { uid: string; detail: string }[] }>().scans;
      expect(wrong).toMatchObject([
        { uid: uids[49], detail: 'scrapped; it cannot move to verified' },
      ]);

      const closed = await call('POST', `/api/v1/scans/sessions/${session.id}/close`, {});
      expect(closed.json()).toMatchObject({ status: 'closed', moved: 97 });
      const counts = (await call('GET', '/api/v1/inventory/analytics/counts?by=status')).json<{
        counts: { key: string; count: number }[];
      }>().counts;
      expect(counts).toEqual(
        expect.arrayContaining([
          { key: 'verified', count: 97 },
          { key: 'engraved', count: 2 },
          { key: 'scrapped', count: 1 },
        ]),
      );
    },
  );
});
