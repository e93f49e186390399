/**
 * Inventory over HTTP on both engines: the seed's POST /qr/generate and GET /inventory/items,
 * serials never issued twice under concurrent requests, codes that decode to their UID, filters
 * and cursor pages, the status lifecycle (single and bulk, all or nothing, 409 naming the allowed
 * moves), the timeline, large requests as a job, label sheets and the ID schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeRenderPool } from '../src/modules/generate/batch/pool.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { decodeFile } from './helpers/decode.js';
import { ENGINES } from './helpers/engines.js';

const SEED_BODY = {
  component_type: 'PAD',
  vendor_code: 'V0100',
  lot_number: 'L2025-09',
  manufacturing_date: '2025-01-15',
  count: 100,
  warranty_years: 5,
};

interface Item {
  uid: string;
  serial: number;
  status: string;
  warrantyExpires: string;
  code: string;
}

describe.each(ENGINES)('inventory on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenantA: string;
  const auth = { a: {} as Record<string, string>, b: {} as Record<string, string> };

  const post = (url: string, payload: unknown, headers = auth.a) =>
    app.server.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string, headers = auth.a) => app.server.inject({ url, headers });
  const csv = (text: string, query: string) =>
    app.server.inject({
      method: 'POST',
      url: `/api/v1/inventory/import?${query}`,
      payload: text,
      headers: { ...auth.a, 'content-type': 'text/csv' },
    });
  const generate = (body: Record<string, unknown>, headers = auth.a) =>
    post(
      '/api/v1/inventory/generate',
      { componentType: 'BRK', vendorCode: 'V7', manufacturingDate: '2026-03-01', ...body },
      headers,
    );

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'inventory-secret-inventory-secret-0123',
        inventorySyncCount: 500,
        inventoryMaxCount: 5000,
      }),
      { database: handle },
    );
    app.queue!.start(app.jobHandlers);
    ({ tenantA } = await twoTenants(app));
    auth.a = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    auth.b = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.queue!.close(1000);
    await app.server.close();
    await closeRenderPool();
    await cleanup();
  });

  it.skipIf(!available)(
    'the seed example: POST /qr/generate makes 100 items whose codes decode to their UIDs',
    async () => {
      expect((await post('/qr/generate', SEED_BODY, {})).statusCode).toBe(401);
      const { key } = await app.accounts!.createApiKey({
        tenantId: tenantA,
        name: 'line',
        role: 'operator',
      });
      const res = await post('/qr/generate', SEED_BODY, { 'x-api-key': key });
      expect(res.statusCode).toBe(201);
      const body = res.json<{ items: { uid: string; code: string }[]; firstUid: string }>();
      expect(body).toMatchObject({
        count: 100,
        firstSerial: 1,
        lastSerial: 100,
        firstUid: 'PAD-V0100-L2025-09-00001',
        lastUid: 'PAD-V0100-L2025-09-00100',
      });
      expect(body.items).toHaveLength(100);
      const png = await get(body.items[41].code);
      expect(png.headers['content-type']).toBe('image/png');
      expect(await decodeFile(png.rawPayload, 'image/png')).toEqual(['PAD-V0100-L2025-09-00042']);
      const svg = await get(`${body.items[0].code}?format=svg`);
      expect(await decodeFile(svg.rawPayload, 'image/svg+xml')).toEqual([body.firstUid]);

      const item = (await get('/api/v1/inventory/items/PAD-V0100-L2025-09-00042')).json<
        Item & { allowed: string[] }
      >();
      expect(item).toMatchObject({ status: 'generated', warrantyExpires: '2030-01-15' });
      expect(item.allowed).toEqual(['engraved', 'quarantined', 'scrapped']);
    },
  );

  it.skipIf(!available)(
    'never issues a serial twice, even to concurrent requests on one lot',
    async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => generate({ lotNumber: 'RACE', count: 25 })),
      );
      expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
      const serials = answers.flatMap((a) => {
        const { firstSerial, lastSerial } = a.json<{ firstSerial: number; lastSerial: number }>();
        return Array.from({ length: lastSerial - firstSerial + 1 }, (_, i) => firstSerial + i);
      });
      expect(serials.sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const listed = await get('/api/v1/inventory/items?lot=RACE&limit=200');
      expect(new Set(listed.json<{ items: Item[] }>().items.map((i) => i.uid)).size).toBe(200);
    },
  );

  it.skipIf(!available)(
    'GET /inventory/items filters and pages with a cursor; every item once',
    async () => {
      const seed = await get('/inventory/items?status=generated&limit=50');
      expect(seed.statusCode).toBe(200);
      expect(seed.json<{ items: Item[] }>().items).toHaveLength(50);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Item[]; nextCursor: string | null } = (
          await get(
            `/api/v1/inventory/items?lot=L2025-09&sort=uid&limit=30${cursor ? `&cursor=${cursor}` : ''}`,
          )
        ).json();
        seen.push(...page.items.map((i) => i.uid));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(100);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(100);

      const found = await get('/api/v1/inventory/items?q=L2025-09-0009&limit=50');
      expect(
        found
          .json<{ items: Item[] }>()
          .items.map((i) => i.uid)
          .sort(),
      ).toEqual(Array.from({ length: 10 }, (_, i) => `PAD-V0100-L2025-09-0009${i}`));
      // Search starts at a token boundary; tsquery syntax in q is only text.
      const count = async (q: string) =>
        (
          await get(`/api/v1/inventory/items?limit=200&lot=L2025-09&q=${encodeURIComponent(q)}`)
        ).json<{ items: Item[] }>().items.length;
      expect(await count('v0100-l2025')).toBe(100);
      expect(await count('00042')).toBe(1);
      expect(await count('0100')).toBe(0);
      expect(await count("a'b\\:* | !x")).toBe(0);
      const expiring = await get('/api/v1/inventory/items?warrantyBefore=2030-01-16&limit=200');
      expect(expiring.json<{ items: Item[] }>().items).toHaveLength(100); // the seed lot only
      const bad = await get('/api/v1/inventory/items?cursor=not-a-cursor');
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ detail: string }>().detail).toMatch(/cursor/);
      const wrongStatus = await get('/api/v1/inventory/items?status=lost');
      expect(wrongStatus.statusCode).toBe(400);
    },
  );

  it.skipIf(!available)(
    'moves items through the lifecycle; an illegal move is 409 naming the allowed ones',
    async () => {
      const { lotId, items } = (await generate({ lotNumber: 'LIFE', count: 5 })).json<{
        lotId: string;
        items: { uid: string }[];
      }>();
      const [first, second] = items.map((i) => i.uid);
      const move = (uid: string, status: string, extra = {}) =>
        post(`/api/v1/inventory/items/${uid}/status`, { status, ...extra });

      const illegal = await move(first, 'shipped');
      expect(illegal.statusCode).toBe(409);
      expect(illegal.json()).toMatchObject({
        detail: `${first} is generated; it can move to engraved, quarantined, scrapped, not shipped`,
        allowed: ['engraved', 'quarantined', 'scrapped'],
      });
      for (const status of ['engraved', 'verified', 'available'])
        expect((await move(first, status, { location: 'Rack 4' })).statusCode).toBe(200);

      // Bulk by lot: one item is already `available`, so nothing moves.
      const bulk = await post('/api/v1/inventory/items/status', { lotId, status: 'engraved' });
      expect(bulk.statusCode).toBe(409);
      expect(bulk.json()).toMatchObject({
        detail: '1 of 5 items cannot move to engraved; nothing was changed',
        conflicts: [
          { uid: first, status: 'available', allowed: ['reserved', 'quarantined', 'scrapped'] },
        ],
      });
      expect((await get(`/api/v1/inventory/items/${second}`)).json()).toMatchObject({
        status: 'generated',
      });
      const byList = await post('/api/v1/inventory/items/status', {
        uids: items.slice(1).map((i) => i.uid),
        status: 'scrapped',
        reason: 'cracked in test',
      });
      expect(byList.json()).toEqual({ moved: 4 });
      const final = await move(second, 'available');
      expect(final.json<{ detail: string }>().detail).toMatch(/can move to nothing \(final\)/);

      const timeline = (await get(`/api/v1/inventory/items/${first}/timeline`)).json<{
        events: { kind: string; toStatus: string; actorType: string; details: object }[];
      }>();
      expect(timeline.events.map((e) => e.toStatus)).toEqual([
        'generated',
        'engraved',
        'verified',
        'available',
      ]);
      expect(timeline.events[1]).toMatchObject({
        kind: 'status',
        actorType: 'user',
        details: { location: 'Rack 4' },
      });
      // Another tenant can touch none of it.
      expect(
        (await post('/api/v1/inventory/items/status', { lotId, status: 'quarantined' }, auth.b))
          .statusCode,
      ).toBe(404);
      expect(
        (
          await post(
            '/api/v1/inventory/items/status',
            { uids: [first], status: 'quarantined' },
            auth.b,
          )
        ).statusCode,
      ).toBe(404);
      expect((await get(`/inventory/items?lot=LIFE`, auth.b)).json()).toEqual({
        items: [],
        nextCursor: null,
      });
    },
  );

  it.skipIf(!available)(
    'runs a large request as a job, then prints the lot’s label sheet',
    async () => {
      const res = await generate({ lotNumber: 'BIG', count: 1200 });
      expect(res.statusCode).toBe(202);
      const { jobId, labels, lastUid } = res.json<{
        jobId: string;
        labels: string;
        lastUid: string;
      }>();
      expect(lastUid).toBe('BRK-V7-BIG-01200');
      for (const end = Date.now() + 30_000; Date.now() < end;) {
        const job = (await get(`/api/v1/jobs/${jobId}`)).json<{ status: string }>();
        if (job.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const items = await get('/api/v1/inventory/items?lot=BIG&limit=200');
      expect(items.json<{ items: Item[]; nextCursor: string }>().nextCursor).not.toBeNull();
      expect((await get(`/api/v1/inventory/items/${lastUid}`)).statusCode).toBe(200);

      const pdf = await get(`${labels}?page=Letter&columns=5&rows=10`);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const pages = pdf.rawPayload.toString('latin1').match(/\/Type \/Page\b/g) ?? [];
      expect(pages).toHaveLength(1200 / 50);
      expect(
        (await generate({ lotNumber: 'HUGE', count: 5001 })).json<{ detail: string }>().detail,
      ).toMatch(/over the limit of 5000 \(QRFORGE_INVENTORY_MAX_COUNT\)/);
    },
  );

  it.skipIf(!available)(
    'follows the tenant’s ID schema: check character, exhausted serials, values that do not fit',
    async () => {
      const put = (body: object) =>
        app.server.inject({
          method: 'PUT',
          url: '/api/v1/inventory/id-schema',
          payload: body,
          headers: auth.b,
        });
      const bad = await put({ template: '{type}-{serial}', alphabet: 'ABC123' });
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toMatchObject({ errors: [{ field: 'body.template' }] });
      expect(
        (
          await put({
            template: '{type}/{lot}-{serial:2}{check}',
            alphabet: 'ABCDEFGHJKLMNPRSTUVWXYZ23456789',
          })
        ).statusCode,
      ).toBe(200);

      // 0 and 1 are not in this alphabet: the error names the field.
      const unfit = await generate({ lotNumber: 'L10', count: 3 }, auth.b);
      expect(unfit.statusCode).toBe(422);
      const [problem] = unfit.json<{ errors: { field: string; message: string }[] }>().errors;
      expect(problem).toMatchObject({ field: 'body.lotNumber' });
      expect(problem.message).toMatch(/not "1"/);
      const ok = await generate(
        { componentType: 'BRK', vendorCode: 'V7', lotNumber: 'X9', count: 98 },
        auth.b,
      );
      expect(ok.statusCode, ok.body).toBe(201);
      const uid = ok.json<{ firstUid: string }>().firstUid;
      expect(uid).toMatch(/^BRK\/X9-01[0-9A-Z]$/);
      const parse = (value: string) => post('/api/v1/inventory/ids/parse', { uid: value }, auth.b);
      expect((await parse(uid)).json()).toMatchObject({
        valid: true,
        parts: { type: 'BRK', lot: 'X9', serial: 1 },
      });
      const forged = uid.slice(0, -1) + (uid.endsWith('A') ? 'B' : 'A');
      expect((await parse(forged)).json()).toEqual({
        valid: false,
        reason: `the check character of "${forged}" is wrong`,
      });

      const full = await generate({ lotNumber: 'X9', count: 5 }, auth.b);
      expect(full.statusCode).toBe(409);
      expect(full.json<{ detail: string }>().detail).toBe(
        'Lot X9 has 1 serials left under {type}/{lot}-{serial:2}{check}; 5 were asked for',
      );
      // The refused reservation was rolled back: the last serial is still there.
      expect((await generate({ lotNumber: 'X9', count: 1 }, auth.b)).json()).toMatchObject({
        firstSerial: 99,
      });
    },
  );

  it.skipIf(!available)(
    'analytics: counts, throughput, scrap rate and warranty expiries, per tenant',
    async () => {
      const analytics = async (path: string, headers = auth.a) => {
        const res = await get(`/api/v1/inventory/analytics/${path}`, headers);
        expect(res.statusCode, res.body).toBe(200);
        return res.json<Record<string, unknown>>();
      };
      // Tenant A so far: the seed lot (100), RACE (200), BIG (1,200) untouched; LIFE: one item
      // moved to available, four scrapped.
      expect(await analytics('counts?by=status')).toEqual({
        by: 'status',
        counts: [
          { key: 'generated', count: 1500 },
          { key: 'scrapped', count: 4 },
          { key: 'available', count: 1 },
        ],
      });
      expect((await analytics('counts?by=lot')).counts).toContainEqual({ key: 'LIFE', count: 5 });
      const { lots } = (await analytics('scrap-rate')) as { lots: { lot: string; rate: number }[] };
      expect(lots[0]).toMatchObject({ lot: 'LIFE', items: 5, scrapped: 4, rate: 0.8 });
      const { days } = (await analytics('throughput?days=1')) as {
        days: { made: number; moved: Record<string, number> }[];
      };
      expect(days).toEqual([
        {
          day: new Date().toISOString().slice(0, 10),
          made: 1505,
          moved: { engraved: 1, verified: 1, available: 1, scrapped: 4 },
        },
      ]);
      const { months } = (await analytics('warranty-expiries?months=120')) as {
        months: { month: string; count: number }[];
      };
      expect(months).toHaveLength(120);
      expect(months.filter((m) => m.count > 0)).toEqual([{ month: '2030-01', count: 100 }]);
      // The other tenant sees only its own lot.
      expect((await analytics('counts?by=lot', auth.b)).counts).toEqual([{ key: 'X9', count: 99 }]);
      expect((await get('/api/v1/inventory/analytics/counts?by=colour')).statusCode).toBe(400);
    },
  );

  it.skipIf(!available)(
    'low stock: an alert opens below the minimum, shows in the metric, and resolves',
    async () => {
      const { items } = (
        await generate({ componentType: 'SEN', lotNumber: 'STOCK', count: 3 })
      ).json<{ items: { uid: string }[] }>();
      const uids = items.map((i) => i.uid);
      const bulk = (status: string, list = uids) =>
        post('/api/v1/inventory/items/status', { uids: list, status });
      for (const status of ['engraved', 'verified', 'available'])
        expect((await bulk(status)).statusCode).toBe(200);
      const patch = await app.server.inject({
        method: 'PATCH',
        url: '/api/v1/inventory/types/SEN',
        payload: { minStock: 2, name: 'Sensor' },
        headers: auth.a,
      });
      expect(patch.json()).toEqual({
        code: 'SEN',
        name: 'Sensor',
        minStock: 2,
        gtin: null,
        available: 3,
      });
      const openAlerts = async () =>
        (await get('/api/v1/inventory/alerts?open=true')).json<{ alerts: object[] }>().alerts;
      const gauge = async () => {
        const text = (await app.server.inject('/metrics')).body;
        return /^inventory_low_stock\{type="SEN"\} (\d+)$/m.exec(text)?.[1];
      };
      expect(await openAlerts()).toEqual([]);

      await bulk('reserved', [uids[0]]); // 2 available: not below 2
      expect(await openAlerts()).toEqual([]);
      await bulk('reserved', [uids[1]]); // 1 available
      expect(await openAlerts()).toMatchObject([
        { kind: 'low_stock', typeCode: 'SEN', available: 1, minimum: 2, resolvedAt: null },
      ]);
      expect(await gauge()).toBe('1');
      await bulk('quarantined', [uids[2]]); // 0 available: still the one alert
      expect(await openAlerts()).toHaveLength(1);
      // The other tenant sees none of it.
      expect((await get('/api/v1/inventory/alerts', auth.b)).json()).toEqual({ alerts: [] });

      await bulk('available', uids.slice(0, 2)); // back to 2
      expect(await openAlerts()).toEqual([]);
      expect(await gauge()).toBeUndefined();
      const all = (await get('/api/v1/inventory/alerts')).json<{
        alerts: { resolvedAt: string | null }[];
      }>().alerts;
      expect(all).toHaveLength(1);
      expect(all[0].resolvedAt).not.toBeNull();
      const missing = await app.server.inject({
        method: 'PATCH',
        url: '/api/v1/inventory/types/NOPE',
        payload: { minStock: 1 },
        headers: auth.a,
      });
      expect(missing.statusCode).toBe(404);
    },
  );

  it.skipIf(!available)(
    'exports the filtered items as CSV (formulas escaped) and JSON, per tenant',
    async () => {
      const made = await generate({
        lotNumber: 'CSV',
        count: 1500,
        location: '=HYPERLINK("http://x")',
      });
      const { jobId } = made.json<{ jobId: string }>(); // over the sync count: a job
      for (let status = ''; status !== 'completed'; await new Promise((r) => setTimeout(r, 50)))
        status = (await get(`/api/v1/jobs/${jobId}`)).json<{ status: string }>().status;
      const csv = await get('/api/v1/inventory/items/export?lot=CSV&sort=uid');
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines).toHaveLength(1 + 1500); // more than one page of 1,000
      expect(lines[0]).toBe(
        '"uid","typeCode","vendorCode","lotNumber","serial","manufacturingDate","warrantyYears","warrantyExpires","status","location","attributes","codeContent","createdAt","updatedAt"',
      );
      expect(lines[1]).toMatch(
        /^"BRK-V7-CSV-00001","BRK","V7","CSV","1",.*"'=HYPERLINK\(""http:\/\/x""\)"/,
      );
      const json = await get('/api/v1/inventory/items/export?lot=CSV&format=json&status=generated');
      const items = json.json<Item[]>();
      expect(items).toHaveLength(1500);
      expect(new Set(items.map((i) => i.uid)).size).toBe(1500);
      const other = await get('/api/v1/inventory/items/export?lot=CSV&format=json', auth.b);
      expect(other.json()).toEqual([]);
      expect((await get('/api/v1/inventory/items/export?format=xml')).statusCode).toBe(400);
    },
  );

  it.skipIf(!available)(
    'imports status changes from CSV: a dry run lists every bad row, a bad file changes nothing, a good one applies',
    async () => {
      const made = await generate({ lotNumber: 'IMP', count: 3 });
      const [a, b, c] = made.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
      const bad = [
        'uid,status,location',
        `${a},engraved,Bay 1`,
        `${b},shipped,`,
        'NOPE-1,engraved,',
        `${a},verified,`,
        `${c},lost,`,
      ].join('\n');
      const dry = await csv(bad, 'kind=status&dryRun=true');
      expect(dry.statusCode).toBe(200);
      expect(dry.json()).toMatchObject({ dryRun: true, rows: 5, valid: 1, applied: 0 });
      expect(dry.json<{ problems: { line: number; message: string }[] }>().problems).toEqual([
        {
          line: 3,
          uid: b,
          message: `${b} is generated; it can move to engraved, quarantined, scrapped, not shipped`,
        },
        { line: 4, uid: 'NOPE-1', message: 'No item NOPE-1' },
        { line: 5, uid: a, message: `${a} is also on line 2` },
        { line: 6, uid: c, message: expect.stringContaining('"lost" is not a status') as string },
      ]);
      const refused = await csv(bad, 'kind=status');
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ code: 'INVENTORY_ERR_IMPORT', rows: 5, valid: 1 });
      expect((await get(`/api/v1/inventory/items/${a}`)).json()).toMatchObject({
        status: 'generated',
      });

      const good = await csv(
        ['uid,status,location,reason', `${a},engraved,Bay 1,`, `${b},scrapped,,cracked`].join('\n'),
        'kind=status',
      );
      expect(good.json()).toMatchObject({ rows: 2, valid: 2, applied: 2, problems: [] });
      expect((await get(`/api/v1/inventory/items/${a}`)).json()).toMatchObject({
        status: 'engraved',
        location: 'Bay 1',
      });
      const { events } = (await get(`/api/v1/inventory/items/${b}/timeline`)).json<{
        events: { toStatus: string; details: { reason?: string } }[];
      }>();
      expect(events.at(-1)).toMatchObject({ toStatus: 'scrapped', details: { reason: 'cracked' } });
      const columns = await csv('uid,state\nX,engraved', 'kind=status');
      expect(columns.statusCode).toBe(422);
      expect(columns.json<{ detail: string }>().detail).toContain('needs the column status');
    },
  );

  it.skipIf(!available)(
    'imports items made elsewhere: fields read from the UID, lots created, serials never issued twice',
    async () => {
      const rows = [
        'uid,manufacturing_date,warranty_years,status,location',
        'GSK-V9-OLD1-00007,2024-05-01,2,available,Store',
        'GSK-V9-OLD1-00008,2024-05-01,2,available,Store',
        'not-ours,2024-05-01,,,',
        'GSK-V9-OLD1-00009,2024-13-01,,,',
      ];
      const dry = await csv(rows.join('\n'), 'kind=items&dryRun=true');
      expect(dry.json()).toMatchObject({ rows: 4, valid: 2 });
      expect(dry.json<{ problems: { line: number }[] }>().problems.map((p) => p.line)).toEqual([
        4, 5,
      ]);
      const ok = await csv(rows.slice(0, 3).join('\n'), 'kind=items');
      expect(ok.json()).toMatchObject({ applied: 2 });
      expect((await get('/api/v1/inventory/items/GSK-V9-OLD1-00008')).json()).toMatchObject({
        typeCode: 'GSK',
        vendorCode: 'V9',
        lotNumber: 'OLD1',
        serial: 8,
        status: 'available',
        warrantyExpires: '2026-05-01',
      });
      // Importing the same UID again is refused; generating in the lot continues after serial 8.
      expect((await csv(rows.slice(0, 2).join('\n'), 'kind=items')).statusCode).toBe(422);
      const next = await post('/api/v1/inventory/generate', {
        componentType: 'GSK',
        vendorCode: 'V9',
        lotNumber: 'OLD1',
        manufacturingDate: '2024-06-01',
        count: 1,
      });
      expect(next.json()).toMatchObject({ firstSerial: 9, firstUid: 'GSK-V9-OLD1-00009' });
    },
  );

  it.skipIf(!available)(
    'codes can encode a public item URL or a GS1 Digital Link (GTIN checked), for new items',
    async () => {
      const put = (body: object) =>
        app.server.inject({
          method: 'PUT',
          url: '/api/v1/inventory/code-content',
          payload: body,
          headers: auth.a,
        });
      expect((await put({ mode: 'gs1', baseUrl: null })).statusCode).toBe(422);
      expect((await put({ mode: 'gs1', baseUrl: 'https://id.example.com/' })).statusCode).toBe(200);
      const make = () => generate({ componentType: 'DL', lotNumber: 'L-7', count: 1 });
      // A new type needs its GTIN before its first item.
      const refused = await make();
      expect(refused.statusCode).toBe(422);
      expect(refused.json<{ detail: string }>().detail).toContain('component type DL needs a GTIN');
      const patch = (gtin: string) =>
        app.server.inject({
          method: 'PATCH',
          url: '/api/v1/inventory/types/DL',
          payload: { gtin },
          headers: auth.a,
        });
      const wrongCheck = await patch('09506000134353');
      expect(wrongCheck.statusCode).toBe(422);
      expect(wrongCheck.json<{ detail: string }>().detail).toContain('expected 2');
      const created = await post('/api/v1/inventory/types', {
        code: 'DL',
        name: 'Dual link',
        gtin: '09506000134352',
      });
      expect(created.statusCode).toBe(201);
      expect((await post('/api/v1/inventory/types', { code: 'DL', name: 'x' })).statusCode).toBe(
        409,
      );
      expect((await patch('09506000134352')).statusCode).toBe(200);
      const gs1 = (await make()).json<{ items: { uid: string }[] }>().items[0];
      const item = (await get(`/api/v1/inventory/items/${gs1.uid}`)).json<{
        codeContent: string;
        serial: number;
      }>();
      expect(item.codeContent).toBe(
        `https://id.example.com/01/09506000134352/10/L-7/21/${item.serial}`,
      );
      const png = await get(`/api/v1/inventory/items/${gs1.uid}/code?format=png`);
      expect(await decodeFile(png.rawPayload, 'image/png')).toEqual([item.codeContent]);

      expect((await put({ mode: 'url', baseUrl: 'https://parts.example.com' })).statusCode).toBe(
        200,
      );
      const byUrl = (await make()).json<{ items: { uid: string }[] }>().items[0];
      expect((await get(`/api/v1/inventory/items/${byUrl.uid}`)).json()).toMatchObject({
        codeContent: `https://parts.example.com/i/${byUrl.uid}`,
      });
      // Items made before keep their content.
      expect((await get(`/api/v1/inventory/items/${gs1.uid}`)).json()).toMatchObject({
        codeContent: item.codeContent,
      });
      expect((await put({ mode: 'uid', baseUrl: null })).statusCode).toBe(200);
      expect((await get('/api/v1/inventory/code-content')).json()).toEqual({
        mode: 'uid',
        baseUrl: null,
        signed: false,
      });
    },
  );
});
