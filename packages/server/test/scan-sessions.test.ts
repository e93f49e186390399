/**
 * Scan sessions on both engines: a receiving round against a lot, every classification once, the
 * summary and the missing list; resending offline scans changes nothing; photos become scans;
 * closing moves the ok items in one transaction (timeline, audit, event) or, when one can no
 * longer move, nothing; expected sets by range and list, with their limits; tenants apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { codeAt, greyPng } from './helpers/images.js';
import { multipart } from './helpers/multipart.js';

interface Scan {
  id: number;
  clientId: string;
  uid: string | null;
  result: string;
  detail: string | null;
  scannedAt: string;
  status: string | null;
}
interface Summary {
  scans: number;
  expected: number | null;
  found: number | null;
  missing: number | null;
  byResult: Record<string, number>;
}
interface Session {
  id: string;
  status: string;
  moved: number | null;
  summary: Summary;
}

describe.each(ENGINES)('scan sessions on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let cleanup: () => Promise<void>;
  const auth = { a: {} as Record<string, string>, b: {} as Record<string, string> };
  const call = (
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    who: keyof typeof auth = 'a',
  ) => app.server.inject({ method, url, payload: payload as object, headers: auth[who] });
  const makeLot = async (lot: string, count: number) => {
    const res = await call('POST', '/api/v1/inventory/generate', {
      componentType: 'PAD',
      vendorCode: 'V0100',
      lotNumber: lot,
      manufacturingDate: '2026-09-01',
      count,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
  };
  const move = async (uids: string[], ...statuses: string[]) => {
    for (const status of statuses)
      expect(
        (await call('POST', '/api/v1/inventory/items/status', { uids, status })).statusCode,
      ).toBe(200);
  };
  const scan = async (sessionId: string, scans: object[], who: keyof typeof auth = 'a') => {
    const res = await call('POST', `/api/v1/scans/sessions/${sessionId}/scans`, { scans }, who);
    expect(res.statusCode).toBe(200);
    return res.json<{ scans: Scan[]; summary: Summary }>();
  };
  let lotA: string[];
  let lotB: string[];

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'sessions-secret-sessions-secret-0123',
        scanSessionMaxExpected: 5,
        scanBatchMax: 20,
      }),
      { database: opened.handle },
    );
    await twoTenants(app);
    auth.a = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    auth.b = { authorization: `Bearer ${await signIn(app, 'admin@b.test')}` };
    lotA = await makeLot('L2026-09', 5);
    lotB = await makeLot('L2026-10', 2);
    // Lot A arrives verified, one piece scrapped on the way: receiving moves it to available.
    await move(lotA, 'engraved', 'verified');
    await move([lotA[2]], 'scrapped');
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)(
    'classifies every kind of scan against the expected lot, and sums up',
    async () => {
      const opened = await call('POST', '/api/v1/scans/sessions', {
        name: 'Receiving L2026-09',
        expected: { kind: 'lot', lot: 'L2026-09' },
        targetStatus: 'available',
      });
      expect(opened.statusCode).toBe(201);
      const session = opened.json<Session>();
      expect(session.summary).toMatchObject({ scans: 0, expected: 5, found: 0, missing: 5 });

      const { scans, summary } = await scan(session.id, [
        {
          text: lotA[0],
          clientId: 'phone-1',
          scannedAt: '2026-11-20T08:00:00.000Z',
          source: 'camera',
        },
        { text: `https://parts.example.com/i/${lotA[1]}`, source: 'camera' },
        { text: lotA[0], source: 'wedge' },
        { text: lotB[0] },
        { text: lotA[2] },
        { text: 'PAD-V0100-L2099-01-00009' },
        { text: 'hello world' },
      ]);
      expect(scans.map((s) => [s.result, s.detail])).toEqual([
        ['ok', null],
        ['ok', null],
        ['duplicate', 'already scanned in this session'],
        ['unexpected', 'not in the expected set'],
        ['wrong-status', 'scrapped; it cannot move to available'],
        ['unknown', 'not in the inventory'],
        ['invalid-id', '"hello world" does not have the shape {type}-{vendor}-{lot}-{serial:5}'],
      ]);
      expect(scans[0]).toMatchObject({
        uid: lotA[0],
        status: 'verified',
        scannedAt: '2026-11-20T08:00:00.000Z',
      });
      expect(scans[1].uid).toBe(lotA[1]);
      expect(summary).toEqual({
        scans: 7,
        expected: 5,
        found: 3,
        missing: 2,
        byResult: {
          ok: 2,
          unknown: 1,
          duplicate: 1,
          unexpected: 1,
          'wrong-status': 1,
          'invalid-id': 1,
        },
      });
      const missing = await call('GET', `/api/v1/scans/sessions/${session.id}/missing`);
      expect(missing.json()).toEqual({
        items: [
          { uid: lotA[3], status: 'verified' },
          { uid: lotA[4], status: 'verified' },
        ],
      });
      const listed = await call('GET', `/api/v1/scans/sessions/${session.id}/scans?result=ok`);
      expect(listed.json<{ scans: Scan[] }>().scans.map((s) => s.uid)).toEqual([lotA[0], lotA[1]]);

      // A phone back online resends what it read: the first answers come back, nothing is added.
      const again = await scan(session.id, [
        { text: lotA[0], clientId: 'phone-1', scannedAt: '2026-11-20T08:00:00.000Z' },
        { text: lotA[3], clientId: 'phone-2' },
        { text: lotA[3], clientId: 'phone-2' },
      ]);
      expect(again.scans.map((s) => [s.id, s.result])).toEqual([
        [scans[0].id, 'ok'],
        [again.scans[1].id, 'ok'],
        [again.scans[1].id, 'ok'],
      ]);
      expect(again.summary).toMatchObject({ scans: 8, found: 4, missing: 1 });

      // Photos: every code in them becomes a scan; the same photo again changes nothing.
      const code = codeAt(lotA[4], 5);
      const photo = greyPng(code.side, code.side, (x, y) => (code.dark(x, y) ? 0 : 255));
      const sendPhoto = async () => {
        const body = multipart([{ name: 'tray.png', bytes: photo }]);
        const res = await app.server.inject({
          method: 'POST',
          url: `/api/v1/scans/sessions/${session.id}/images`,
          payload: body.payload,
          headers: { ...auth.a, ...body.headers },
        });
        expect(res.statusCode).toBe(200);
        return res.json<{ images: { scans: Scan[] }[]; summary: Summary }>();
      };
      const first = await sendPhoto();
      expect(first.images[0].scans).toMatchObject([{ uid: lotA[4], result: 'ok' }]);
      const second = await sendPhoto();
      expect(second.images[0].scans[0].id).toBe(first.images[0].scans[0].id);
      expect(second.summary).toMatchObject({ scans: 9, found: 5, missing: 0 });

      // Closing moves the four ok items, in their timelines and the audit trail, with an event.
      const closed = await call('POST', `/api/v1/scans/sessions/${session.id}/close`, {
        location: 'Warehouse 2',
      });
      expect(closed.statusCode).toBe(200);
      expect(closed.json<Session>()).toMatchObject({ status: 'closed', moved: 4 });
      for (const uid of [lotA[0], lotA[1], lotA[3], lotA[4]])
        expect((await call('GET', `/api/v1/inventory/items/${uid}`)).json()).toMatchObject({
          status: 'available',
          location: 'Warehouse 2',
        });
      expect((await call('GET', `/api/v1/inventory/items/${lotA[2]}`)).json()).toMatchObject({
        status: 'scrapped',
      });
      const timeline = await call('GET', `/api/v1/inventory/items/${lotA[0]}/timeline`);
      expect(
        timeline.json<{ events: { toStatus: string; details: object }[] }>().events.at(-1),
      ).toMatchObject({
        toStatus: 'available',
        details: { scanSession: session.id, reason: 'scan session "Receiving L2026-09"' },
      });
      const audit = await call('GET', '/api/v1/audit?action=scan-session.close');
      expect(
        audit.json<{ entries: { targetId: string; summary: object }[] }>().entries[0],
      ).toMatchObject({
        targetId: session.id,
        summary: { moved: 4, to: 'available', found: 5, missing: 0 },
      });
      const events = await call('GET', '/api/v1/events?type=scan.session.closed');
      expect(
        events.json<{ events: { subject: string }[] }>().events.map((e) => e.subject),
      ).toContain(session.id);

      const late = await call('POST', `/api/v1/scans/sessions/${session.id}/scans`, {
        scans: [{ text: lotA[0] }],
      });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'SCAN_ERR_SESSION_CLOSED' });
      expect((await call('POST', `/api/v1/scans/sessions/${session.id}/close`)).statusCode).toBe(
        409,
      );

      const metrics = (await app.server.inject('/metrics')).body;
      expect(metrics).toMatch(/^scans_total\{result="invalid-id"\} 1$/m);
      expect(metrics).toMatch(/^scan_images_total\{attempt="quick"\} 2$/m);
      expect(metrics).toMatch(/^scan_decode_duration_seconds_count 2$/m);
    },
  );

  it.skipIf(!available)(
    'closing changes nothing when a scanned item can no longer make the move',
    async () => {
      const session = (
        await call('POST', '/api/v1/scans/sessions', {
          name: 'Packing SO-1',
          expected: { kind: 'shipment', reference: 'SO-1', uids: lotB },
          targetStatus: 'engraved',
        })
      ).json<Session>();
      expect(session.summary.expected).toBe(2);
      const { scans } = await scan(
        session.id,
        lotB.map((text) => ({ text })),
      );
      expect(scans.map((s) => s.result)).toEqual(['ok', 'ok']);
      // Someone engraves one piece by hand after it was scanned.
      await move([lotB[1]], 'engraved');
      const refused = await call('POST', `/api/v1/scans/sessions/${session.id}/close`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        code: 'INVENTORY_ERR_TRANSITION',
        conflicts: [{ uid: lotB[1], status: 'engraved' }],
      });
      expect((await call('GET', `/api/v1/inventory/items/${lotB[0]}`)).json()).toMatchObject({
        status: 'generated',
      });
      expect((await call('GET', `/api/v1/scans/sessions/${session.id}`)).json()).toMatchObject({
        status: 'open',
      });
      // Closing without applying the move is always possible.
      const closed = await call('POST', `/api/v1/scans/sessions/${session.id}/close`, {
        apply: false,
      });
      expect(closed.json()).toMatchObject({ status: 'closed', moved: 0 });
      expect((await call('GET', `/api/v1/inventory/items/${lotB[0]}`)).json()).toMatchObject({
        status: 'generated',
      });
    },
  );

  it.skipIf(!available)('two phones scanning one part at once: one ok, one duplicate', async () => {
    const session = (
      await call('POST', '/api/v1/scans/sessions', { name: 'Stock count' })
    ).json<Session>();
    expect(session.summary).toMatchObject({ expected: null, missing: null });
    const both = await Promise.all([
      scan(session.id, [{ text: lotA[0] }]),
      scan(session.id, [{ text: lotA[0] }]),
    ]);
    expect(both.map((b) => b.scans[0].result).sort()).toEqual(['duplicate', 'ok']);
  });

  it.skipIf(!available)('expected sets by serial range and list, and their limits', async () => {
    const range = await call('POST', '/api/v1/scans/sessions', {
      name: 'Serials 2-3',
      expected: { kind: 'range', lot: 'L2026-09', type: 'PAD', from: 2, to: 3 },
    });
    expect(range.json<Session>().summary.expected).toBe(2);
    const { scans } = await scan(range.json<Session>().id, [{ text: lotA[0] }, { text: lotA[1] }]);
    expect(scans.map((s) => s.result)).toEqual(['unexpected', 'ok']);

    const upside = await call('POST', '/api/v1/scans/sessions', {
      name: 'x',
      expected: { kind: 'range', lot: 'L2026-09', from: 3, to: 2 },
    });
    expect(upside.statusCode).toBe(422);
    expect(upside.json()).toMatchObject({ code: 'SCAN_ERR_EXPECTED' });
    const unknown = await call('POST', '/api/v1/scans/sessions', {
      name: 'x',
      expected: { kind: 'list', uids: [lotA[0], 'PAD-V0100-L2099-01-00001'] },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({
      detail: '1 expected UID is not in the inventory: PAD-V0100-L2099-01-00001',
      unknown: ['PAD-V0100-L2099-01-00001'],
    });
    const empty = await call('POST', '/api/v1/scans/sessions', {
      name: 'x',
      expected: { kind: 'lot', lot: 'NOPE' },
    });
    expect(empty.statusCode).toBe(422);
    // QRFORGE_SCAN_SESSION_MAX_EXPECTED is 5 here: a lot of 6 is refused, and nothing is kept.
    await makeLot('L2026-11', 6);
    const big = await call('POST', '/api/v1/scans/sessions', {
      name: 'too big',
      expected: { kind: 'lot', lot: 'L2026-11' },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'SCAN_ERR_TOO_MANY' });
    const names = (await call('GET', '/api/v1/scans/sessions')).json<{
      sessions: { name: string }[];
    }>();
    expect(names.sessions.map((s) => s.name)).not.toContain('too big');
    const batch = await call('POST', `/api/v1/scans/sessions/${range.json<Session>().id}/scans`, {
      scans: Array.from({ length: 21 }, () => ({ text: lotA[1] })),
    });
    expect(batch.statusCode).toBe(413);
  });

  it.skipIf(!available)(
    "keeps tenants apart: another tenant's session is not found, its parts unknown",
    async () => {
      const mine = (
        await call('POST', '/api/v1/scans/sessions', { name: 'A only' })
      ).json<Session>();
      expect(
        (await call('GET', `/api/v1/scans/sessions/${mine.id}`, undefined, 'b')).statusCode,
      ).toBe(404);
      expect(
        (
          await call(
            'POST',
            `/api/v1/scans/sessions/${mine.id}/scans`,
            { scans: [{ text: lotA[0] }] },
            'b',
          )
        ).statusCode,
      ).toBe(404);
      const theirs = (
        await call('POST', '/api/v1/scans/sessions', { name: 'B' }, 'b')
      ).json<Session>();
      const { scans } = await scan(theirs.id, [{ text: lotA[0] }], 'b');
      expect(scans[0].result).toBe('unknown');
    },
  );
});
