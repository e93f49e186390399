/**
 * Public item pages on both engines: a signed item code decodes to its page, which shows only the
 * fields the tenant chose (a fixture with a private location and attributes proves nothing else
 * leaks); forged and unknown signed URLs are refused and reported; a recall shows on every
 * affected page and only there, and lists the affected items with their last scan; the owner
 * registers the warranty once, into the item's timeline; GS1 Digital Links and a tenant's path
 * prefix resolve; page views are counted per lot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';

interface Item {
  uid: string;
  codeContent: string;
}

describe.each(ENGINES)('public item pages on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let cleanup: () => Promise<void>;
  let auth: Record<string, string>;
  let authB: Record<string, string>;
  let made: Item[];
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    payload?: object,
    headers = auth,
  ) => app.server.inject({ method, url, payload, headers });
  /** What a phone does with the code: open its URL on our host. */
  const open = (content: string) => {
    const url = new URL(content);
    return app.server.inject({
      method: 'GET',
      url: url.pathname + url.search,
      headers: { host: url.host, 'user-agent': 'Mozilla/5.0 (iPhone) Mobile Safari/604.1' },
    });
  };
  const generate = async (lotNumber: string, count: number, headers = auth) => {
    const res = await call(
      'POST',
      '/api/v1/inventory/generate',
      {
        componentType: 'PAD',
        vendorCode: 'V0100',
        lotNumber,
        manufacturingDate: '2026-03-01',
        warrantyYears: 2,
        count,
        location: 'Secret shelf 7',
        attributes: { cost: 'PRIVATE-COST-123' },
      },
      headers,
    );
    expect(res.statusCode).toBe(201);
    const uids = res.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
    return Promise.all(
      uids.map(async (uid) =>
        (await call('GET', `/api/v1/inventory/items/${uid}`, undefined, headers)).json<Item>(),
      ),
    );
  };

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'public-secret-public-secret-public-0',
        scanLogFlushMs: 20,
        linkCacheMs: 0,
      }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    authB = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
    await call('POST', '/api/v1/inventory/types', { code: 'PAD', name: 'Brake pad' });
    const content = await call('PUT', '/api/v1/inventory/code-content', {
      mode: 'url',
      baseUrl: 'https://parts.example.com',
      signed: true,
    });
    expect(content.json()).toMatchObject({ mode: 'url', signed: true });
    const page = await call('PUT', '/api/v1/links/public-page', {
      fields: ['type', 'manufacturingDate', 'warranty'],
      brandName: 'Acme Brakes',
      contactEmail: 'support@acme.test',
      contactUrl: null,
      warrantyRegistration: true,
    });
    expect(page.statusCode).toBe(200);
    made = await generate('L2026-03', 5);
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)(
    'a signed code decodes to its page, which shows only the chosen fields',
    async () => {
      const item = made[0];
      expect(item.codeContent).toMatch(
        /^https:\/\/parts\.example\.com\/i\/PAD-V0100-L2026-03-00001\?s=[\w-]{11}$/,
      );
      const png = await call('GET', `/api/v1/inventory/items/${item.uid}/code?format=png`);
      expect(await decodeFile(png.rawPayload, 'image/png')).toEqual([item.codeContent]);

      const page = await open(item.codeContent);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      for (const shown of [
        'Acme Brakes',
        item.uid,
        'Brake pad (PAD)',
        '2026-03-01',
        'Under warranty until 2028-03-01',
        'support@acme.test',
        'Register your warranty',
      ])
        expect(page.body).toContain(shown);
      for (const hidden of ['Secret shelf', 'PRIVATE-COST', 'generated', '>Lot<', '>Serial<'])
        expect(page.body).not.toContain(hidden);
      expect(page.body).not.toMatch(/<script/i);
    },
  );

  it.skipIf(!available)('refuses forged and unknown signed URLs, and reports them', async () => {
    const genuine = new URL(made[1].codeContent);
    const forged = [
      `${genuine.origin}${genuine.pathname}`, // no signature
      `${genuine.origin}${genuine.pathname}?s=AAAAAAAAAAA`, // a made-up one
      `${genuine.origin}/i/PAD-V0100-L2026-03-99999${genuine.search}`, // another UID, copied signature
      `${genuine.origin}/i/PAD-V0100-L2026-03-00777?s=AAAAAAAAAAA`, // never issued
    ];
    for (const url of forged) {
      const res = await open(url);
      expect([url, res.statusCode]).toEqual([url, 403]);
      expect(res.body).toContain('could not be verified');
    }
    const events = await call('GET', '/api/v1/events?type=item.code.forged');
    expect(events.json<{ events: unknown[] }>().events).toHaveLength(4);
    // The other tenant's admin sees none of them.
    const theirs = await call('GET', '/api/v1/events?type=item.code.forged', undefined, authB);
    expect(theirs.json<{ events: unknown[] }>().events).toHaveLength(0);
  });

  it.skipIf(!available)(
    'a recall shows on every affected page and only there; its affected items are listed',
    async () => {
      const recall = await call('POST', '/api/v1/recalls', {
        lot: 'L2026-03',
        serialFrom: 2,
        serialTo: 4,
        message: 'Friction material may crack: stop using this pad and contact us.',
      });
      expect(recall.statusCode).toBe(201);
      expect(recall.json()).toMatchObject({ affected: 3 });
      const id = recall.json<{ id: string }>().id;
      for (const [i, item] of made.entries()) {
        const page = await open(item.codeContent);
        const recalled = i >= 1 && i <= 3;
        expect([item.uid, page.body.includes('Friction material may crack')]).toEqual([
          item.uid,
          recalled,
        ]);
        expect(page.body.includes('Recall notice')).toBe(recalled);
      }
      const affected = await call('GET', `/api/v1/recalls/${id}/affected`);
      await new Promise((r) => setTimeout(r, 100)); // scan events are written in batches
      const listed = (await call('GET', `/api/v1/recalls/${id}/affected`)).json<{
        items: { uid: string; status: string; lastScan: string | null }[];
      }>().items;
      expect(affected.statusCode).toBe(200);
      expect(listed.map((i) => i.uid)).toEqual(made.slice(1, 4).map((i) => i.uid));
      for (const item of listed) {
        expect(item.status).toBe('generated');
        expect(item.lastScan).not.toBeNull();
      }
      expect(
        (await call('GET', `/api/v1/recalls/${id}/affected`, undefined, authB)).statusCode,
      ).toBe(404);

      await call('POST', `/api/v1/recalls/${id}/close`);
      expect((await open(made[2].codeContent)).body).not.toContain('Recall notice');
    },
  );

  it.skipIf(!available)(
    "registers the owner's warranty once, into the item's timeline",
    async () => {
      const item = made[4];
      const url = new URL(item.codeContent);
      const post = (body: string) =>
        app.server.inject({
          method: 'POST',
          url: `${url.pathname}/warranty${url.search}`,
          headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
          payload: body,
        });
      const bad = await post('email=not-an-address&purchaseDate=2026-04-01');
      expect([bad.statusCode, bad.body.includes('valid e-mail')]).toEqual([422, true]);
      const ok = await post('email=owner%40example.com&purchaseDate=2026-04-01');
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('your warranty is registered');
      const again = await post('email=someone%40example.com&purchaseDate=2026-04-02');
      expect(again.body).toContain('registered before');
      expect((await open(item.codeContent)).body).not.toContain('Register your warranty');
      const timeline = (await call('GET', `/api/v1/inventory/items/${item.uid}/timeline`)).json<{
        events: { kind: string; details: Record<string, unknown> }[];
      }>().events;
      const registered = timeline.filter((e) => e.kind === 'warranty.registered');
      expect(registered).toHaveLength(1);
      expect(registered[0].details).toEqual({
        email: 'owner@example.com',
        purchaseDate: '2026-04-01',
      });
      // A forged URL cannot register anything.
      const forged = await app.server.inject({
        method: 'POST',
        url: `${url.pathname}/warranty?s=AAAAAAAAAAA`,
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=x%40example.com&purchaseDate=2026-04-01',
      });
      expect(forged.statusCode).toBe(403);
    },
  );

  it.skipIf(!available)(
    "resolves GS1 Digital Links, a tenant's path prefix, and counts page views per lot",
    async () => {
      await call('PATCH', '/api/v1/inventory/types/PAD', { gtin: '09506000134352' });
      await call('PUT', '/api/v1/inventory/code-content', {
        mode: 'gs1',
        baseUrl: 'https://parts.example.com',
        signed: true,
      });
      const [gs1] = await generate('L2026-04', 1);
      expect(gs1.codeContent).toMatch(
        /^https:\/\/parts\.example\.com\/01\/09506000134352\/10\/L2026-04\/21\/1\?s=[\w-]{11}$/,
      );
      const page = await open(gs1.codeContent);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(gs1.uid);

      // Tenant B: unsigned URL codes under a path prefix of a shared host.
      await call('POST', '/api/v1/inventory/types', { code: 'PAD', name: 'Pad' }, authB);
      await call(
        'PUT',
        '/api/v1/inventory/code-content',
        { mode: 'url', baseUrl: 'https://parts.example.com/b-parts', signed: false },
        authB,
      );
      const [theirs] = await generate('L9', 1, authB);
      expect(theirs.codeContent).toBe(`https://parts.example.com/b-parts/i/${theirs.uid}`);
      expect((await open(theirs.codeContent)).statusCode).toBe(200);
      // The root of the host is tenant A's: B's UID is not found there... nor is A's under B's prefix.
      const crossed = await open(`https://parts.example.com/b-parts/i/${made[0].uid}`);
      expect(crossed.statusCode).toBe(404);

      await new Promise((r) => setTimeout(r, 100));
      const stats = (await call('GET', '/api/v1/links/analytics?lot=L2026-03')).json<{
        scans: number;
        byResult: { key: string; scans: number }[];
      }>();
      // Views of lot L2026-03's pages in this file: 1 + 5 + 1 + 1 (shown), plus the warranty posts.
      expect(stats.scans).toBeGreaterThanOrEqual(8);
      expect(stats.byResult.find((r) => r.key === 'shown')?.scans).toBe(stats.scans);
    },
  );
});
