/**
 * The job queue contract, run against every backend: the embedded queue on PGlite and on
 * PostgreSQL, and BullMQ on the local Redis (with PostgreSQL for the job records).
 */
import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { jobEffects, tenants } from '../src/platform/db/schema.js';
import { BullmqQueue } from '../src/platform/queue/bullmq.js';
import { EmbeddedQueue } from '../src/platform/queue/embedded.js';
import { isTerminal, type JobQueue, type JobRecord } from '../src/platform/queue/queue.js';
import { ENGINES } from './helpers/engines.js';
import { deleteRedisKeys, REDIS_URL, redisAvailable } from './helpers/services.js';

const postgres = ENGINES.find((e) => e.engine === 'postgres')!;
const prefix = `qrforge-test-${randomBytes(4).toString('hex')}`;

const BACKENDS = [
  ...ENGINES.map((engine) => ({
    name: `embedded on ${engine.engine}`,
    engine,
    make: (handle: DatabaseHandle): JobQueue =>
      new EmbeddedQueue(handle.db, { leaseMs: 600, pollMs: 20, retryBaseMs: 20, concurrency: 2 }),
  })),
  {
    name: 'BullMQ on Redis with PostgreSQL',
    engine: { ...postgres, available: postgres.available && redisAvailable },
    make: (handle: DatabaseHandle): JobQueue =>
      new BullmqQueue(handle.db, {
        redisUrl: REDIS_URL,
        prefix,
        leaseMs: 600,
        cancelPollMs: 20,
        retryBaseMs: 20,
        concurrency: 2,
      }),
  },
];

async function until(
  queue: JobQueue,
  tenantId: string | null,
  id: string,
  done: (j: JobRecord) => boolean,
  timeoutMs = 15_000,
): Promise<JobRecord> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = (await queue.get(tenantId, id))!;
    if (done(job)) return job;
    if (Date.now() > end) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  if (redisAvailable) await deleteRedisKeys(prefix);
});

