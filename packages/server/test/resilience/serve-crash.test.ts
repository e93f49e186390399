/**
 * `qrforge serve` itself killed with SIGKILL on PostgreSQL while it runs a 10,000-code batch (its
 * embedded queue) and answers stored-code requests: after a restart the batch runs again from its
 * stored input and completes once, with every code in its ZIP exactly once, and every code whose
 * 201 reached the client is there with its file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import {
  MAIN_SOURCE,
  signInOverHttp,
  startServe,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { createTestDatabase, postgresAvailable } from '../helpers/services.js';
import { figure } from './figure.js';

const run = promisify(execFile);
const ROWS = 10_000;
const LEASE_MS = 2000;
const PASSWORD = 'crash test passphrase';

describe.skipIf(!postgresAvailable)('qrforge serve killed mid-batch (PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: ServeProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-serve-crash-'));
  let base: string;
  let port: number;

  const env = () => ({
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    QRFORGE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    QRFORGE_ADMIN_EMAIL: 'admin@example.com',
    QRFORGE_ADMIN_PASSWORD: PASSWORD,
    QRFORGE_JOB_LEASE_MS: String(LEASE_MS),
    QRFORGE_REQUIRE_SERVICES: undefined,
  });
  const start = async () => {
    server = await startServe({ env: env(), port, until: '/ready' });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await run(process.execPath, ['--import', 'tsx', MAIN_SOURCE, 'migrate'], { env: env() });
  }, 60_000);
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await database?.drop();
  });

  it('runs the batch again after the restart: completed once, 10,000 of 10,000 codes, no acknowledged code lost', async () => {
    await start();
    const auth = await signInOverHttp(base, 'admin@example.com', PASSWORD);
    // Stored codes written alongside; the ones whose 201 arrived are acknowledged.
    const acknowledged: { id: string; sha256: string }[] = [];
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        const answer = await fetch(`${base}/api/v1/codes`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ data: `stored-${w}-${i}`, store: true }),
        }).catch(() => undefined);
        if (answer?.status !== 201) {
          await new Promise((r) => setTimeout(r, 50)); // the server is down: the kill
          continue;
        }
        const record = (await answer.json().catch(() => undefined)) as
          { id: string; sha256: string } | undefined;
        if (record) acknowledged.push(record);
      }
    });

    for (const end = Date.now() + 20_000; acknowledged.length < 20 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    const created = await fetch(`${base}/api/v1/batches`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        rows: Array.from({ length: ROWS }, (_, i) => ({ data: `crash-${i}` })),
      }),
    });
    expect(created.status).toBe(202);
    const batch = (await created.json()) as { id: string; jobId: string };
    const status = async () =>
      (await (await fetch(`${base}/api/v1/batches/${batch.id}`, { headers: auth })).json()) as {
        status: string;
        progress: number;
        ok: number;
        files: Record<string, { url: string; sha256: string }>;
      };

    // Kill once the batch is well under way: some codes rendered, most not.
    let progressAtKill = 0;
    for (const end = Date.now() + 60_000; ;) {
      const s = await status();
      if (s.status === 'running' && s.progress >= 10) {
        progressAtKill = s.progress;
        break;
      }
      if (s.status === 'completed') throw new Error('the batch completed before the kill');
      if (Date.now() > end) throw new Error(`the batch never got going (${s.status})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    server!.child.kill('SIGKILL');
    await server!.exited;
    writing = false;
    await Promise.all(writers);
    expect(progressAtKill).toBeLessThan(99);

    const killedAt = Date.now();
    await start();
    let final = await status();
    for (const end = Date.now() + 90_000; Date.now() < end;) {
      final = await status();
      if (final.status === 'completed' || final.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - killedAt) / 1000;
    expect(final).toMatchObject({ status: 'completed', ok: ROWS });

    // The ZIP holds every code exactly once, and is the file the record names.
    const zip = new Uint8Array(
      await (await fetch(`${base}${final.files.zip.url}`, { headers: auth })).arrayBuffer(),
    );
    expect(createHash('sha256').update(zip).digest('hex')).toBe(final.files.zip.sha256);
    const names = Object.keys(unzipSync(zip));
    expect(names).toHaveLength(ROWS);
    expect(new Set(names).size).toBe(ROWS);

    // The job ran twice (the killed run, then the one after the lease) and finished once.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const job = (
      await client.query<{ status: string; attempts: number }>(
        'select status, attempts from jobs where id = $1',
        [batch.jobId],
      )
    ).rows[0];
    await client.end();
    expect(job).toMatchObject({ status: 'completed', attempts: 2 });

    // Every acknowledged stored code survived with its file.
    expect(acknowledged.length).toBeGreaterThan(0);
    let intact = 0;
    for (const code of acknowledged) {
      const file = await fetch(`${base}/api/v1/codes/${code.id}/download`, { headers: auth });
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (file.status === 200 && createHash('sha256').update(bytes).digest('hex') === code.sha256)
        intact++;
    }
    expect(intact).toBe(acknowledged.length);
    figure(
      'PG durability',
      `PostgreSQL, kill -9 of qrforge serve at ${progressAtKill} % of a ${ROWS.toLocaleString('en')}-code batch: run again after the ${LEASE_MS / 1000} s lease, completed ${seconds.toFixed(1)} s after the kill with ${ROWS.toLocaleString('en')} of ${ROWS.toLocaleString('en')} codes (0 twice), job attempts 2; ${acknowledged.length} of ${acknowledged.length} acknowledged stored codes intact`,
    );
  }, 240_000);
});
