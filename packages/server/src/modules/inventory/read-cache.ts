/**
 * Hot inventory reads (an item by UID, the types, the analytics) kept in Redis when REDIS_URL is
 * set, shared by every process. Invalidation is by version: each tenant has a counter in its keys,
 * and any inventory write increments it (before its answer is sent), so no read after a write can
 * see an older answer; entries of old versions are never read again and expire (TTL). A read that
 * started before the write stores its answer under the version it began with, so it cannot
 * resurrect stale data. Redis down: reads go to the database.
 */
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';

const PREFIX = 'qrforge:inventory:';
const TTL_SECONDS = 300;

export class ReadCache {
  private readonly requests: Counter<'result'> | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    registry?: Registry,
  ) {
    if (redis && registry)
      this.requests = new Counter({
        name: 'inventory_cache_requests_total',
        help: 'Inventory reads answered from the Redis cache (hit) or the database (miss).',
        labelNames: ['result'],
        registers: [registry],
      });
  }

  async read<T>(tenantId: string, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.redis) return load();
    let entry: string | undefined;
    try {
      const version = (await this.redis.get(`${PREFIX}${tenantId}:version`)) ?? '0';
      entry = `${PREFIX}${tenantId}:${version}:${key}`;
      const hit = await this.redis.get(entry);
      if (hit !== null) {
        this.requests?.inc({ result: 'hit' });
        return JSON.parse(hit) as T;
      }
    } catch {
      // Redis down or slow: the database answers.
    }
    this.requests?.inc({ result: 'miss' });
    const value = await load();
    if (entry) void this.redis.set(entry, JSON.stringify(value), 'EX', TTL_SECONDS).catch(() => {});
    return value;
  }

  /** After a write of the tenant's inventory: every cached read of the tenant is out of date. */
  async invalidate(tenantId: string): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.incr(`${PREFIX}${tenantId}:version`);
    } catch {
      // Redis down: entries expire within TTL_SECONDS; reads meanwhile go to the database only
      // if Redis stays down (a read needs Redis too).
    }
  }
}
