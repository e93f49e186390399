/**
 * Redis killed with kill -9 after jobs were accepted, and restarted empty (no persistence, the
 * worst case): the job records in PostgreSQL bring every accepted job back, and each runs once.
 * A Redis server of our own on a free port, so the machine's shared Redis is never killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js';
import { BullmqQueue } from '../../src/platform/queue/bullmq.js';
import { checkEvictionPolicy } from '../../src/platform/queue/redis-policy.js';
import { createTestDatabase, postgresAvailable } from '../helpers/services.js';
import { freePort } from '../helpers/ports.js';
import { figure } from './figure.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const redisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!redisServer && process.env.QRFORGE_REQUIRE_SERVICES === '1')
  throw new Error('redis-server is required (Debian redis-server, on this machine)');

async function startRedis(port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
    { stdio: 'ignore' },
  );
  for (const end = Date.now() + 10_000; ;) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch (error) {
      probe.disconnect();
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!redisServer || !postgresAvailable)('Redis lost after 202 Accepted', () => {
  it('re-enqueues every accepted job from the database; each runs once', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    cleanups.push(() => void redis.kill('SIGKILL'));
    const { url, drop } = await createTestDatabase();
    const handle: DatabaseHandle = await openDatabase({
      databaseUrl: url,
      dataDir: mkdtempSync(join(tmpdir(), 'qrforge-redis-loss-')),
    });
    await handle.migrate();
    cleanups.push(async () => {
      await handle.close();
      await drop();
    });
    const options = { redisUrl: `redis://127.0.0.1:${port}`, prefix: 'loss', leaseMs: 2000 };

    // The API's side: 30 jobs accepted (recorded in PostgreSQL, handed to Redis).
    const api = new BullmqQueue(handle.db, options);
    const accepted = [];
    for (let i = 0; i < 30; i++) accepted.push((await api.enqueue(null, 'test.count', { i })).id);
    await api.close(0);

    // Redis dies before any worker took them, and comes back empty.
    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    redis = await startRedis(port);
    const keys = new Redis(port, '127.0.0.1');
    expect(await keys.dbsize()).toBe(0);
    keys.disconnect();

    const runs = new Map<number, number>();
    const worker = new BullmqQueue(handle.db, options);
    worker.start({
      'test.count': async (payload: { i: number }) => {
        runs.set(payload.i, (runs.get(payload.i) ?? 0) + 1);
        return { ok: true };
      },
    });
    cleanups.push(() => worker.close(0));
    const started = Date.now();
    let done = 0;
    for (const end = Date.now() + 30_000; done < accepted.length && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      done = (await Promise.all(accepted.map((id) => worker.get(null, id)))).filter(
        (job) => job?.status === 'completed',
      ).length;
    }
    expect(done).toBe(accepted.length);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(accepted.length);
    figure(
      'Redis loss',
      `kill -9 of Redis after 30 jobs were accepted, restarted empty: 30 of 30 re-enqueued from PostgreSQL and completed in ${((Date.now() - started) / 1000).toFixed(1)} s, each run once (0 lost)`,
    );
  });

  it('says at start when Redis may evict queued jobs', async () => {
    const port = await freePort();
    const redis = await startRedis(port, ['--maxmemory-policy', 'allkeys-lru']);
    cleanups.push(() => void redis.kill('SIGKILL'));
    const url = `redis://127.0.0.1:${port}`;
    const evicting = await checkEvictionPolicy(url);
    expect(evicting).toMatchObject({ ok: false, policy: 'allkeys-lru' });
    expect(evicting.ok || evicting.message).toContain('set it to "noeviction"');
    const admin = new Redis(port, '127.0.0.1');
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    admin.disconnect();
    expect(await checkEvictionPolicy(url)).toEqual({ ok: true, policy: 'noeviction' });
    const away = await checkEvictionPolicy(`redis://127.0.0.1:${await freePort()}`);
    expect(away.ok || away.message).toContain('could not be read');
    figure(
      'Redis loss',
      'maxmemory-policy checked at start: allkeys-lru -> warning naming it, noeviction -> quiet, unreachable -> "could not be read"',
    );
  });
});
