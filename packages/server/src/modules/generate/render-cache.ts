/**
 * Cache of rendered codes by request (the ETag): the same <img> URL or API call is rendered once.
 * In memory (least recently used first out, bounded in bytes); with REDIS_URL also in Redis, so
 * every instance shares what one rendered.
 */
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Rendered } from './render.js';

const REDIS_TTL_SECONDS = 24 * 3600;
const PREFIX = 'qrforge-render:';

export class RenderCache {
  private readonly entries = new Map<string, Rendered>();
  private bytes = 0;
  private readonly hits: Counter;
  private readonly misses: Counter;

  constructor(
    private readonly maxBytes: number,
    registry: Registry,
    private readonly redis?: Redis,
  ) {
    this.hits = new Counter({
      name: 'cache_hits_total',
      help: 'Renders answered from the render cache.',
      registers: [registry],
    });
    this.misses = new Counter({
      name: 'cache_misses_total',
      help: 'Renders not in the render cache.',
      registers: [registry],
    });
  }

  /** Counts a hit answered elsewhere (the hot cache, before the route runs). */
  countHit(): void {
    this.hits.inc();
  }

  /** The cached render, or a fresh one from `render` (then cached). */
  async get(key: string, render: () => Promise<Rendered>): Promise<Rendered> {
    if (this.maxBytes === 0) return render();
    const local = this.entries.get(key);
    if (local) {
      this.entries.delete(key); // re-insert: most recently used last
      this.entries.set(key, local);
      this.hits.inc();
      return local;
    }
    const shared = await this.fromRedis(key);
    if (shared) {
      this.hits.inc();
      this.remember(key, shared);
      return shared;
    }
    this.misses.inc();
    const rendered = await render();
    this.remember(key, rendered);
    void this.toRedis(key, rendered);
    return rendered;
  }

  private remember(key: string, rendered: Rendered): void {
    if (rendered.bytes.length > this.maxBytes / 16) return; // large files would flush the rest
    this.entries.set(key, rendered);
    this.bytes += rendered.bytes.length;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.bytes.length;
    }
  }

  private async fromRedis(key: string): Promise<Rendered | undefined> {
    if (!this.redis) return undefined;
    try {
      const [meta, bytes] = await Promise.all([
        this.redis.get(`${PREFIX}${key}:meta`),
        this.redis.getBuffer(`${PREFIX}${key}`),
      ]);
      if (!meta || !bytes) return undefined;
      return { ...(JSON.parse(meta) as Omit<Rendered, 'bytes'>), bytes: new Uint8Array(bytes) };
    } catch {
      return undefined; // Redis down: render instead
    }
  }

  private async toRedis(key: string, rendered: Rendered): Promise<void> {
    if (!this.redis) return;
    const { bytes, ...meta } = rendered;
    try {
      await this.redis
        .multi()
        .set(`${PREFIX}${key}`, Buffer.from(bytes), 'EX', REDIS_TTL_SECONDS)
        .set(`${PREFIX}${key}:meta`, JSON.stringify(meta), 'EX', REDIS_TTL_SECONDS)
        .exec();
    } catch {
      // A cache that cannot write is only a slower cache.
    }
  }
}
