/**
 * Redis must never evict keys: under memory pressure an evicting policy (allkeys-lru, say) drops
 * queued jobs without a word. The job records in the database bring them back at the next start
 * (redeliver), but a running process would not notice, so each process checks the policy when it
 * starts and says so loudly. Managed services may refuse CONFIG: then we cannot tell, and say that.
 */
export type EvictionCheck =
  { ok: true; policy: 'noeviction' } | { ok: false; policy: string; message: string };

export async function checkEvictionPolicy(url: string): Promise<EvictionCheck> {
  const { Redis } = await import('ioredis'); // only processes with REDIS_URL load it
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const answer = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = answer[1] ?? 'unknown';
    if (policy === 'noeviction') return { ok: true, policy };
    return {
      ok: false,
      policy,
      message: `Redis maxmemory-policy is "${policy}": under memory pressure Redis may drop queued jobs; set it to "noeviction"`,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      policy: 'unknown',
      message: `Redis maxmemory-policy could not be read (${reason}); make sure it is "noeviction"`,
    };
  } finally {
    redis.disconnect();
  }
}