describe.each(BACKENDS)('job queue: $name', ({ engine, make }) => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let tenant: string;
  let other: string;
  const queues: JobQueue[] = [];
  const queue = () => {
    const q = make(handle);
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    if (!engine.available) return;
    ({ handle, cleanup } = await engine.open());
    [{ id: tenant }, { id: other }] = await handle.db
      .insert(tenants)
      .values([
        { slug: 't1', name: 'T1' },
        { slug: 't2', name: 'T2' },
      ])
      .returning();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close(200)));
  });
  afterAll(async () => {
    if (engine.available) await cleanup();
  });

  it.skipIf(!engine.available)('runs a job to completion with progress and a result', async () => {
    const q = queue();
    const seen: number[] = [];
    q.start({
      'test.sum': async (payload: { numbers: number[] }, ctx) => {
        for (let i = 1; i <= 4; i++) {
          await ctx.progress(i * 25);
          seen.push((await q.get(tenant, ctx.id))!.progress);
        }
        return { sum: payload.numbers.reduce((a, b) => a + b, 0) };
      },
    });
    const job = await q.enqueue(tenant, 'test.sum', { numbers: [1, 2, 3] });
    expect(job.status).toBe('queued');
    const done = await until(q, tenant, job.id, (j) => isTerminal(j.status));
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { sum: 6 },
      attempts: 1,
    });
    expect(seen).toEqual([25, 50, 75, 100]);
  });

  it.skipIf(!engine.available)(
    'retries a failing job, then fails it with the error after maxAttempts',
    async () => {
      const q = queue();
      let runs = 0;
      q.start({
        'test.flaky': async () => {
          runs++;
          throw new Error(`boom ${runs}`);
        },
      });
      const job = await q.enqueue(tenant, 'test.flaky', {}, { maxAttempts: 3 });
      const done = await until(q, tenant, job.id, (j) => isTerminal(j.status));
      expect(done).toMatchObject({ status: 'failed', attempts: 3, error: 'boom 3' });
      expect(runs).toBe(3);
    },
  );

  it.skipIf(!engine.available)(
    'enqueueing the same ID twice gives one job that runs once',
    async () => {
      const q = queue();
      let runs = 0;
      const id = crypto.randomUUID();
      const a = await q.enqueue(tenant, 'test.once', { n: 1 }, { id });
      const b = await q.enqueue(tenant, 'test.once', { n: 2 }, { id });
      expect(b.id).toBe(a.id);
      q.start({ 'test.once': async () => void runs++ });
      await until(q, tenant, id, (j) => isTerminal(j.status));
      expect(runs).toBe(1);
    },
  );

  it.skipIf(!engine.available)('cancels a queued job at once and stops a running one', async () => {
    const q = queue();
    const queued = await q.enqueue(tenant, 'test.slow', {});
    expect(await q.cancel(tenant, queued.id)).toBe(true);
    expect((await q.get(tenant, queued.id))!.status).toBe('cancelled');
    let started = false;
    q.start({
      'test.slow': async (_p, ctx) => {
        started = true;
        while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 10));
      },
    });
    const running = await q.enqueue(tenant, 'test.slow', {});
    await until(q, tenant, running.id, (j) => j.status === 'running');
    expect(await q.cancel(tenant, running.id)).toBe(true);
    expect(await until(q, tenant, running.id, (j) => isTerminal(j.status))).toMatchObject({
      status: 'cancelled',
    });
    expect(started).toBe(true);
    expect(await q.cancel(tenant, running.id)).toBe(false);
  });

  it.skipIf(!engine.available)("never shows or cancels another tenant's job", async () => {
    const q = queue();
    const job = await q.enqueue(tenant, 'test.none', {});
    expect(await q.get(other, job.id)).toBeUndefined();
    expect(await q.cancel(other, job.id)).toBe(false);
    expect((await q.get(tenant, job.id))!.status).toBe('queued');
  });

  it.skipIf(!engine.available)(
    'a worker that stops taking jobs releases the running one; the next worker completes it',
    async () => {
      const first = queue();
      let started = false;
      // This handler ignores its abort signal: close() must not wait for it, and its late finish
      // must not overwrite the second worker's result.
      first.start({
        'test.handover': async () => {
          started = true;
          return { stale: await new Promise((r) => setTimeout(() => r(true), 1500)) };
        },
      });
      const job = await first.enqueue(tenant, 'test.handover', {});
      while (!started) await new Promise((r) => setTimeout(r, 10));
      await first.close(50);
      expect((await first.get(tenant, job.id))!.status).toBe('queued');
      const second = queue();
      second.start({ 'test.handover': async (_p, ctx) => ({ attempt: ctx.attempt }) });
      expect(await until(second, tenant, job.id, (j) => isTerminal(j.status))).toMatchObject({
        status: 'completed',
        result: { attempt: 2 },
      });
      await new Promise((r) => setTimeout(r, 1600));
      expect((await second.get(tenant, job.id))!.result).toEqual({ attempt: 2 });
    },
  );

  it.skipIf(!engine.available)(
    'side effects keyed by job ID happen once across re-runs',
    async () => {
      const q = queue();
      q.start({
        'test.effect': async (_p, ctx) => {
          await ctx.once(
            'engrave',
            async (tx) =>
              void (await tx.insert(jobEffects).values({ jobId: ctx.id, key: 'laser-fired' })),
          );
          if (ctx.attempt === 1) throw new Error('crash after the effect');
        },
      });
      const job = await q.enqueue(tenant, 'test.effect', {});
      expect(await until(q, tenant, job.id, (j) => isTerminal(j.status))).toMatchObject({
        status: 'completed',
        attempts: 2,
      });
      const [{ n }] = await handle.db
        .select({ n: count() })
        .from(jobEffects)
        .where(eq(jobEffects.key, 'laser-fired'));
      expect(n).toBe(1);
    },
  );
});
