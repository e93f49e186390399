/**
 * A job that kills its worker every time it runs (out of memory, say) must not loop for ever:
 * after its attempts it ends `failed` with a "stalled" error, and `queue_jobs{status="failed"}`
 * (the QRForgeJobsFailing alert's input) counts it. Adding the same job ID again, after BullMQ has
 * forgotten it, runs nothing: the database, not Redis, says the job is over. Real worker
 * processes killed with SIGKILL, on PGlite, PostgreSQL and BullMQ on Redis.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { openDatabase, type Database } from '../../src/platform/db/database.js';
import { BullmqQueue } from '../../src/platform/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/platform/queue/embedded.js';
import { queueGauges } from '../../src/platform/queue/metrics.js';
import type { JobQueue } from '../../src/platform/queue/queue.js';
import {
  createTestDatabase,
  postgresAvailable,
  deleteRedisKeys,
  REDIS_URL,
  redisAvailable,
} from '../helpers/services.js';

const src = (path: string) =>
  JSON.stringify(new URL(`../../src/${path}`, import.meta.url).pathname);
const MAX_ATTEMPTS = 2;

/** The worker: enqueues the job (idempotent by ID), says when it runs it (then hangs) or when it ended. */
function workerScript(dir: string, databaseUrl: string | undefined, jobId: string, queue: string) {
  const file = join(dir, 'stalling-worker.mts');
  writeFileSync(
    file,
    `import { openDatabase } from ${src('platform/db/database.ts')};
import { EmbeddedQueue } from ${src('platform/queue/embedded.ts')};
import { BullmqQueue } from ${src('platform/queue/bullmq.ts')};
const db = await openDatabase({ databaseUrl: ${JSON.stringify(databaseUrl)}, dataDir: ${JSON.stringify(dir)} });
await db.migrate();
const queue = ${queue};
await queue.enqueue(null, 'test.stall', {}, { id: ${JSON.stringify(jobId)}, maxAttempts: ${MAX_ATTEMPTS} });
queue.start({
  'test.stall': async (_p, ctx) => {
    console.log('RUN ' + ctx.attempt);
    await new Promise(() => undefined);
  },
});
// Says when the job has ended without this worker running it (over its attempts).
for (;;) {
  const job = await queue.get(null, ${JSON.stringify(jobId)});
  if (['completed', 'failed', 'cancelled'].includes(job.status)) console.log('OVER ' + job.status);
  await new Promise((r) => setTimeout(r, 100));
}
`,
  );
  return file;
}

const prefix = `qrforge-stall-${randomBytes(4).toString('hex')}`;
const bullmqOptions = { redisUrl: REDIS_URL, prefix, leaseMs: 1000 };
const SETUPS = [
  {
    name: 'embedded on pglite',
    available: true,
    prepare: async () => ({ url: undefined, drop: async () => undefined }),
    script: `new EmbeddedQueue(db.db, { leaseMs: 1000, pollMs: 20 })`,
    make: (db: Database): JobQueue => new EmbeddedQueue(db, { leaseMs: 1000, pollMs: 20 }),
    bullmq: false,
  },
  {
    name: 'embedded on postgres',
    available: postgresAvailable,
    prepare: createTestDatabase,
    script: `new EmbeddedQueue(db.db, { leaseMs: 1000, pollMs: 20 })`,
    make: (db: Database): JobQueue => new EmbeddedQueue(db, { leaseMs: 1000, pollMs: 20 }),
    bullmq: false,
  },
  {
    name: 'BullMQ on Redis',
    available: postgresAvailable && redisAvailable,
    prepare: createTestDatabase,
    script: `new BullmqQueue(db.db, ${JSON.stringify(bullmqOptions)})`,
    make: (db: Database): JobQueue => new BullmqQueue(db, bullmqOptions),
    bullmq: true,
  },
];

afterAll(async () => {
  if (redisAvailable) await deleteRedisKeys(prefix);
});

/** Starts a worker; resolves 'ran' once its handler runs, 'over' once the job has ended. */
function runWorker(file: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.on('exit', r));
  const outcome = new Promise<'ran' | 'over'>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes('RUN ')) resolve('ran');
      else if (text.includes('OVER ')) resolve('over');
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`worker exited early (${code ?? signal})`));
    });
  });
  return {
    outcome,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe.each(SETUPS)('a job that kills its worker every run ($name)', (setup) => {
  it.skipIf(!setup.available)(
    `fails after ${MAX_ATTEMPTS} runs, is counted for the alert, and a re-added ID runs nothing`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qrforge-stall-'));
      const { url, drop } = await setup.prepare();
      const jobId = crypto.randomUUID();
      const file = workerScript(dir, url, jobId, setup.script);
      const started = Date.now();
      let runs = 0;
      // Each worker runs the job (then dies) until one finds it over its attempts and fails it.
      let final: { status: string; error: string | null; attempts: number } | undefined;
      for (let spawned = 0; spawned < MAX_ATTEMPTS + 2 && !final; spawned++) {
        const worker = runWorker(file);
        const outcome = await worker.outcome;
        await worker.kill();
        if (outcome === 'ran') runs++;
        else {
          const db = await openDatabase({ databaseUrl: url, dataDir: dir });
          final = await setup.make(db.db).get(null, jobId);
          await db.close();
        }
      }
      const failedAfter = Date.now() - started;

      const db = await openDatabase({ databaseUrl: url, dataDir: dir });
      try {
        expect(runs).toBe(MAX_ATTEMPTS);
        expect(final).toMatchObject({ status: 'failed' });
        expect(final!.error).toMatch(/^stalled: the job was started 2 times without finishing/);

        const registry = new Registry();
        queueGauges(registry, db.db);
        const gauge = (await registry.getSingleMetricAsString('queue_jobs')).match(
          /queue_jobs\{status="failed"\} (\d+)/,
        );
        expect(Number(gauge?.[1])).toBe(1);

        // The same ID again: enqueue answers the finished job, and (BullMQ) a raw re-add of the
        // ID, which Redis no longer knows, is taken by a worker and dropped.
        const queue = setup.make(db.db);
        let reruns = 0;
        queue.start({ 'test.stall': async () => void reruns++ });
        const again = await queue.enqueue(null, 'test.stall', {}, { id: jobId });
        expect(again.status).toBe('failed');
        if (setup.bullmq) {
          const raw = new Queue('test', { connection: { url: REDIS_URL }, prefix });
          await raw.add('test.stall', {}, { jobId });
          await raw.close();
        }
        await new Promise((r) => setTimeout(r, 2000));
        await queue.close(1000);
        expect(reruns).toBe(0);
        expect(await setup.make(db.db).get(null, jobId)).toMatchObject({ status: 'failed' });
        figure(
          'Job queue crash',
          `${setup.name}: a job killing its worker ran ${runs} times, then failed as stalled in ${(failedAfter / 1000).toFixed(1)} s (queue_jobs{status="failed"} = 1 for QRForgeJobsFailing); re-added ID -> 0 runs`,
        );
      } finally {
        await db.close();
        await drop();
      }
    },
  );
});
