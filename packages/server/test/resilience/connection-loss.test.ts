/**
 * PostgreSQL and Redis cut off for 10 s through the fault proxy: requests that need them answer
 * 503 problem+json quickly (never hang, never 500), the process keeps running, and service
 * comes back by itself within seconds of the connection returning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { signIn, twoTenants } from '../helpers/accounts.js';
import { testConfig } from '../helpers/config.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import {
  createTestDatabase,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from '../helpers/services.js';
import { figure } from './figure.js';

const OUTAGE_MS = 10_000;

interface Probe {
  status: number;
  ms: number;
}

/** Asks `request` every 250 ms for `durationMs`; the answers with their times. */
async function probeFor(durationMs: number, request: () => Promise<{ statusCode: number }>) {
  const answers: Probe[] = [];
  for (const end = Date.now() + durationMs; Date.now() < end;) {
    const started = Date.now();
    const { statusCode } = await request();
    answers.push({ status: statusCode, ms: Date.now() - started });
    await new Promise((r) => setTimeout(r, 250));
  }
  return answers;
}

/** Time until `request` answers 200 again. */
async function recovery(request: () => Promise<{ statusCode: number }>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await request()).statusCode === 200) return Date.now() - started;
    if (Date.now() - started > 30_000) throw new Error('never recovered');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!postgresAvailable)('PostgreSQL cut off', () => {
  it('answers 503 at once during the outage and recovers by itself', async () => {
    const { url, drop } = await createTestDatabase();
    const target = new URL(url);
    const proxy = await FaultProxy.start(
      { host: target.hostname, port: Number(target.port || 5432) },
      { http: false },
    );
    target.host = `127.0.0.1:${proxy.port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cut-'));
    const handle = await openDatabase({ databaseUrl: target.toString(), dataDir });
    await handle.migrate();
    const app: App = await buildApp(
      testConfig({ dataDir, jwtSecret: 'cut-secret-cut-secret-cut-secret-0123' }),
      { database: handle },
    );
    cleanups.push(async () => {
      await app.server.close();
      await handle.close();
      await proxy.close();
      await drop();
    });
    await twoTenants(app);
    const headers = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    const list = () => app.server.inject({ url: '/api/v1/codes', headers });
    const store = () =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/codes',
        headers,
        payload: { data: 'during the outage', store: true },
      });
    expect((await list()).statusCode).toBe(200);

    await proxy.set({ kind: 'refuse' });
    const [reads, writes, ready] = await Promise.all([
      probeFor(OUTAGE_MS, list),
      probeFor(OUTAGE_MS, store),
      probeFor(OUTAGE_MS, () => app.server.inject('/ready')),
    ]);
    const during = [...reads, ...writes, ...ready];
    expect(during.filter((a) => a.status !== 503)).toEqual([]);
    const slowest = Math.max(...during.map((a) => a.ms));
    expect(slowest).toBeLessThan(1000);
    const problem = await list();
    expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem.json()).toMatchObject({ code: 'SERVER_ERR_UNAVAILABLE' });
    expect(Number(problem.headers['retry-after'])).toBeGreaterThan(0);

    await proxy.set({ kind: 'pass' });
    const back = await recovery(list);
    expect(back).toBeLessThan(5000);
    // Nothing acknowledged was lost, and nothing refused was half-stored.
    const stored = (await list()).json<{ codes: unknown[] }>().codes;
    expect(stored).toHaveLength(0);
    expect((await store()).statusCode).toBe(201);
    figure(
      'Connection loss',
      `PostgreSQL refused for ${OUTAGE_MS / 1000} s: ${during.length} requests (reads, writes, /ready) all 503, slowest ${slowest} ms, process up; 200 again ${back} ms after it returned; 0 writes half-stored`,
    );
  });
});

describe.skipIf(!redisAvailable)('Redis cut off', () => {
  it('keeps serving through a Redis outage (rate limits and cache fall back) and reports it', async () => {
    const target = new URL(REDIS_URL);
    const proxy = await FaultProxy.start(
      { host: target.hostname, port: Number(target.port || 6379) },
      { http: false },
    );
    const redis = new Redis(`redis://127.0.0.1:${proxy.port}`, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 200,
    });
    redis.on('error', () => undefined); // as main.ts does: /ready and the callers report it
    const dataDir = mkdtempSync(join(tmpdir(), 'qrforge-cut-'));
    const handle = await openDatabase({ databaseUrl: undefined, dataDir });
    await handle.migrate();
    const app: App = await buildApp(
      testConfig({ dataDir, jwtSecret: 'cut-secret-cut-secret-cut-secret-0123' }),
      { database: handle, redis },
    );
    cleanups.push(async () => {
      await app.server.close();
      redis.disconnect();
      await handle.close();
      await proxy.close();
    });
    await twoTenants(app);
    const headers = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
    const list = () => app.server.inject({ url: '/api/v1/codes', headers });
    expect((await list()).statusCode).toBe(200);

    await proxy.set({ kind: 'refuse' });
    const [reads, ready] = await Promise.all([
      probeFor(OUTAGE_MS, list),
      probeFor(OUTAGE_MS, () => app.server.inject('/ready')),
    ]);
    const statuses = new Set(reads.map((a) => a.status));
    const slowest = Math.max(...[...reads, ...ready].map((a) => a.ms));
    expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
    expect(slowest).toBeLessThan(1000);
    expect(ready.some((a) => a.status === 503)).toBe(true);

    await proxy.set({ kind: 'pass' });
    const back = await recovery(() => app.server.inject('/ready'));
    expect(back).toBeLessThan(5000);
    expect((await list()).statusCode).toBe(200);
    figure(
      'Connection loss',
      `Redis refused for ${OUTAGE_MS / 1000} s: ${reads.length} API reads answered ${[...statuses].join('/')} (slowest ${slowest} ms), /ready 503 naming redis; ready again ${back} ms after it returned`,
    );
  });
});
