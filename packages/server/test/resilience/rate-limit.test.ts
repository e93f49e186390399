/**
 * Rate limits: per credential or IP, 429 problem+json with Retry-After, probes exempt; with Redis,
 * one budget shared by every instance.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { testConfig } from '../helpers/config.js';
import { REDIS_URL, redisAvailable } from '../helpers/services.js';
import { figure } from './figure.js';

const apps: App[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.server.close()));
  clients.forEach((c) => c.disconnect());
});

async function app(max: number, redis?: Redis): Promise<App> {
  const built = await buildApp(testConfig({ rateLimitMax: max, rateLimitWindowSeconds: 60 }), {
    redis,
  });
  apps.push(built);
  return built;
}

describe('rate limits in memory', () => {
  it('answers 429 with Retry-After past the limit, per credential, probes exempt', async () => {
    const a = await app(5);
    const hit = (headers: Record<string, string> = {}) =>
      a.server.inject({ url: '/api/v1/none', headers });
    for (let i = 0; i < 5; i++)
      expect((await hit({ 'x-api-key': 'qrf_one' })).statusCode).toBe(404);
    const limited = await hit({ 'x-api-key': 'qrf_one' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ code: 'HTTP_ERR_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another credential, and anonymous callers by IP, have their own budgets.
    expect((await hit({ 'x-api-key': 'qrf_two' })).statusCode).toBe(404);
    expect((await hit()).statusCode).toBe(404);
    for (let i = 0; i < 10; i++) expect((await a.server.inject('/health')).statusCode).toBe(200);
  });
});

describe.skipIf(!redisAvailable)('rate limits in Redis', () => {
  it('are shared by two instances: 12 requests against a limit of 10 give exactly two 429', async () => {
    const [r1, r2] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    clients.push(r1, r2);
    const [a, b] = [await app(10, r1), await app(10, r2)];
    const credential = { 'x-api-key': `qrf_${randomBytes(8).toString('hex')}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await a.server.inject({ url: '/api/v1/none', headers: credential })).statusCode,
      );
      statuses.push(
        (await b.server.inject({ url: '/api/v1/none', headers: credential })).statusCode,
      );
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
  });

  it('hold a concurrent burst to the limit across both instances', async () => {
    const [r1, r2] = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    clients.push(r1, r2);
    const limit = 100;
    const [a, b] = [await app(limit, r1), await app(limit, r2)];
    const credential = { 'x-api-key': `qrf_${randomBytes(8).toString('hex')}` };
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (i % 2 ? a : b).server.inject({ url: '/api/v1/none', headers: credential }),
      ),
    );
    const passed = answers.filter((r) => r.statusCode === 404).length;
    const limited = answers.filter((r) => r.statusCode === 429);
    expect(passed + limited.length).toBe(300);
    expect(Math.abs(passed - limit)).toBeLessThanOrEqual(limit * 0.05);
    expect(limited.every((r) => Number(r.headers['retry-after']) > 0)).toBe(true);
    figure(
      'Rate limits',
      `300 concurrent requests of one API key over 2 instances sharing Redis, limit ${limit}: ${passed} through (${(((passed - limit) / limit) * 100).toFixed(1)} % off), ${limited.length} answered 429 with Retry-After`,
    );
  });

  it('reports Redis in readiness', async () => {
    const r = new Redis(REDIS_URL);
    clients.push(r);
    const a = await app(10, r);
    expect((await a.server.inject('/ready')).json()).toMatchObject({
      checks: { redis: { ok: true } },
    });
  });
});
