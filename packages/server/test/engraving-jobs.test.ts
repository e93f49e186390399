/**
 * Engraving jobs end to end on both engines, against simulated machines (the GRBL simulator over
 * TCP): the seed's request engraves its item and writes the machine, settings and G-code hash in
 * the item's timeline; the queue takes urgent jobs first; confirm mode waits for the operator;
 * cancel stops between pieces; bad requests are named; a piece interrupted by a runner that died
 * is marked failed (never re-engraved by itself), the rest go on, and a retry engraves it once.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { closeSimulators, simulatorOf } from '../src/modules/engraving/machines.js';
import type { EngravingRunner } from '../src/modules/engraving/runner.js';
import { engravingJobs, engravingPieces, machines } from '../src/modules/engraving/schema.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

interface Job {
  id: string;
  status: string;
  done: number;
  failed: number;
  total: number;
  waitingForConfirm: boolean;
  error: string | null;
  startedAt: string | null;
  pieces?: { seq: number; uid: string; status: string; error: string | null }[];
}

describe.each(ENGINES)('engraving jobs on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let runner: EngravingRunner;
  let auth: Record<string, string>;
  let machineId: string;
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.server.inject({ method, url, payload, headers: auth });
  const lot = async (lotNumber: string, count: number) => {
    const res = await call('POST', '/api/v1/inventory/generate', {
      componentType: 'PAD',
      vendorCode: 'V0100',
      lotNumber,
      manufacturingDate: '2026-11-01',
      count,
    });
    return res.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
  };
  const job = async (id: string) => (await call('GET', `/api/v1/engraving/jobs/${id}`)).json<Job>();
  const run = async () => {
    await runner.runOnce();
    await runner.idle();
  };

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({
        dataDir: opened.dataDir,
        jwtSecret: 'engrave-secret-engrave-secret-0123',
        engravingLeaseMs: 1000,
      }),
      { database: handle },
    );
    runner = app.background.find((work) => work.name === 'engraving')!.runner!;
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    const made = await call('POST', '/api/v1/engraving/machines', {
      name: 'Diode 1',
      kind: 'diode',
      workArea: { x: 400, y: 400 },
      connection: { type: 'simulated', speed: 20_000 },
      presets: [
        {
          name: 'anodised aluminium',
          power: 75,
          speed: 1500,
          passes: 2,
          lineInterval: 0.1,
          mode: 'raster',
        },
      ],
    });
    expect(made.statusCode).toBe(201);
    machineId = made.json<{ id: string }>().id;
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    await closeSimulators();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)(
    "engraves the seed's request and writes it into the item's timeline",
    async () => {
      const [uid] = await lot('L2026-20', 1);
      const created = await call('POST', '/engraving/jobs', {
        item_uid: uid,
        qr_code_data: uid,
        laser_settings: { power: 75, speed: 1500, passes: 2, depth: 0.2 },
        priority: 'normal',
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ status: 'queued', total: 1, priority: 'normal' });
      const id = created.json<Job>().id;
      const gcode = (await call('GET', `/api/v1/engraving/jobs/${id}/gcode`)).body;
      expect(gcode).toMatch(/^; QR Forge PAD-V0100-L2026-20-00001\n/);
      const preview = await call('GET', `/api/v1/engraving/jobs/${id}/preview`);
      expect(preview.headers['content-type']).toMatch(/^image\/svg\+xml/);

      await run();
      expect(await job(id)).toMatchObject({ status: 'completed', done: 1, failed: 0 });
      const item = (await call('GET', `/api/v1/inventory/items/${uid}`)).json<{ status: string }>();
      expect(item.status).toBe('engraved');
      const events = (await call('GET', `/api/v1/inventory/items/${uid}/timeline`)).json<{
        events: { toStatus: string; details: Record<string, unknown> }[];
      }>().events;
      const engraved = events.filter((e) => e.toStatus === 'engraved');
      expect(engraved).toHaveLength(1);
      expect(engraved[0].details).toMatchObject({
        machine: { id: machineId, name: 'Diode 1' },
        job: id,
        piece: 1,
        settings: { power: 75, speed: 1500, passes: 2, depth: 0.2 },
      });
      expect(engraved[0].details.gcodeSha256).toMatch(/^[0-9a-f]{64}$/);
      // The machine ran the file once, line for line.
      const [machine] = await handle.db.select().from(machines).where(eq(machines.id, machineId));
      const { simulator } = await simulatorOf(machine, 20_000);
      const commands = gcode.split('\n').filter((line) => line && !line.startsWith(';'));
      expect(simulator.executed.slice(-commands.length)).toEqual(commands);
      expect(simulator.overflows).toBe(0);
      expect((await call('GET', `/api/v1/engraving/machines/${machineId}`)).json()).toMatchObject({
        state: 'idle',
        lastStatus: { state: 'Idle' },
      });
    },
  );

  it.skipIf(!available)('runs urgent jobs first, one machine at a time', async () => {
    const slow = await lot('L2026-21', 2);
    const fast = await lot('L2026-22', 1);
    const low = (
      await call('POST', '/api/v1/engraving/jobs', {
        uids: slow,
        priority: 'low',
        settings: { passes: 1 },
      })
    ).json<Job>();
    const urgent = (
      await call('POST', '/api/v1/engraving/jobs', {
        uids: fast,
        priority: 'urgent',
        settings: { passes: 1 },
      })
    ).json<Job>();
    await run();
    expect(await job(urgent.id)).toMatchObject({ status: 'completed' });
    expect(await job(low.id)).toMatchObject({ status: 'queued' });
    await run();
    const finished = await job(low.id);
    expect(finished).toMatchObject({ status: 'completed', done: 2 });
    expect(Date.parse(finished.startedAt!)).toBeGreaterThan(
      Date.parse((await job(urgent.id)).startedAt!),
    );
  });

  it.skipIf(!available)(
    'waits for the operator in confirm mode, and stops between pieces when cancelled',
    async () => {
      const uids = await lot('L2026-23', 3);
      const created = (
        await call('POST', '/api/v1/engraving/jobs', {
          lot: { lot: 'L2026-23' },
          confirmEach: true,
          settings: { passes: 1 },
        })
      ).json<Job>();
      runner.start(20);
      await expect.poll(async () => (await job(created.id)).status).toBe('running');
      expect((await job(created.id)).waitingForConfirm).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await job(created.id)).done).toBe(0);
      await call('POST', `/api/v1/engraving/jobs/${created.id}/confirm`);
      await expect.poll(async () => (await job(created.id)).done, { timeout: 10_000 }).toBe(1);
      expect((await job(created.id)).waitingForConfirm).toBe(true);
      expect(
        (await call('POST', `/api/v1/engraving/jobs/${created.id}/cancel`)).json(),
      ).toMatchObject({ status: 'cancelled' });
      await runner.stop();
      const cancelled = await job(created.id);
      expect(cancelled.pieces!.map((p) => p.status)).toEqual(['done', 'pending', 'pending']);
      expect((await call('GET', `/api/v1/inventory/items/${uids[1]}`)).json()).toMatchObject({
        status: 'generated',
      });
      expect((await call('POST', `/api/v1/engraving/jobs/${created.id}/resume`)).statusCode).toBe(
        409,
      );
    },
  );

  it.skipIf(!available)('streams progress as server-sent events until the job ends', async () => {
    const uids = await lot('L2026-27', 2);
    const created = (
      await call('POST', '/api/v1/engraving/jobs', { uids, settings: { passes: 1 } })
    ).json<Job>();
    const stream = call('GET', `/api/v1/engraving/jobs/${created.id}/events`);
    runner.start(20);
    const res = await stream;
    await runner.stop();
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = res.body
      .split('\n\n')
      .filter((block) => block.startsWith('event: job'))
      .map(
        (block) =>
          JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Job & {
            progress: { piece: number; lines: number; totalLines: number } | null;
          },
      );
    expect(['queued', 'running']).toContain(events[0].status);
    expect(events.at(-1)).toMatchObject({ status: 'completed', done: 2 });
    expect(events.some((e) => e.status === 'running' && e.progress)).toBe(true);
    const done = events.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it.skipIf(!available)('names what cannot be engraved', async () => {
    const [uid] = await lot('L2026-24', 1);
    await call('POST', '/api/v1/inventory/items/status', { uids: [uid], status: 'scrapped' });
    const scrapped = await call('POST', '/engraving/jobs', { item_uid: uid });
    expect(scrapped.statusCode).toBe(422);
    expect(scrapped.json()).toMatchObject({
      code: 'ENGRAVING_ERR_ITEMS',
      detail: `1 item cannot be engraved (${uid} is scrapped)`,
    });
    const [other] = await lot('L2026-25', 1);
    const wrong = await call('POST', '/engraving/jobs', {
      item_uid: other,
      qr_code_data: 'SOMETHING-ELSE',
    });
    expect(wrong.json()).toMatchObject({ code: 'ENGRAVING_ERR_ITEMS' });
    const off = await call('POST', '/api/v1/engraving/jobs', {
      itemUid: other,
      machineId,
      placement: { x: 395 },
    });
    expect(off.statusCode).toBe(422);
    expect(off.json()).toMatchObject({ code: 'ENGRAVING_ERR_TOOLPATH' });
    expect(off.json<{ detail: string }>().detail).toMatch(/outside the 400 x 400 mm work area/);
    const power = await call('POST', '/api/v1/engraving/jobs', {
      itemUid: other,
      settings: { power: 150 },
    });
    expect(power.statusCode).toBe(400);
  });

  it.skipIf(!available)(
    'a piece interrupted by a runner that died is failed, never re-engraved by itself; a retry engraves it once',
    async () => {
      const uids = await lot('L2026-26', 3);
      const created = (
        await call('POST', '/api/v1/engraving/jobs', { uids, settings: { passes: 1 } })
      ).json<Job>();
      // What a runner killed mid-piece leaves behind: the job claimed, piece 1 running, the lease gone.
      await handle.db
        .update(engravingJobs)
        .set({
          status: 'running',
          assignedMachineId: machineId,
          leaseOwner: 'dead',
          leaseUntil: new Date(Date.now() - 1),
        })
        .where(eq(engravingJobs.id, created.id));
      await handle.db
        .update(engravingPieces)
        .set({ status: 'running', attempts: 1 })
        .where(and(eq(engravingPieces.jobId, created.id), eq(engravingPieces.seq, 1)));
      await run();
      await run();
      const after = await job(created.id);
      expect(after).toMatchObject({ status: 'failed', done: 2, failed: 1 });
      expect(after.pieces![0].status).toBe('failed');
      expect(after.pieces![0].error).toMatch(/^interrupted/);
      expect((await call('GET', `/api/v1/inventory/items/${uids[0]}`)).json()).toMatchObject({
        status: 'generated',
      });

      expect(
        (await call('POST', `/api/v1/engraving/jobs/${created.id}/retry`)).json(),
      ).toMatchObject({ status: 'queued' });
      await run();
      expect(await job(created.id)).toMatchObject({ status: 'completed', done: 3, failed: 0 });
      for (const uid of uids) {
        const events = (await call('GET', `/api/v1/inventory/items/${uid}/timeline`)).json<{
          events: { toStatus: string }[];
        }>().events;
        expect(events.filter((e) => e.toStatus === 'engraved')).toHaveLength(1);
      }
    },
  );
});
