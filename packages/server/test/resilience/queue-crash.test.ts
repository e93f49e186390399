/**
 * A worker process killed with SIGKILL in the middle of a job: after the lease runs out the job
 * runs again and completes, and the side effect it had already made is not made twice. Real
 * processes, on PGlite (the data folder's lock taken over from the dead process), PostgreSQL, and
 * BullMQ on Redis (the dead worker's lock expires and the stalled-job check hands the job on).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { openDatabase, type Database } from '../../src/platform/db/database.js';
import { jobEffects } from '../../src/platform/db/schema.js';
import { BullmqQueue } from '../../src/platform/queue/bullmq.js';
import { EmbeddedQueue } from '../../src/platform/queue/embedded.js';
import { isTerminal, type JobQueue } from '../../src/platform/queue/queue.js';
import {
  createTestDatabase,
  postgresAvailable,
  deleteRedisKeys,
  REDIS_URL,
  redisAvailable,
} from '../helpers/services.js';

const src = (path: string) =>
  JSON.stringify(new URL(`../../src/${path}`, import.meta.url).pathname);

/** The worker: makes the side effect, says so, then hangs until killed. */
function workerScript(
  dir: string,
  databaseUrl: string | undefined,
  dataDir: string,
  jobId: string,
  queueSource: string,
): string {
  const file = join(dir, 'worker.mts');
  writeFileSync(
    file,
    `import { openDatabase } from ${src('platform/db/database.ts')};
import { jobEffects } from ${src('platform/db/schema.ts')};
import { EmbeddedQueue } from ${src('platform/queue/embedded.ts')};
import { BullmqQueue } from ${src('platform/queue/bullmq.ts')};
const db = await openDatabase({ databaseUrl: ${JSON.stringify(databaseUrl)}, dataDir: ${JSON.stringify(dataDir)} });
await db.migrate();
const queue = ${queueSource};
await queue.enqueue(null, 'test.engrave', {}, { id: ${JSON.stringify(jobId)} });
queue.start({
  'test.engrave': async (_p, ctx) => {
    await ctx.once('laser', async (tx) => { await tx.insert(jobEffects).values({ jobId: ctx.id, key: 'laser-fired' }); });
    console.log('EFFECT_DONE');
    await new Promise(() => undefined);
  },
});
`,
  );
  return file;
}

const prefix = `qrforge-crash-${randomBytes(4).toString('hex')}`;
const bullmqOptions = { redisUrl: REDIS_URL, prefix, leaseMs: 1000 };
/** The same queue in the worker script (source text) and in the test (a value). */
const EMBEDDED = {
  script: `new EmbeddedQueue(db.db, { leaseMs: 1000, pollMs: 20 })`,
  make: (db: Database): JobQueue => new EmbeddedQueue(db, { leaseMs: 1000, pollMs: 20 }),
};
const BULLMQ = {
  script: `new BullmqQueue(db.db, ${JSON.stringify(bullmqOptions)})`,
  make: (db: Database): JobQueue => new BullmqQueue(db, bullmqOptions),
};

const SETUPS = [
  {
    name: 'embedded on pglite',
    available: true,
    prepare: async () => ({ url: undefined, drop: async () => undefined }),
    queue: EMBEDDED,
  },
  {
    name: 'embedded on postgres',
    available: postgresAvailable,
    prepare: createTestDatabase,
    queue: EMBEDDED,
  },
  {
    name: 'BullMQ on Redis',
    available: postgresAvailable && redisAvailable,
    prepare: createTestDatabase,
    queue: BULLMQ,
  },
];

afterAll(async () => {
  if (redisAvailable) await deleteRedisKeys(prefix);
});

describe.each(SETUPS)(
  'a worker killed mid-job ($name)',
  ({ name, available, prepare, queue: setup }) => {
    it.skipIf(!available)(
      're-runs the job after restart and completes it, side effect once',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'qrforge-crash-'));
        const { url, drop } = await prepare();
        const jobId = crypto.randomUUID();
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', workerScript(dir, url, dir, jobId, setup.script)],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const exited = new Promise((r) => child.on('exit', r));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on(
            'data',
            (chunk: Buffer) => chunk.toString().includes('EFFECT_DONE') && resolve(),
          );
          child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
        });
        child.kill('SIGKILL');
        await exited;
        const killedAt = Date.now();

        const db = await openDatabase({ databaseUrl: url, dataDir: dir });
        const queue = setup.make(db.db);
        let effects = 0;
        queue.start({
          'test.engrave': async (_p, ctx) => {
            await ctx.once('laser', async () => void effects++);
            return { attempt: ctx.attempt };
          },
        });
        let job = await queue.get(null, jobId);
        for (const end = Date.now() + 20_000; !isTerminal(job!.status) && Date.now() < end;) {
          await new Promise((r) => setTimeout(r, 50));
          job = await queue.get(null, jobId);
        }
        const completedAt = Date.now();
        await queue.close(1000);
        const [{ n }] = await db.db
          .select({ n: count() })
          .from(jobEffects)
          .where(eq(jobEffects.jobId, jobId));
        await db.close();
        await drop();
        expect(job).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } });
        expect(effects).toBe(0);
        expect(n).toBe(2); // the 'laser' marker and the row the first run inserted: made once
        figure(
          'Job queue crash',
          `${name}: worker kill -9 after its side effect -> job re-run on restart and completed in ${((completedAt - killedAt) / 1000).toFixed(1)} s, side effect done once`,
        );
      },
    );
  },
);
