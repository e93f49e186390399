/**
 * The scaled-out layout with real processes: `qrforge serve` and a separate `qrforge worker` on
 * PostgreSQL and Redis (BullMQ), sharing object storage. A batch posted to the API is run by the
 * worker (serve runs no jobs when Redis is set) and its ZIP downloaded through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { decodeFile } from './helpers/decode.js';
import {
  createTestDatabase,
  deleteRedisKeys,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from './helpers/services.js';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';

function qrforge(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', QRFORGE_REQUIRE_SERVICES: undefined },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve),
  );

describe('serve and worker as separate processes', () => {
  it.skipIf(!postgresAvailable || !redisAvailable)(
    'a batch posted to serve is run by the worker over BullMQ',
    async () => {
      const { url, drop } = await createTestDatabase();
      const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-e2e-'));
      const prefix = `qrforge-e2e-${Date.now()}`;
      const port = await freePort();
      const env = {
        DATABASE_URL: url,
        REDIS_URL,
        QRFORGE_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        QRFORGE_ADMIN_EMAIL: 'ops@example.com',
        QRFORGE_ADMIN_PASSWORD: PASSWORD,
        QRFORGE_QUEUE_PREFIX: prefix,
      };
      expect(await exited(qrforge(['migrate'], env))).toBe(0);
      const serve = qrforge(['serve'], env);
      // The worker's own /health, /ready and /metrics listen on its PORT.
      const workerPort = await freePort();
      const worker = qrforge(['worker'], { ...env, PORT: String(workerPort) });
      try {
        const base = `http://127.0.0.1:${port}`;
        for (let i = 0; ; i++) {
          try {
            if ((await fetch(`${base}/ready`)).ok) break;
          } catch {
            if (i > 300) throw new Error('serve did not start');
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'ops@example.com', password: PASSWORD }),
        });
        const { accessToken } = (await login.json()) as { accessToken: string };
        const auth = { authorization: `Bearer ${accessToken}` };
        const created = await fetch(`${base}/api/v1/batches`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ rows: [{ data: 'PAD-1' }, { data: 'PAD-2' }] }),
        });
        expect(created.status).toBe(202);
        const { id } = (await created.json()) as { id: string };
        let batch: { status: string; files: Record<string, { url: string }> };
        for (const end = Date.now() + 30_000; ;) {
          batch = (await (
            await fetch(`${base}/api/v1/batches/${id}`, { headers: auth })
          ).json()) as typeof batch;
          if (batch.status === 'completed' || batch.status === 'failed') break;
          if (Date.now() > end) throw new Error(`batch still ${batch.status}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(batch.status).toBe('completed');
        const zip = unzipSync(
          new Uint8Array(
            await (await fetch(`${base}${batch.files.zip.url}`, { headers: auth })).arrayBuffer(),
          ),
        );
        expect(await decodeFile(zip['qr-00002.png'], 'image/png')).toEqual(['PAD-2']);
        const workerBase = `http://127.0.0.1:${workerPort}`;
        expect((await fetch(`${workerBase}/ready`)).status).toBe(200);
        const metrics = await (await fetch(`${workerBase}/metrics`)).text();
        expect(metrics).toMatch(/^db_pool_connections\{state="total"\} [1-9]/m);
        expect(metrics).toContain('process_cpu_seconds_total');
        expect((await fetch(`${workerBase}/api/v1/batches`)).status).toBe(404);
      } finally {
        serve.kill('SIGTERM');
        worker.kill('SIGTERM');
        expect(await exited(worker)).toBe(0);
        await exited(serve);
        await drop();
        await deleteRedisKeys(prefix);
      }
    },
  );
});
