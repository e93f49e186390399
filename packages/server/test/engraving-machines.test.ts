/**
 * Machines on both engines: live state from the controller (idle, alarm, offline and back), a job
 * that waits while its machine is away, unlock after an alarm, a dry run in GRBL's check mode that
 * burns nothing and changes no item, changing and removing machines, and the engraving gauges.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { GrblSimulator } from '../src/modules/engraving/grbl/simulator.js';
import { closeSimulators, simulatorOf } from '../src/modules/engraving/machines.js';
import type { EngravingRunner } from '../src/modules/engraving/runner.js';
import { machines } from '../src/modules/engraving/schema.js';
import { closeDecodePool } from '../src/modules/scanning/decode-pool.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, TEST_PASSWORD, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';

interface Machine {
  id: string;
  name: string;
  state: string;
  lastStatus: { state?: string } | null;
  connection: Record<string, unknown>;
}

describe.each(ENGINES)('engraving machines on $engine', (engine) => {
  const { available } = engine;
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let runner: EngravingRunner;
  let auth: Record<string, string>;
  let operator: Record<string, string>;
  const simulators: GrblSimulator[] = [];
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers = auth,
  ) => app.server.inject({ method, url, payload, headers });
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
  const register = async (name: string, connection: object) => {
    const res = await call('POST', '/api/v1/engraving/machines', {
      name,
      kind: 'diode',
      workArea: { x: 400, y: 400 },
      connection,
    });
    expect(res.statusCode).toBe(201);
    return res.json<Machine>();
  };
  const machine = async (id: string) =>
    (await call('GET', `/api/v1/engraving/machines/${id}`)).json<Machine>();
  const jobOf = async (id: string) =>
    (await call('GET', `/api/v1/engraving/jobs/${id}`)).json<{
      status: string;
      done: number;
      failed: number;
      dryRun: boolean;
      assignedMachineId: string | null;
    }>();
  const run = async () => {
    await runner.runOnce();
    await runner.idle();
  };
  /** A networked controller (the simulator on loopback) that can be switched off and on. */
  const controller = async () => {
    const simulator = new GrblSimulator({ speed: 20_000 });
    simulators.push(simulator);
    return { simulator, port: await simulator.listen() };
  };

  beforeAll(async () => {
    if (!available) return;
    const opened = await engine.open();
    handle = opened.handle;
    cleanup = opened.cleanup;
    app = await buildApp(
      testConfig({ dataDir: opened.dataDir, jwtSecret: 'machines-secret-machines-secret-01' }),
      { database: handle },
    );
    runner = app.background.find((work) => work.name === 'engraving')!.runner!;
    const { tenantA } = await twoTenants(app);
    await app.accounts!.addUser({
      email: 'operator@a.test',
      password: TEST_PASSWORD,
      tenantId: tenantA,
      role: 'operator',
    });
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    operator = { authorization: `Bearer ${await signIn(app, 'operator@a.test')}` };
  });
  afterAll(async () => {
    if (!available) return;
    await app.server.close();
    for (const simulator of simulators) await simulator.close();
    await closeSimulators();
    await closeDecodePool();
    await cleanup();
  });

  it.skipIf(!available)(
    'follows a networked machine offline and back; its job waits meanwhile',
    async () => {
      const { simulator, port } = await controller();
      const m = await register('Networked', { type: 'tcp', host: '127.0.0.1', port });
      const checked = await call('POST', `/api/v1/engraving/machines/${m.id}/check`, undefined);
      expect(checked.json()).toMatchObject({ state: 'idle', lastStatus: { state: 'Idle' } });

      await simulator.close(); // switched off
      await runner.probeMachines();
      expect(await machine(m.id)).toMatchObject({
        state: 'offline',
        lastStatus: { state: 'Idle' },
      });

      const [uid] = await lot('L2026-40', 1);
      const created = await call('POST', '/api/v1/engraving/jobs', {
        itemUid: uid,
        machineId: m.id,
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      await run();
      expect((await jobOf(id)).status).toBe('queued');

      await simulator.listen(port); // switched on again
      await runner.probeMachines();
      expect((await machine(m.id)).state).toBe('idle');
      await run();
      expect(await jobOf(id)).toMatchObject({ status: 'completed', done: 1 });
      expect(
        (await call('GET', `/api/v1/inventory/items/${uid}`)).json<{ status: string }>().status,
      ).toBe('engraved');
    },
  );

  it.skipIf(!available)(
    'a machine in alarm takes no job until an operator unlocks it',
    async () => {
      const { simulator, port } = await controller();
      const m = await register('Limit switch', { type: 'tcp', host: '127.0.0.1', port });
      // Powered up with homing enabled: in alarm, answering status.
      simulator.homingLock();
      await runner.probeMachines();
      expect(await machine(m.id)).toMatchObject({ state: 'alarm', lastStatus: { state: 'Alarm' } });
      // Then a limit switch: GRBL locks and answers nothing (offline) until reset.
      simulator.alarm(1);
      await runner.probeMachines();
      expect(await machine(m.id)).toMatchObject({ state: 'offline' });

      const [uid] = await lot('L2026-41', 1);
      const id = (
        await call('POST', '/api/v1/engraving/jobs', { itemUid: uid, machineId: m.id })
      ).json<{ id: string }>().id;
      await run();
      expect((await jobOf(id)).status).toBe('queued');
      expect(simulator.executed).toHaveLength(0);

      const unlocked = await call(
        'POST',
        `/api/v1/engraving/machines/${m.id}/unlock`,
        undefined,
        operator,
      );
      expect(unlocked.statusCode).toBe(200);
      expect(unlocked.json()).toMatchObject({ state: 'idle', lastStatus: { state: 'Idle' } });
      const audit = await call('GET', '/api/v1/audit?action=machine.unlock');
      expect(JSON.stringify(audit.json())).toContain(m.id);
      await run();
      expect(await jobOf(id)).toMatchObject({ status: 'completed', done: 1 });
      expect(simulator.executed.length).toBeGreaterThan(100);
    },
  );

  it.skipIf(!available)(
    "dry-runs a lot in GRBL's check mode: every line checked, nothing moved, no item changed",
    async () => {
      const m = await register('Dry', { type: 'simulated', speed: 20_000 });
      const uids = await lot('L2026-42', 2);
      const created = await call('POST', '/api/v1/engraving/jobs', {
        lot: { lot: 'L2026-42' },
        machineId: m.id,
        dryRun: true,
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      const gcode = (await call('GET', `/api/v1/engraving/jobs/${id}/gcode`)).body;
      await run();
      expect(await jobOf(id)).toMatchObject({
        status: 'completed',
        done: 2,
        failed: 0,
        dryRun: true,
      });
      const [row] = await handle.db.select().from(machines).where(eq(machines.id, m.id));
      const { simulator } = await simulatorOf(row, 20_000);
      expect(simulator.executed).toHaveLength(0); // no motion, no laser
      expect(simulator.state).toBe('Idle'); // and out of check mode again
      expect(gcode.split('\n').length).toBeGreaterThan(1000);
      for (const uid of uids) {
        const item = (await call('GET', `/api/v1/inventory/items/${uid}`)).json<{
          status: string;
        }>();
        expect(item.status).toBe('generated');
      }

      // A line the controller refuses fails the dry run and names it.
      simulator.configure({ failAtLine: { line: 50, code: 20 } });
      const refused = (
        await call('POST', '/api/v1/engraving/jobs', {
          itemUid: uids[0],
          machineId: m.id,
          dryRun: true,
        })
      ).json<{ id: string }>().id;
      await run();
      const failed = (await call('GET', `/api/v1/engraving/jobs/${refused}`)).json<{
        status: string;
        error: string;
      }>();
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/refused line 50 .*error 20/);
      expect(simulator.executed).toHaveLength(0);
      simulator.configure({ failAtLine: undefined });

      // The same lot engraved for real afterwards moves both items.
      const real = (
        await call('POST', '/api/v1/engraving/jobs', { lot: { lot: 'L2026-42' }, machineId: m.id })
      ).json<{ id: string }>().id;
      await run();
      expect(await jobOf(real)).toMatchObject({ status: 'completed', done: 2 });
      expect(simulator.executed.length).toBeGreaterThan(1000);

      const metrics = (await call('GET', '/metrics')).body;
      expect(metrics).toMatch(/engraving_pieces_total\{result="checked"\} 2/);
      expect(metrics).toMatch(/engraving_pieces_total\{result="done"\} [1-9]/);
      expect(metrics).toMatch(/engraving_jobs\{status="completed"\} [1-9]/);
      expect(metrics).toMatch(/engraving_machines\{state="idle"\} [1-9]/);
    },
  );

  it.skipIf(!available)('a job for any machine goes to a machine its toolpath fits', async () => {
    const big = await call('POST', '/api/v1/engraving/machines', {
      name: 'Big bed',
      kind: 'co2',
      workArea: { x: 800, y: 800 },
      connection: { type: 'simulated', speed: 20_000 },
    });
    const [uid] = await lot('L2026-44', 1);
    // At x = 600 mm: beyond every 400 mm machine of this tenant, inside the big one.
    const created = await call('POST', '/api/v1/engraving/jobs', {
      itemUid: uid,
      placement: { x: 600, y: 600 },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    await run();
    expect(await jobOf(id)).toMatchObject({
      status: 'completed',
      assignedMachineId: big.json<Machine>().id,
    });
  });

  it.skipIf(!available)('changes and removes machines, and names what it refuses', async () => {
    const a = await register('Old name', { type: 'simulated', speed: 1000 });
    await register('Taken', { type: 'simulated', speed: 1000 });
    const renamed = await call('PATCH', `/api/v1/engraving/machines/${a.id}`, {
      name: 'New name',
      connection: { type: 'simulated', speed: 5000 },
      workArea: { x: 300, y: 200 },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'New name',
      connection: { type: 'simulated', speed: 5000 },
      workArea: { x: 300, y: 200 },
      maxPower: 1000, // untouched fields keep their values
    });
    const clash = await call('PATCH', `/api/v1/engraving/machines/${a.id}`, { name: 'Taken' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json<{ detail: string }>().detail).toContain('Taken');
    const empty = await call('PATCH', `/api/v1/engraving/machines/${a.id}`, {});
    expect(empty.statusCode).toBe(400);
    const byOperator = await call(
      'PATCH',
      `/api/v1/engraving/machines/${a.id}`,
      { name: 'x' },
      operator,
    );
    expect(byOperator.statusCode).toBe(403);

    // A machine an unfinished job waits for stays.
    const [uid] = await lot('L2026-43', 1);
    const id = (
      await call('POST', '/api/v1/engraving/jobs', { itemUid: uid, machineId: a.id })
    ).json<{ id: string }>().id;
    const refused = await call('DELETE', `/api/v1/engraving/machines/${a.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toContain(id);
    await call('POST', `/api/v1/engraving/jobs/${id}/cancel`);
    const removed = await call('DELETE', `/api/v1/engraving/machines/${a.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await call('GET', `/api/v1/engraving/machines/${a.id}`)).statusCode).toBe(404);
    // The cancelled job keeps its history.
    expect((await jobOf(id)).status).toBe('cancelled');
    const audit = (await call('GET', '/api/v1/audit?action=machine.delete')).body;
    expect(audit).toContain(a.id);
  });
});
