/**
 * The inventory read cache in the local Redis: a repeated read is answered from Redis (proved by
 * changing the row behind the app's back: the cached answer stays), and every write through the
 * API makes the next read fresh — item status, type minimum, analytics counts.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import type { DatabaseHandle } from '../src/platform/db/database.js';
import { signIn, twoTenants } from './helpers/accounts.js';
import { testConfig } from './helpers/config.js';
import { ENGINES } from './helpers/engines.js';
import { deleteRedisKeys, REDIS_URL, redisAvailable } from './helpers/services.js';

describe.skipIf(!redisAvailable)('inventory read cache in Redis', () => {
  let app: App;
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let redis: Redis;
  let auth: Record<string, string>;
  const lot = `C${randomUUID().slice(0, 6).toUpperCase()}`;

  beforeAll(async () => {
    ({ handle, cleanup } = await ENGINES[0].open());
    redis = new Redis(REDIS_URL);
    app = await buildApp(testConfig({ jwtSecret: 'cache-secret-cache-secret-cache-0123' }), {
      database: handle,
      redis,
    });
    await twoTenants(app);
    auth = { authorization: `Bearer ${await signIn(app, 'admin@a.test')}` };
  });
  afterAll(async () => {
    await app.server.close();
    await cleanup();
    await deleteRedisKeys('qrforge:inventory');
    redis.disconnect();
  });

  const get = (url: string) => app.server.inject({ url, headers: auth });
  const hits = async () => {
    const metrics = (await app.server.inject('/metrics')).body;
    return Number(/inventory_cache_requests_total\{result="hit"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  };

  it('answers repeated reads from Redis and never serves a read older than a write', async () => {
    const made = await app.server.inject({
      method: 'POST',
      url: '/api/v1/inventory/generate',
      headers: auth,
      payload: {
        componentType: 'CCH',
        vendorCode: 'V1',
        lotNumber: lot,
        manufacturingDate: '2026-04-01',
        count: 2,
      },
    });
    const uid = made.json<{ items: { uid: string }[] }>().items[0].uid;
    expect((await get(`/api/v1/inventory/items/${uid}`)).json()).toMatchObject({
      status: 'generated',
    });
    const before = await hits();
    // Changed behind the app's back: the cached answer is still served.
    await handle.db.execute(sql`update items set location = 'moved by hand' where uid = ${uid}`);
    const cached = (await get(`/api/v1/inventory/items/${uid}`)).json<{ location: unknown }>();
    expect(cached.location).toBeNull();
    expect(await hits()).toBe(before + 1);

    // A write through the API: the next read is fresh (and sees the hand change too).
    await app.server.inject({
      method: 'POST',
      url: `/api/v1/inventory/items/${uid}/status`,
      headers: auth,
      payload: { status: 'engraved' },
    });
    expect((await get(`/api/v1/inventory/items/${uid}`)).json()).toMatchObject({
      status: 'engraved',
      location: 'moved by hand',
      allowed: ['verified', 'quarantined', 'scrapped'],
    });

    const counts = async () =>
      (await get('/api/v1/inventory/analytics/counts?by=status')).json<{
        counts: { key: string; count: number }[];
      }>().counts;
    expect(await counts()).toContainEqual({ key: 'engraved', count: 1 });
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/inventory/items/status',
      headers: auth,
      payload: {
        uids: [made.json<{ items: { uid: string }[] }>().items[1].uid],
        status: 'engraved',
      },
    });
    expect(await counts()).toContainEqual({ key: 'engraved', count: 2 });

    await app.server.inject({
      method: 'PATCH',
      url: '/api/v1/inventory/types/CCH',
      headers: auth,
      payload: { minStock: 7 },
    });
    const types = (await get('/api/v1/inventory/types')).json<{ types: { minStock: number }[] }>();
    expect(types.types[0].minStock).toBe(7);
  });

  it('reads from the database when Redis is unreachable', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const offline = await buildApp(
      testConfig({ jwtSecret: 'cache-secret-cache-secret-cache-0123', rateLimitMax: 100_000 }),
      { database: handle, redis: down },
    );
    try {
      const res = await offline.server.inject({ url: '/api/v1/inventory/types', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ types: { code: string }[] }>().types[0].code).toBe('CCH');
    } finally {
      await offline.server.close();
      down.disconnect();
    }
  });
});
