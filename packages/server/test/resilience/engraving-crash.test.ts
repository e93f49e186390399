/**
 * A runner process killed with SIGKILL in the middle of a piece. The machine (a GRBL simulator in
 * this test process, reached over TCP like a networked controller) outlives it, as a real one
 * does. A second runner takes the job over once the lease runs out: the interrupted piece is
 * marked failed and not sent again by itself, the remaining pieces are engraved, and the
 * operator's retry engraves the interrupted one. The machine's own log shows every program
 * completed exactly once, and every item's timeline one `engraved`. Real processes, PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { buildApp, type App } from '../../src/app.js';
import { GrblSimulator } from '../../src/modules/engraving/grbl/simulator.js';
import { engravingJobs, engravingPieces } from '../../src/modules/engraving/schema.js';
import { closeDecodePool } from '../../src/modules/scanning/decode-pool.js';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { createTestDatabase, postgresAvailable } from '../helpers/services.js';

const src = (path: string) =>
  JSON.stringify(new URL(`../../src/${path}`, import.meta.url).pathname);

/** A runner alone in its own process, as `qrforge worker` runs it. */
function runnerScript(dir: string, databaseUrl: string): string {
  const file = join(dir, 'runner.mts');
  writeFileSync(
    file,
    `import { openDatabase } from ${src('platform/db/database.ts')};
import { EngravingRunner } from ${src('modules/engraving/runner.ts')};
const db = await openDatabase({ databaseUrl: ${JSON.stringify(databaseUrl)}, dataDir: ${JSON.stringify(dir)} });
new EngravingRunner(db.db, { leaseMs: 1000, allowLocal: true }).start(50);
console.log('RUNNER_STARTED');
`,
  );
  return file;
}

describe.skipIf(!postgresAvailable)('an engraving runner killed mid-piece (PostgreSQL)', () => {
  let app: App;
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let machine: GrblSimulator;
  let auth: Record<string, string>;
  let dir: string;
  let url: string;
  const children: ChildProcess[] = [];

  const startRunner = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', runnerScript(dir, url)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('RUNNER_STARTED')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`runner exited with ${code}`)));
    });
    return child;
  };

  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
    dir = mkdtempSync(join(tmpdir(), 'qrforge-engrave-crash-'));
    handle = await openDatabase({ databaseUrl: url, dataDir: dir });
    await handle.migrate();
    app = await buildApp(testConfig({ jwtSecret: 'crash-secret-crash-secret-crash-0123' }), {
      database: handle,
    });
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    // 40x real time: a piece of the 25x25 code at one pass takes ~2 s.
    machine = new GrblSimulator({ speed: 40 });
    const port = await machine.listen();
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/engraving/machines',
      headers: auth,
      payload: {
        name: 'Networked',
        kind: 'diode',
        workArea: { x: 400, y: 400 },
        connection: { type: 'tcp', host: '127.0.0.1', port },
      },
    });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await app?.server.close();
    await machine?.close();
    await closeDecodePool();
    await handle?.close();
    await drop?.();
  });

  it('fails the interrupted piece instead of engraving it again, finishes the rest, and a retry engraves it once', async () => {
    const made = await app.server.inject({
      method: 'POST',
      url: '/api/v1/inventory/generate',
      headers: auth,
      payload: {
        componentType: 'PAD',
        vendorCode: 'V0100',
        lotNumber: 'L2026-30',
        manufacturingDate: '2026-11-01',
        count: 3,
      },
    });
    const uids = made.json<{ items: { uid: string }[] }>().items.map((i) => i.uid);
    const job = (
      await app.server.inject({
        method: 'POST',
        url: '/api/v1/engraving/jobs',
        headers: auth,
        payload: { uids, settings: { passes: 1 } },
      })
    ).json<{ id: string }>();
    const piece = async (seq: number) =>
      (
        await handle.db
          .select()
          .from(engravingPieces)
          .where(and(eq(engravingPieces.jobId, job.id), eq(engravingPieces.seq, seq)))
      )[0];
    const until = async (check: () => Promise<boolean>, timeout = 60_000) => {
      const end = Date.now() + timeout;
      while (!(await check())) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    const first = await startRunner();
    await until(async () => (await piece(2)).status === 'running');
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const programsBefore = machine.executed.filter((line) => line === 'M2').length;
    expect(programsBefore).toBe(1);

    await startRunner();
    const state = async () =>
      (await handle.db.select().from(engravingJobs).where(eq(engravingJobs.id, job.id)))[0];
    await until(async () => ['failed', 'completed'].includes((await state()).status));
    expect(await state()).toMatchObject({ status: 'failed', done: 2, failed: 1 });
    expect(await piece(2)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await piece(2)).error).toMatch(/^interrupted/);
    expect(machine.executed.filter((line) => line === 'M2')).toHaveLength(2);

    // The operator checked the part: engrave it.
    const retried = await app.server.inject({
      method: 'POST',
      url: `/api/v1/engraving/jobs/${job.id}/retry`,
      headers: auth,
    });
    expect(retried.json()).toMatchObject({ status: 'queued' });
    await until(async () => (await state()).status === 'completed');
    expect(await state()).toMatchObject({ done: 3, failed: 0 });
    // Programs started: 4 (one cut short by the crash); completed: 3, one per piece.
    expect(machine.executed.filter((line) => line === 'G21 G90')).toHaveLength(4);
    expect(machine.executed.filter((line) => line === 'M2')).toHaveLength(3);
    for (const uid of uids) {
      const timeline = await app.server.inject({
        url: `/api/v1/inventory/items/${uid}/timeline`,
        headers: auth,
      });
      const events = timeline.json<{ events: { toStatus: string }[] }>().events;
      expect(events.filter((e) => e.toStatus === 'engraved')).toHaveLength(1);
    }
    figure(
      'Job queue crash',
      'engraving runner kill -9 mid-piece 2 of 3: the piece is failed (not re-burnt), the rest finish; retry engraves it once; 4 programs started, 3 completed, each item engraved once',
    );
  });
});
